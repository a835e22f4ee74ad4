from django.dispatch import Signal

# Sent by build_postcodes when the lookup is ready: rebuilt=True after a build (every derived place
# may have moved), False when it was already current (only places never worked out need it).
postcodes_ready = Signal()

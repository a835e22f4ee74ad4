"""The app's admin in two modules, as its models: explainer.py and organisations.py (the registry).

Django's admin imports this package; importing both modules registers their models.
"""

from mutuals.admin import explainer, organisations  # noqa: F401 - imported to register

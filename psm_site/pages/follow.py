"""'Get emails about this' links. An app that sends email alerts registers how to build them (see
alerts/apps.py); the base and the content apps never import it. With nothing registered, pages
show no link.

A subject is a published item, 'funding' (support and funding), or 'mutuals' with optional
`region` and `sectors` filters.
"""

_builders = []


def register(builder):
    """`builder(subject, **filters)` returns a URL, or None for something that cannot be followed."""
    if builder not in _builders:
        _builders.append(builder)


def link(subject, **filters):
    for builder in _builders:
        url = builder(subject, **filters)
        if url:
            return url
    return None

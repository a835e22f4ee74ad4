"""What one app shows on pages it does not own: the registry's live count on the home page, the
open-round banner on the home page and in the explainer.

The owning app registers a function by name in its apps.py (as for psm_site/search.py); a template
shows it with `{% from_app "name" %}` (or `{% from_app "name" as value %}` for a value), so neither
the base nor the other app imports it. A name nobody registered is a mistake and fails loudly.
"""

from collections.abc import Callable

_providers: dict[str, Callable[[], object]] = {}


def register(name: str, provider: Callable[[], object]) -> None:
    """`provider()` returns the value or the (safe) HTML to show, worked out when the page is drawn."""
    _providers[name] = provider


def provide(name: str) -> object:
    try:
        provider = _providers[name]
    except KeyError:
        raise LookupError(f"No app registered {name!r} (see psm_site/blocks.py)") from None
    return provider()

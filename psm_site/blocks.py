"""What one app shows on pages it does not own: the registry's live count on the home page, the
open-round banner on the home page and in the explainer.

The owning app registers a function by name in its apps.py (as for psm_site/pages/search.py); a template
shows it with `{% from_app "name" %}` (or `{% from_app "name" as value %}` for a value), so neither
the base nor the other app imports it. A name nobody registered is a mistake and fails loudly.

Each value is worked out once per content generation in each process (`per_generation`): the same
for every visitor until something is saved or a clock boundary passes (psm_site/web/cache.py), so
drawing a page no longer costs their queries (two of the explainer's nine).
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings

from psm_site.web.cache import version_now

_providers: dict[str, Callable[[], object]] = {}
_kept: OrderedDict[tuple, object] = OrderedDict()  # (name, generation, next clock boundary) -> value
# The values asked for most recently. Most are a few names (the live count, the open-rounds banner);
# the rest are items the public opened (see publishing.actions.get_for_request), tens of kB each.
KEPT_AT_MOST = 256


def register(name: str, provider: Callable[[], object]) -> None:
    """`provider()` returns the value or the (safe) HTML to show, worked out when the page is drawn."""
    _providers[name] = provider


def provide(name: str) -> object:
    try:
        provider = _providers[name]
    except KeyError:
        raise LookupError(f"No app registered {name!r} (see psm_site/blocks.py)") from None
    return per_generation(name, provider)


def per_generation(name: Hashable, compute: Callable[[], object]) -> object:
    """`compute()`, kept under `name` (a string or a tuple) and worked out again only when the
    content generation has moved since this process last did: every save of public content and
    every clock boundary (a round opening, closing soon or closing; a scheduled publication) moves it.

    Only with a shared cache (Redis), where asking the generation is one round trip to it. A process
    with a cache of its own reads the generation from the database (PAGE_CACHE_SHARED), which would
    cost what it saves, so it works the value out each time.
    """
    if not settings.PAGE_CACHE_SHARED:
        return compute()
    token, version = version_now()
    key = (name, token, version.next_boundary)  # a boundary may pass without a new generation
    if key in _kept:
        _kept.move_to_end(key)
        return _kept[key]
    value = _kept[key] = compute()  # an exception (an item that is not there) keeps nothing
    if len(_kept) > KEPT_AT_MOST:
        _kept.popitem(last=False)  # the value asked for longest ago; older generations' go first
    return value


def forget_kept() -> None:
    """Drop every value this process keeps (for tests, which reuse generations a flush has reset)."""
    _kept.clear()

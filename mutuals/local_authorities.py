"""Each mutual's local authority, worked out from its postcode or pin (places.lookup).

Mutual.save() works it out when the postcode or pin changes; this fills in mutuals saved another
way: loaded from fixtures (a raw save) or placed before the postcode lookup was (re)built.
"""

from django.contrib.sitemaps import Sitemap

from mutuals.models import Mutual
from places.models import LocalAuthority
from psm_site.web.cache import bump


def with_live_mutuals():
    """Local authorities with at least one published, live mutual: those the sitemap and search list."""
    return LocalAuthority.objects.filter(pk__in=Mutual.objects.published().live().values("local_authority"))


class LocalAuthoritySitemap(Sitemap):
    """Asks afresh each time: `published()` reads the clock when it is called."""

    changefreq = "weekly"

    def items(self):
        return with_live_mutuals()


def refresh_local_authorities(mutuals=None) -> int:
    """Work out the local authority of these mutuals (all by default) again; returns how many changed."""
    mutuals = Mutual.objects.all() if mutuals is None else mutuals
    changed = 0
    for mutual in mutuals.only("id", "postcode", "latitude", "longitude", "local_authority"):
        code = mutual.work_out_local_authority() or None
        if code != mutual.local_authority_id:
            Mutual.objects.filter(pk=mutual.pk).update(local_authority_id=code)
            changed += 1
    if changed:
        bump()  # update() sends no signal: public pages show the authority
    return changed


def on_postcodes_ready(sender, *, rebuilt, **kwargs):
    refresh_local_authorities(None if rebuilt else Mutual.objects.filter(local_authority=None))
    if rebuilt:  # authorities' names and pages may have changed though no mutual's authority did
        bump()


def on_fixture_saved(sender, instance, raw=False, **kwargs):
    if raw:
        refresh_local_authorities(Mutual.objects.filter(pk=instance.pk))

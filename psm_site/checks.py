from django.conf import settings
from django.core.checks import Error, Info, Tags, register
from django.http.request import split_domain_port


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENVIRONMENT:
        return []
    return [Error("DJANGO_SECRET_KEY is not set.", hint="Set it in the environment (see .env.example).", id="psm.E001")]


LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "0.0.0.0", "::1", "testserver"}


def _is_local(domain: str) -> bool:
    host, _port = split_domain_port(domain)
    host = host.strip("[]")
    return host in LOCAL_HOSTS or host.endswith((".localhost", ".local"))


@register(Tags.sites, deploy=True)
def site_domain_is_public(app_configs, **kwargs):
    if not _is_local(settings.SITE_DOMAIN):
        return []
    return [
        Error(
            f"SITE_DOMAIN is {settings.SITE_DOMAIN!r}: the sitemap and redirects would send visitors there.",
            hint="Set SITE_DOMAIN to the public host name, e.g. mutuals.example.gov.uk.",
            id="psm.E002",
        )
    ]


@register(Tags.security, deploy=True)
def two_factor_is_on(app_configs, **kwargs):
    if settings.ADMIN_TWO_FACTOR:
        return []
    return [
        Error(
            "ADMIN_TWO_FACTOR is off: a stolen staff password alone opens the admin.",
            hint="Unset ADMIN_TWO_FACTOR (it is on by default when DJANGO_DEBUG is off) or set it to on.",
            id="psm.E003",
        )
    ]


def gunicorn_workers():
    """Workers per app server as gunicorn starts them: deploy/gunicorn.conf.py from GUNICORN_WORKERS,
    gunicorn started without that file from WEB_CONCURRENCY (its own variable). How it was started
    is not known here, so the larger counts."""
    return max(settings.GUNICORN_WORKERS, settings.WEB_CONCURRENCY)


@register(Tags.caches, deploy=True)
def shared_cache_for_several_workers(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    workers = gunicorn_workers()
    if workers <= 1 or not backend.endswith("LocMemCache"):
        return []
    return [
        Error(
            f"gunicorn would start {workers} workers (GUNICORN_WORKERS {settings.GUNICORN_WORKERS}, "
            f"WEB_CONCURRENCY {settings.WEB_CONCURRENCY}) but the cache is local memory: each worker "
            "keeps its own rate-limit counts, so the limits multiply.",
            hint="Set REDIS_URL so every worker shares one cache, or set both to 1.",
            id="psm.E004",
        )
    ]


@register(Tags.security, deploy=True)
def department_facts_are_set(app_configs, **kwargs):
    """The privacy notice must not go live saying a fact only the department can supply is missing:
    an error once the site is live (SITE_LIVE_ON); on a site not yet launched, whose notice says
    honestly what is not yet recorded, information that `check --deploy` shows without failing,
    even at --fail-level WARNING."""
    from psm_site.personal_data import missing_facts

    live = settings.SITE_LIVE_ON is not None
    return [
        (Error if live else Info)(
            f"{setting} is not set: the privacy notice says {what} is not yet recorded.",
            hint=f"Set {setting} in the environment (see .env.example and README, 'Statutory pages').",
            id="psm.E005" if live else "psm.I005",
        )
        for setting, what in missing_facts()
    ]

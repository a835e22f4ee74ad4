"""The register of personal data: each place the site keeps something about a person says, next to
the code that keeps it, what it keeps, why, for how long and who receives it.

The privacy notice and the cookies page are drawn from this register and the settings
(psm_site/statements.py), so they say what the code does. tests/site/test_personal_data.py fails
when a rate limit, a module writing to the cache, or a model field that can hold an IP address or
an email address has no entry here; `check --deploy` fails while a fact only the department can
supply (a retention period, the data protection officer's contact) is unset.

Entries are declared as the code that keeps the data is imported (each app's apps.py imports it):
psm_site/limits.py (rate limits), requestlog.py (the app's and nginx's logs), signin.py (staff
sign-in, sessions and django-axes), models.py (feedback), statements.py (cookies, staff accounts),
alerts/apps.py (email alerts and GOV.UK Notify).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

Text = str | Callable[[], str | None]


def _text(value):
    """The value (called if a function), without a closing full stop: the pages add their own."""
    value = value() if callable(value) else value
    return value.rstrip(".") if isinstance(value, str) else value


@dataclass(frozen=True)
class Record:
    """One kind of personal data the site keeps.

    `how_long` returns None while the fact is missing: the department must set `setting`, the page
    says what is missing, and `check --deploy` fails. `shown` decides whether the entry applies to
    this deployment (Notify only when its key is set). `fields` are the model fields ('app.Model.field')
    and `limits` the rate-limit names whose cache keys hold it; `source` is the code that keeps it.
    """

    key: str
    what: Text
    why: Text
    how_long: Callable[[], str | None]
    receivers: Text
    source: str
    fields: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    setting: str | None = None
    shown: Callable[[], bool] = field(default=lambda: True)
    order: int = 100

    def row(self):
        return {
            "key": self.key,
            "what": _text(self.what),
            "why": _text(self.why),
            "how_long": _text(self.how_long),
            "receivers": _text(self.receivers),
            "setting": self.setting,
        }


@dataclass(frozen=True)
class Cookie:
    """A cookie the site sets. `audience`: 'public' (any visitor, on pages with a form) or 'staff'."""

    name: Text
    purpose: str
    expires: Callable[[], str]
    audience: str
    source: str
    order: int = 100

    def row(self):
        return {"name": _text(self.name), "purpose": self.purpose, "expires": self.expires()}


_records: dict[str, Record] = {}
_cookies: dict[str, Cookie] = {}
_not_personal: dict[str, str] = {}
_cache_users: dict[str, str] = {}


def register(record: Record) -> Record:
    _records[record.key] = record
    return record


def register_cookie(cookie: Cookie) -> Cookie:
    _cookies[cookie.source + ":" + str(cookie.order) + cookie.purpose] = cookie
    return cookie


def not_personal(field_label: str, reason: str) -> None:
    """A model field whose name looks personal ('email', 'address') but holds no one's data."""
    _not_personal[field_label] = reason


def register_cache_use(module: str, holds: str) -> None:
    """A module that writes to the shared cache, and what its keys hold about a person ('' for nothing;
    a rate limit's keys are declared by its Record's `limits`)."""
    _cache_users[module] = holds


def records(*, include_hidden=False) -> list[Record]:
    found = [record for record in _records.values() if include_hidden or record.shown()]
    return sorted(found, key=lambda record: (record.order, record.key))


def record_for_limit(name: str) -> Record:
    for record in _records.values():
        if name in record.limits:
            return record
    raise LookupError(f"Rate limit {name!r} keeps IP addresses but has no entry in the register of personal data")


def declared_fields() -> dict[str, str]:
    """'app.Model.field' -> the register key (or 'not personal: reason')."""
    found = {label: f"not personal: {reason}" for label, reason in _not_personal.items()}
    for record in _records.values():
        for label in record.fields:
            found[label] = record.key
    return found


def cache_users() -> dict[str, str]:
    return dict(_cache_users)


def cookies(audience=None) -> list[Cookie]:
    found = [cookie for cookie in _cookies.values() if audience is None or cookie.audience == audience]
    return sorted(found, key=lambda cookie: cookie.order)


def missing_facts() -> list[tuple[str, str]]:
    """[(setting, what it is for)] of facts the department must supply and has not."""
    missing = {}
    if not settings.DATA_PROTECTION_OFFICER_EMAIL:
        missing["DATA_PROTECTION_OFFICER_EMAIL"] = "the data protection officer's contact"
    for record in records(include_hidden=True):
        if record.setting and record.how_long() is None:
            missing.setdefault(record.setting, f"how long the site keeps '{record.key}'")
    return list(missing.items())


# --- Durations, as the pages write them ----------------------------------------------------------


def duration(seconds):
    """'1 hour', '30 minutes', '2 weeks', '90 days': the largest whole unit."""
    for size, unit in [(604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def days_setting(name, then="then deleted"):
    """how_long for a retention the department sets in days: None (missing) until it is set."""

    def how_long():
        value = getattr(settings, name, None)
        return f"{duration(int(value) * 86400)}, {then}" if value else None

    return how_long

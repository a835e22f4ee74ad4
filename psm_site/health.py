"""What /healthz reports beyond the database: apps register a check by name (alerts registers
its clock), and the base never imports them. A check returns a short word ('ok', 'late',
'unknown'); it informs monitoring and never makes /healthz fail, since pages still work."""

from collections.abc import Callable

_checks: dict[str, Callable[[], str]] = {}


def register(name: str, check: Callable[[], str]) -> None:
    _checks[name] = check


def report() -> dict[str, str]:
    return {name: check() for name, check in _checks.items()}

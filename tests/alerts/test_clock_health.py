"""/healthz says whether the alerts clock keeps running: 'ok', 'late' after three missed periods,
'unknown' before its first run. A late clock never makes /healthz fail: pages still work."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import ClockRun
from alerts.schedule import beat

pytestmark = pytest.mark.django_db


def health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    return body["clock"]


def test_a_clock_that_never_ran_is_unknown(client):
    assert health(client) == "unknown"


def test_each_run_is_a_heartbeat_with_its_period(client):
    call_command("alerts_clock", verbosity=0)
    assert health(client) == "ok"
    assert ClockRun.objects.get(name="heartbeat").every_seconds is None


def test_the_clock_is_late_after_three_of_its_own_periods(client, time_machine):
    now = timezone.now()
    beat(now, every=10)
    time_machine.move_to(now + timedelta(seconds=29), tick=False)
    assert health(client) == "ok"
    time_machine.move_to(now + timedelta(seconds=31), tick=False)
    assert health(client) == "late"


def test_a_clock_run_from_cron_is_late_after_three_alerts_clock_seconds(client, settings, time_machine):
    settings.ALERTS_CLOCK_SECONDS = 120
    now = timezone.now()
    beat(now)
    time_machine.move_to(now + timedelta(seconds=359), tick=False)
    assert health(client) == "ok"
    time_machine.move_to(now + timedelta(seconds=361), tick=False)
    assert health(client) == "late"

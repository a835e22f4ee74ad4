"""The clock, frozen: openings alert once, the 7-day reminder keeps to the UK wall clock, digests
go at a fixed UK time and group what happened."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.events import reminder_moment
from alerts.models import Alert, Email, Frequency, Subscriber, Subscription, Topic
from alerts.schedule import tick
from alerts.topics import describe
from psm_site.publishing import add_change_note
from tests.alerts.helpers import keep
from tests.factories import make_guide
from tests.support.factories import make_fund, make_round, uk

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(time_machine):
    def move(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    return move


def follower(key="funding", address="follower@example.org", frequency=Frequency.IMMEDIATELY):
    spec = describe(key)
    topic, _ = Topic.objects.get_or_create(key=key, defaults={"title": spec.title, "url": spec.url})
    subscriber, _ = Subscriber.objects.get_or_create(address=address)
    return Subscription.objects.create(
        subscriber=subscriber, topic=topic, frequency=frequency, confirmed_at=timezone.now()
    )


def test_a_round_opening_at_9am_alerts_once_across_two_worker_runs(clock, smtp, work):
    clock(uk(2027, 3, 1, 8, 0))
    fund = make_fund(name="Mutuals Support Fund")
    fund_round = make_round(fund, number=4, opens_at=uk(2027, 3, 1, 9, 0), closes_at=uk(2027, 3, 31, 17, 0))
    follower()
    clock(uk(2027, 3, 1, 8, 57))
    work(tick)
    assert [smtp.subject(m) for m in smtp.messages] == ["Mutuals Support Fund: round 4 announced"]
    clock(uk(2027, 3, 1, 9, 2))
    work(tick)
    clock(uk(2027, 3, 1, 9, 5))
    work(tick)
    work(lambda: call_command("alerts_clock", verbosity=0))
    [message] = [m for m in smtp.messages if "now open" in smtp.subject(m)]
    keep(message, "6-alert-round-open")
    assert smtp.subject(message) == "Mutuals Support Fund: round 4 is now open"
    assert "open for applications until 5pm on Wednesday 31 March 2027" in smtp.text(message)
    assert fund_round.get_absolute_url() in smtp.text(message)
    assert Alert.objects.filter(kind=Alert.Kind.ROUND_OPEN).count() == 1


def test_a_worker_that_was_down_catches_up_once(clock, smtp, work):
    clock(uk(2027, 3, 1, 8, 0))
    make_round(opens_at=uk(2027, 3, 1, 9, 0), closes_at=uk(2027, 3, 31, 17, 0))
    follower()
    work(tick)
    clock(uk(2027, 3, 1, 13, 0))  # no runs from 8am to 1pm
    work(tick)
    work(tick)
    assert len([m for m in smtp.messages if "now open" in smtp.subject(m)]) == 1


@pytest.mark.parametrize(
    ("closes_at", "reminder_utc"),
    [
        # Deadline in GMT, reminder in BST: 5pm UK both times, so 16:00 UTC a week before.
        (uk(2026, 10, 27, 17, 0), (2026, 10, 20, 16, 0)),
        # Deadline in BST, reminder in GMT (clocks go forward on 28 March 2027).
        (uk(2027, 4, 2, 17, 0), (2027, 3, 26, 17, 0)),
    ],
)
def test_the_7_day_reminder_keeps_uk_time_across_bst_and_gmt(clock, smtp, work, closes_at, reminder_utc):
    from datetime import UTC, datetime

    expected = datetime(*reminder_utc, tzinfo=UTC)
    assert reminder_moment(closes_at) == expected
    clock(closes_at - timedelta(days=30))
    make_round(opens_at=closes_at - timedelta(days=20), closes_at=closes_at)
    follower()
    work(tick)
    clock(expected - timedelta(minutes=1))
    work(tick)
    assert not [m for m in smtp.messages if "closes in 7 days" in smtp.subject(m)]
    clock(expected + timedelta(minutes=2))
    work(tick)
    clock(expected + timedelta(minutes=5))
    work(tick)
    reminders = [m for m in smtp.messages if "closes in 7 days" in smtp.subject(m)]
    assert len(reminders) == 1
    keep(reminders[0], "7-alert-closing-reminder")
    assert "closes at 5pm on" in smtp.text(reminders[0])


def test_daily_digest_groups_changes_at_the_fixed_uk_time(clock, smtp, work, settings):
    settings.ALERTS_DIGEST_TIME = "09:30"
    clock(uk(2027, 6, 1, 10, 0))
    first, second = make_guide(title="Guide A"), make_guide(title="Guide B")
    from alerts.topics import page_key

    follower(page_key(first), "daily@example.org", Frequency.DAILY)
    follower(page_key(second), "daily@example.org", Frequency.DAILY)
    follower(page_key(first), "now@example.org", Frequency.IMMEDIATELY)
    work(tick)  # the digest due at 09:30 today went with nothing in it
    work(lambda: add_change_note(first, note="Change one."))
    clock(uk(2027, 6, 1, 15, 0))
    work(lambda: add_change_note(second, note="Change two."))
    assert len(smtp.to("now@example.org")) == 1
    assert not smtp.to("daily@example.org")
    clock(uk(2027, 6, 2, 9, 29))
    work(tick)
    assert not smtp.to("daily@example.org")
    clock(uk(2027, 6, 2, 9, 31))
    work(tick)
    clock(uk(2027, 6, 2, 9, 40))
    work(tick)
    [digest] = smtp.to("daily@example.org")
    keep(digest, "8-digest-daily")
    text = smtp.text(digest)
    assert smtp.subject(digest) == "Daily update from Public Service Mutuals: 2 changes"
    assert text.index("Change one.") < text.index("Change two.")
    assert digest["List-Unsubscribe"]


def test_weekly_digest_goes_on_its_day(clock, smtp, work, settings):
    settings.ALERTS_DIGEST_TIME = "09:30"
    settings.ALERTS_WEEKLY_DAY = 0  # Monday
    clock(uk(2027, 6, 2, 10, 0))  # a Wednesday
    guide = make_guide(title="Guide W")
    from alerts.topics import page_key

    follower(page_key(guide), "weekly@example.org", Frequency.WEEKLY)
    work(tick)
    work(lambda: add_change_note(guide, note="A weekly change."))
    clock(uk(2027, 6, 6, 23, 0))  # Sunday
    work(tick)
    assert not smtp.to("weekly@example.org")
    clock(uk(2027, 6, 7, 9, 35))  # Monday
    work(tick)
    [digest] = smtp.to("weekly@example.org")
    keep(digest, "8-digest-weekly")
    assert smtp.subject(digest) == "Weekly update from Public Service Mutuals: 1 change"


def test_unconfirmed_subscriptions_are_forgotten_after_7_days(clock):
    clock(uk(2027, 6, 1, 10, 0))
    spec = describe("funding")
    topic = Topic.objects.create(key="funding", title=spec.title, url=spec.url)
    subscriber = Subscriber.objects.create(address="never@example.org")
    Subscription.objects.create(subscriber=subscriber, topic=topic)
    clock(uk(2027, 6, 8, 10, 1))
    tick()
    assert not Subscriber.objects.exists()


def test_failed_sends_retry_with_backoff(clock, work, settings):
    from alerts.sending import RETRY_WAITS, queue_manage_link

    clock(uk(2027, 6, 1, 10, 0))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 14199  # nothing listens here
    subscriber = Subscriber.objects.create(address="patient@example.org")
    work(lambda: queue_manage_link(subscriber))
    email = Email.objects.get()
    assert (email.state, email.attempts) == (Email.State.RETRYING, 1)
    clock(uk(2027, 6, 1, 10, 0) + RETRY_WAITS[0] + timedelta(seconds=5))
    work()
    email.refresh_from_db()
    assert (email.state, email.attempts) == (Email.State.RETRYING, 2)
    for wait in RETRY_WAITS[1:]:
        clock(timezone.now() + wait + timedelta(seconds=5))
        work()
    email.refresh_from_db()
    assert (email.state, email.attempts) == (Email.State.FAILED, 5)
    assert "ConnectionRefusedError" in email.last_error


def test_a_retry_succeeds_once_the_server_is_back(clock, smtp, work, settings):
    from alerts.sending import RETRY_WAITS, queue_manage_link

    clock(uk(2027, 6, 1, 10, 0))
    settings.EMAIL_PORT = 14199
    subscriber = Subscriber.objects.create(address="patient@example.org")
    work(lambda: queue_manage_link(subscriber))
    settings.EMAIL_PORT = smtp.port
    clock(uk(2027, 6, 1, 10, 0) + RETRY_WAITS[0] - timedelta(seconds=5))
    work()
    assert not smtp.messages  # not before its time
    clock(uk(2027, 6, 1, 10, 0) + RETRY_WAITS[0] + timedelta(seconds=5))
    work()
    assert len(smtp.messages) == 1
    assert Email.objects.get().state == Email.State.SENT


def test_a_round_scheduled_to_publish_alerts_when_it_goes_live(clock, smtp, work):
    from psm_site.publishing import publish

    clock(uk(2027, 3, 1, 8, 0))
    fund = make_fund(name="Scheduled Fund")
    follower()
    work(tick)
    fund_round = make_round(fund, published=False, opens_at=uk(2027, 3, 10, 9, 0), closes_at=uk(2027, 4, 10, 17, 0))
    fund_round.publish_at = uk(2027, 3, 2, 9, 0)
    work(lambda: publish(fund_round))
    assert not smtp.messages  # not public yet
    clock(uk(2027, 3, 2, 9, 3))
    work(tick)
    work(tick)
    [message] = smtp.messages
    assert smtp.subject(message) == "Scheduled Fund: round 1 announced"


def test_a_round_published_before_its_fund_is_announced_when_the_fund_is_published(clock, smtp, work):
    from psm_site.publishing import publish

    clock(uk(2027, 3, 1, 8, 0))
    follower()
    work(tick)
    fund = make_fund(name="Late Fund", published=False)
    make_round(fund, number=None, opens_at=uk(2027, 3, 10, 9, 0), closes_at=uk(2027, 4, 10, 17, 0))
    make_round(fund, number=2, opens_at=uk(2026, 1, 10, 9, 0), closes_at=uk(2026, 2, 10, 17, 0))  # closed
    work(tick)
    assert not smtp.messages  # the rounds are published, but their fund is not public
    work(lambda: publish(fund))
    work(tick)
    work(lambda: publish(fund))  # a second save of the fund announces nothing again
    assert [smtp.subject(m) for m in smtp.messages] == ["Late Fund: round closing 10 April 2027 announced"]


def test_a_digest_leaves_out_topics_unsubscribed_since(clock, smtp, work, settings):
    from alerts.topics import page_key

    settings.ALERTS_DIGEST_TIME = "09:30"
    clock(uk(2027, 6, 1, 10, 0))
    kept, dropped = make_guide(title="Kept guide"), make_guide(title="Dropped guide")
    follower(page_key(kept), "daily@example.org", Frequency.DAILY)
    gone = follower(page_key(dropped), "daily@example.org", Frequency.DAILY)
    work(tick)
    work(lambda: add_change_note(kept, note="Kept change."))
    work(lambda: add_change_note(dropped, note="Dropped change."))
    gone.delete()
    clock(uk(2027, 6, 2, 9, 31))
    work(tick)
    [digest] = smtp.to("daily@example.org")
    assert "Kept change." in smtp.text(digest) and "Dropped change." not in smtp.text(digest)


def test_a_round_announced_once_open_says_so_and_not_opens(clock, smtp, work):
    clock(uk(2027, 3, 10, 12, 0))
    follower()
    make_round(make_fund(name="Open Fund"), number=2, opens_at=uk(2027, 3, 1, 9, 0), closes_at=uk(2027, 3, 31, 17, 0))
    work(tick)
    [message] = [m for m in smtp.messages if "announced" in smtp.subject(m)]
    assert "Open for applications now. Closes at 5pm on Wednesday 31 March 2027." in smtp.text(message)
    assert "Opens" not in smtp.text(message)


def test_a_round_announced_with_less_than_7_days_left_gets_its_reminder_at_once(clock, smtp, work):
    clock(uk(2027, 3, 26, 12, 0))
    follower()
    work(tick)
    make_round(make_fund(name="Late Fund"), number=1, opens_at=uk(2027, 3, 20, 9, 0), closes_at=uk(2027, 3, 31, 17, 0))
    clock(uk(2027, 3, 26, 12, 2))
    work(tick)
    clock(uk(2027, 3, 26, 12, 4))
    work(tick)
    reminders = [smtp.subject(m) for m in smtp.messages if "closes" in smtp.subject(m)]
    assert reminders == ["Late Fund: round 1 closes at 5pm on Wednesday 31 March 2027"]

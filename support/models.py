"""Government support for mutuals: programmes (with the consortia that deliver them), funds and
fund rounds. Whether anything is open is computed from its dates (support.status), never typed.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from simple_history.models import HistoricalRecords

from psm_site.models import ConstraintErrorsOnFields, Publishable, PublishableQuerySet
from psm_site.publishing.schedule import live_q
from support import uktime
from support.fields import GRANT_MAXIMUM, PoundsField
from support.status import (
    UK_TIME_HELP,
    Availability,
    closing_soon_cutoff,
    deadline_day,
    end_of_uk_day,
    next_change,
    start_of_uk_day,
    status_at,
)

MARKDOWN_HELP = "Markdown: a blank line starts a new paragraph; '* ' starts a bullet."


class ClosedForGood(models.Model):
    """A programme or fund that takes no more applications, whatever its dates say."""

    closed_for_good = models.BooleanField(
        "closed for good",
        default=False,
        help_text="Tick when no further rounds or applications will follow. The site then shows it as closed, with the reason below.",
    )
    closed_reason = models.CharField(
        "reason shown when closed",
        max_length=200,
        blank=True,
        help_text="For the public, e.g. 'No further rounds.' or 'Closed for applications.'",
    )
    closed_on = models.DateField(
        "date closed for good",
        null=True,
        blank=True,
        help_text="Leave empty if the date was not announced. Do not guess.",
    )

    class Meta:
        abstract = True

    @staticmethod
    def constraint(model_name):
        """A reason or date closed only on something closed for good (shown beside 'closed for good')."""
        return models.CheckConstraint(
            condition=Q(closed_for_good=True) | (Q(closed_reason="") & Q(closed_on__isnull=True)),
            name=f"{model_name}_closed_details_only_when_closed",
            violation_error_code="closed_details_only_when_closed",
            violation_error_message="Tick 'closed for good' to use a reason or date, or clear them.",
        )

    @property
    def closed_note(self):
        """'Closed: no further rounds.' style wording for a fund or programme closed for good."""
        reason = self.closed_reason.strip()
        if not reason or reason.lower().startswith("closed"):
            return reason or "Closed."
        return f"Closed: {reason[:1].lower()}{reason[1:]}"


def _most_open(statuses):
    """The status to show for several things at once: anything open beats upcoming beats closed."""
    for status in (Availability.CLOSING_SOON, Availability.OPEN, Availability.UPCOMING):
        if status in statuses:
            return status
    return Availability.CLOSED if statuses else None


# --- Rounds -----------------------------------------------------------------------------------


class FundRoundQuerySet(PublishableQuerySet):
    def public(self, now=None):
        """Rounds the public sees: the round published, and its fund too (a round lives on its fund's page)."""
        now = now or timezone.now()
        return self.published(now).filter(live_q(now, prefix="fund__"))

    def open(self, now=None):
        """Taking applications at `now` (an unrecorded opening counts as already open)."""
        now = now or timezone.now()
        return self.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now), closes_at__gt=now)

    def closing_soon(self, now=None):
        """Open, with the deadline within settings.CLOSING_SOON_DAYS."""
        now = now or timezone.now()
        return self.open(now).filter(closes_at__lte=closing_soon_cutoff(now))

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__gt=now)

    def closed(self, now=None):
        now = now or timezone.now()
        return self.filter(closes_at__lte=now)

    def with_status(self, status, now=None):
        """Rounds whose computed status is `status` (an Availability value), for the admin's filter."""
        now = now or timezone.now()
        if status == Availability.OPEN:
            return self.open(now).exclude(pk__in=self.closing_soon(now).values("pk"))
        return {
            Availability.CLOSING_SOON: self.closing_soon,
            Availability.UPCOMING: self.upcoming,
            Availability.CLOSED: self.closed,
        }[Availability(status)](now)

    def for_index(self):
        """Rounds on 'What support is available?', each with its fund."""
        return self.public().select_related("fund__programme")

    def for_banner(self, now=None):
        """The open-round banner: rounds open at `now`, soonest deadline first, in one query."""
        return self.public().open(now).select_related("fund__programme").order_by("closes_at", "fund__name")

    def for_feed(self):
        """The calendar feed of every public round."""
        return self.public().select_related("fund__programme").order_by("closes_at", "fund__name")


class FundRound(ConstraintErrorsOnFields, Publishable):
    fund = models.ForeignKey("Fund", on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(
        "round number",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message="Round numbers start at 1.")],
        help_text="Shown as 'Round 3'. Leave empty if the fund never numbered it: the round is then named by "
        "its closing date.",
    )
    opens_at = models.DateTimeField(
        "opens",
        null=True,
        blank=True,
        help_text=f"When applications open, in {UK_TIME_HELP}. Leave the time empty for the start of the day. "
        "Leave both empty only for a past round whose opening was never recorded.",
    )
    closes_at = models.DateTimeField(
        "closes",
        help_text=f"The deadline, in {UK_TIME_HELP}. Leave the time empty if only the day was announced: "
        "the round then closes at the end of that day.",
    )
    closing_time_recorded = models.BooleanField(
        "closing time announced",
        default=True,
        help_text="Off when only the closing day is known: the site says 'Closes on Friday 29 September 2017', "
        "the calendar event is all-day, and the round closes at midnight at the end of that day.",
    )
    budget = PoundsField(
        "budget for this round",
        null=True,
        blank=True,
        help_text="In whole pounds, e.g. 1000000 for £1 million. Leave empty if not announced.",
    )
    notes = models.TextField(
        blank=True, help_text=f"Anything particular to this round, for applicants. {MARKDOWN_HELP}"
    )
    how_to_apply = models.TextField(
        "how to apply to this round",
        blank=True,
        help_text=f"Leave empty to show the fund's 'how to apply'. Hidden once the round has closed. {MARKDOWN_HELP}",
    )

    objects = FundRoundQuerySet.as_manager()
    history = HistoricalRecords()

    constraint_fields = {"round_number_unique_per_fund": "number", "round_closes_after_opening": "closes_at"}
    # A round is a section of its fund's page, not a page: site-wide lists of pages (the sitemap,
    # slug redirects) can leave it out. Its get_absolute_url() points at that section.
    has_own_page = False
    item_related = ("fund__programme",)  # its name and address (psm_site.publishing.content.public_change_notes)

    class Meta:
        ordering = ["fund", "closes_at"]
        permissions = [("publish_fundround", "Can publish and unpublish fund rounds")]
        verbose_name = "fund round"
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "number"],
                name="round_number_unique_per_fund",
                violation_error_code="round_number_unique_per_fund",
                violation_error_message="This fund already has a round with this number.",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
                violation_error_code="round_closes_after_opening",
                violation_error_message="The closing date and time must be after the opening.",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="round_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.fund}: {self.title_in_sentence}" if self.fund_id else self.title

    def get_absolute_url(self):
        return f"{self.fund.get_absolute_url()}#{self.anchor}"

    def get_calendar_url(self):
        return reverse("support:round-calendar", kwargs={"slug": self.fund.slug, "key": self.key})

    @property
    def closing_day(self):
        """The UK day of the deadline."""
        return deadline_day(self.closes_at, time_recorded=self.closing_time_recorded) if self.closes_at else None

    @property
    def key(self):
        """Its name in addresses: '3' for round 3, 'closing-2018-06-29' for a round without a number."""
        if self.number:
            return str(self.number)
        return f"closing-{self.closing_day.isoformat()}" if self.closes_at else "unnumbered"

    @property
    def anchor(self):
        return f"round-{self.key}"

    @property
    def title(self):
        """'Round 3', or, for a round the fund never numbered, 'Round closing 29 June 2018'."""
        if self.number:
            return f"Round {self.number}"
        return f"Round closing {date_format(self.closing_day, 'j F Y')}" if self.closes_at else "Round"

    @property
    def title_in_sentence(self):
        """'round 3', 'round closing 29 June 2018'."""
        return self.title[:1].lower() + self.title[1:]

    def availability_at(self, now):
        return status_at(now, opens_at=self.opens_at, closes_at=self.closes_at)

    @property
    def availability(self):
        """Upcoming, open, closing soon or closed, right now. (`status` is the publishing state.)"""
        return self.availability_at(timezone.now())

    def status_phrase(self, status):
        """(pattern, moment, words) for the round's wording at `status` (see uktime.status_phrase)."""
        return uktime.status_phrase(
            status, opens_at=self.opens_at, closes_at=self.closes_at, time_recorded=self.closing_time_recorded
        )

    @property
    def deadline_text(self):
        return uktime.deadline(self.closes_at, self.closing_time_recorded)

    @property
    def opening_text(self):
        return uktime.opening(self.opens_at) if self.opens_at else ""

    def overlapping(self, others):
        """The first of `others` (rounds of the same fund) whose dates overlap this round's.

        A round with no recorded opening is only its deadline: it overlaps a round whose open
        period contains that deadline.
        """
        if self.closes_at is None:
            return None
        start = self.opens_at or self.closes_at
        for other in others:
            if other.closes_at is None:
                continue
            other_start = other.opens_at or other.closes_at
            if (start < other.closes_at and other_start < self.closes_at) or self.closes_at == other.closes_at:
                return other
        return None

    def overlap_message(self, other):
        when = f"from {other.opening_text} " if other.opens_at else ""
        return (
            f"These dates overlap {other.title_in_sentence}, open {when}until {other.deadline_text}. "
            "Rounds of one fund cannot overlap."
        )

    def clean(self):
        super().clean()
        errors = {}
        try:
            fund = self.fund
        except Fund.DoesNotExist:
            fund = None
        still_open = self.closes_at is not None and self.closes_at > timezone.now()
        if still_open and self.opens_at is None:
            errors["opens_at"] = "Enter when this round opens. Only a round that has closed may have no opening date."
        if still_open and fund is not None and fund.closed_for_good:
            errors["closes_at"] = (
                "This fund is marked 'closed for good', so a round cannot close in the future. "
                "Untick 'closed for good' or change the dates."
            )
        # In the fund's admin page the rounds are checked against each other as submitted instead.
        if fund is not None and fund.pk and not getattr(self, "checked_with_siblings", False):
            other = self.overlapping(fund.rounds.exclude(pk=self.pk))
            if other is not None:
                errors.setdefault("opens_at" if self.opens_at else "closes_at", self.overlap_message(other))
        if errors:
            raise ValidationError(errors)


# --- Funds ------------------------------------------------------------------------------------


def rounds_prefetch(*, drafts=False):
    """A fund's rounds for its status and its page: the published ones, or all of them for a
    staff preview. (The fund's own publishing state is checked where the fund is fetched.)"""
    rounds = FundRound.objects.all() if drafts else FundRound.objects.published()
    return Prefetch("rounds", queryset=rounds, to_attr="prefetched_rounds")


class FundQuerySet(PublishableQuerySet):
    def _with_round(self, rounds):
        return Exists(rounds.filter(fund=OuterRef("pk")))

    def with_status(self, status, now=None):
        """Funds whose public status is `status`, in SQL, for the admin's filter."""
        now = now or timezone.now()
        live = FundRound.objects.published(now)
        open_now = self._with_round(live.open(now))
        soon = self._with_round(live.closing_soon(now))
        upcoming = self._with_round(live.upcoming(now))
        current = self.filter(closed_for_good=False)
        return {
            Availability.CLOSING_SOON: lambda: current.filter(soon),
            Availability.OPEN: lambda: current.filter(open_now).exclude(soon),
            Availability.UPCOMING: lambda: current.filter(upcoming).exclude(open_now),
            Availability.CLOSED: lambda: self.filter(Q(closed_for_good=True) | (~open_now & ~upcoming)),
        }[Availability(status)]()

    def for_index(self):
        """Closed funds on 'What support is available?': names and links only (the status is worked out in SQL)."""
        return self.published().with_own_pages().select_related("programme")

    def with_own_pages(self):
        """Funds with a page of their own (a programme's unnamed funding lives on the programme's page)."""
        return self.exclude(name="")

    def for_page(self, *, draft_rounds=False):
        """A fund's page: its programme, rounds (drafts too for a staff preview) and change notes."""
        return self.select_related("programme").prefetch_related(rounds_prefetch(drafts=draft_rounds), "change_notes")


class Fund(ClosedForGood, ConstraintErrorsOnFields, Publishable):
    item_related = ("programme",)  # its name and address (psm_site.publishing.content.public_change_notes)

    name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The fund's name as announced, e.g. 'Mutuals Interim Support Fund'. Leave empty when a programme's "
        "funding rounds were announced with no fund name of their own: choose the programme, and the rounds then "
        "show on the programme's page under its name.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the page's web address. Lowercase, hyphens. Changing it breaks links.",
    )
    programme = models.ForeignKey(
        "Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funds",
        help_text="The support programme this fund is part of, if any.",
    )
    summary = models.TextField(help_text="One or two sentences shown under the title and in lists.")
    max_grant = PoundsField(
        "largest grant",
        maximum=GRANT_MAXIMUM,
        null=True,
        blank=True,
        help_text="In whole pounds: 25000 shows as 'up to £25,000'. Leave empty if there is no set limit.",
    )
    min_grant = PoundsField(
        "smallest grant",
        maximum=GRANT_MAXIMUM,
        null=True,
        blank=True,
        help_text="Only where the fund sets a minimum. In whole pounds.",
    )
    total_pot = PoundsField(
        "total funding",
        null=True,
        blank=True,
        help_text="The fund's whole budget in pounds, across its rounds. Leave empty if not announced.",
    )
    uses = models.TextField("what grants can be used for", blank=True, help_text=MARKDOWN_HELP)
    who_can_apply = models.TextField(blank=True, help_text=MARKDOWN_HELP)
    how_to_apply = models.TextField(
        blank=True,
        help_text=f"Shown only while a round is open or upcoming. A round can add its own. {MARKDOWN_HELP}",
    )

    objects = FundQuerySet.as_manager()
    history = HistoricalRecords()

    constraint_fields = {
        "fund_min_grant_at_most_max": "min_grant",
        "closed_details_only_when_closed": "closed_for_good",
    }

    class Meta:
        ordering = ["name"]
        permissions = [("publish_fund", "Can publish and unpublish funds")]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_grant__isnull=True)
                | Q(max_grant__isnull=True)
                | Q(min_grant__lte=models.F("max_grant")),
                name="fund_min_grant_at_most_max",
                violation_error_code="fund_min_grant_at_most_max",
                violation_error_message="The smallest grant cannot be more than the largest grant.",
            ),
            models.CheckConstraint(
                condition=(Q(max_grant__isnull=True) | Q(max_grant__gte=0))
                & (Q(min_grant__isnull=True) | Q(min_grant__gte=0))
                & (Q(total_pot__isnull=True) | Q(total_pot__gte=0)),
                name="fund_amounts_not_negative",
                violation_error_message="Amounts cannot be negative.",
            ),
            ClosedForGood.constraint("fund"),
        ]

    def __str__(self):
        return self.name or f"{self.display_name} (its own rounds)"

    def get_absolute_url(self):
        if self.is_programme_funding:
            return self.programme.get_absolute_url()
        return reverse("support:fund-detail", kwargs={"slug": self.slug})

    @property
    def is_programme_funding(self):
        """A programme's own rounds, announced with no fund name: shown on the programme's page."""
        return not self.name and self.programme_id is not None

    @property
    def display_name(self):
        """The fund's name, or its programme's for a programme's own rounds."""
        if self.name:
            return self.name
        return self.programme.name if self.programme_id else "Fund without a name"

    def clean(self):
        super().clean()
        if not self.name.strip() and not self.programme_id:
            raise ValidationError(
                {"name": "Enter the fund's name, or choose the programme whose own rounds these are."}
            )

    def rounds_shown(self):
        """Published rounds, oldest first, or those the view prefetched (drafts too in a preview)."""
        try:
            return self.prefetched_rounds
        except AttributeError:
            return list(self.rounds.published())

    def rounds_latest_first(self):
        return sorted(self.rounds_shown(), key=lambda r: r.closes_at, reverse=True)

    @property
    def has_draft_rounds(self):
        return any(not r.is_published for r in self.rounds_shown())

    def availability_at(self, now):
        if self.closed_for_good:
            return Availability.CLOSED
        return _most_open([r.availability_at(now) for r in self.rounds_shown()]) or Availability.CLOSED

    @property
    def availability(self):
        """Open or closing soon while a round is open, upcoming while one is announced, else closed."""
        return self.availability_at(timezone.now())

    @property
    def current_rounds(self):
        """Rounds shown that have not closed yet, soonest deadline first."""
        now = timezone.now()
        return sorted(
            (r for r in self.rounds_shown() if r.availability_at(now) != Availability.CLOSED), key=lambda r: r.closes_at
        )


# --- Programmes -------------------------------------------------------------------------------


class ProgrammeQuerySet(PublishableQuerySet):
    def with_public_funds(self):
        """Each programme's published funds with their published rounds, for public_funds() and its status."""
        return self.prefetch_related(
            Prefetch(
                "funds",
                queryset=Fund.objects.published().prefetch_related(rounds_prefetch()),
                to_attr="published_funds",
            )
        )

    def for_index(self):
        """Programmes on 'What support is available?', with what their status needs."""
        return self.published().with_public_funds()

    def for_page(self):
        """A programme's page: consortia with members, funds with rounds, change notes."""
        return self.with_public_funds().prefetch_related("consortia__members", "change_notes")


# A programme's day, or words for it when no day was announced: never both.
DAY_OR_WORDS = [("launched_on", "launched_text"), ("opens_on", "opens_text"), ("closes_on", "closes_text")]


class Programme(ClosedForGood, ConstraintErrorsOnFields, Publishable):
    class Audience(models.TextChoices):
        ASPIRING = "aspiring", "Aspiring mutuals (public sector teams thinking of spinning out)"
        EXISTING = "existing", "Existing mutuals"
        BOTH = "both", "Aspiring and existing mutuals"

    name = models.CharField(max_length=200, help_text="As announced, e.g. 'Mutuals Support Programme 2'.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the page's web address. Lowercase, hyphens. Changing it breaks links.",
    )
    summary = models.TextField(help_text="One or two sentences shown under the title and in lists.")
    audience = models.CharField("who it is for", max_length=20, choices=Audience, default=Audience.BOTH)
    body = models.TextField("about the programme", blank=True, help_text=MARKDOWN_HELP)
    offers = models.TextField("what it offers", blank=True, help_text=MARKDOWN_HELP)
    eligibility = models.TextField("who can get support", blank=True, help_text=MARKDOWN_HELP)
    how_to_apply = models.TextField(blank=True, help_text=f"Hidden once the programme has closed. {MARKDOWN_HELP}")
    contact = models.TextField(
        blank=True, help_text=f"e.g. 'Email the DCMS Mutuals Team at mutuals@culture.gov.uk.' {MARKDOWN_HELP}"
    )
    total_funding = PoundsField(
        null=True,
        blank=True,
        help_text="In whole pounds: 1700000 shows as '£1.7 million'. Leave empty if not announced.",
    )
    launched_on = models.DateField(
        "announced on",
        null=True,
        blank=True,
        help_text="The day the programme was announced. Leave empty if no day is in the source.",
    )
    launched_text = models.CharField(
        "announced, when no day is in the source",
        max_length=100,
        blank=True,
        help_text="e.g. 'January 2018' or 'early 2018'. Shown instead of a date. Leave empty when the date is known.",
    )
    opens_on = models.DateField(
        "open for applications from", null=True, blank=True, help_text="Leave empty if no day was announced."
    )
    opens_text = models.CharField(
        "opening, when no day was announced", max_length=100, blank=True, help_text="e.g. 'spring 2019'."
    )
    closes_on = models.DateField(
        "last day for applications",
        null=True,
        blank=True,
        help_text="The programme closes at the end of this day, UK time. Leave empty if no day was announced.",
    )
    closes_text = models.CharField(
        "closing, when no day was announced", max_length=100, blank=True, help_text="e.g. 'March 2020'."
    )

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    constraint_fields = {
        "programme_closes_after_opening": "closes_on",
        "closed_details_only_when_closed": "closed_for_good",
        **{f"programme_{text}_only_without_a_date": text for _, text in DAY_OR_WORDS},
    }

    class Meta:
        ordering = ["name"]
        permissions = [("publish_programme", "Can publish and unpublish support programmes")]
        verbose_name = "support programme"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="programme_closes_after_opening",
                violation_error_code="programme_closes_after_opening",
                violation_error_message="The last day for applications cannot be before the first.",
            ),
            models.CheckConstraint(
                condition=Q(total_funding__isnull=True) | Q(total_funding__gte=0),
                name="programme_funding_not_negative",
                violation_error_message="Total funding cannot be negative.",
            ),
            ClosedForGood.constraint("programme"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{day}__isnull": True}) | Q(**{text: ""}),
                    name=f"programme_{text}_only_without_a_date",
                    violation_error_code=f"programme_{text}_only_without_a_date",
                    violation_error_message="Leave this empty when the exact date is known: the date is shown instead.",
                )
                for day, text in DAY_OR_WORDS
            ],
        ]

    def __str__(self):
        return self.name

    page_url_name = "support:programme-detail"

    def public_funds(self):
        """Published funds of this programme (from the page's prefetch when it made one)."""
        try:
            return self.published_funds
        except AttributeError:
            return list(self.funds.published().prefetch_related(rounds_prefetch()))

    def named_funds(self):
        """Funds with a name and page of their own."""
        return [fund for fund in self.public_funds() if fund.name]

    def own_rounds(self):
        """Rounds announced for the programme itself (its unnamed funds), latest first."""
        rounds = [r for fund in self.public_funds() if not fund.name for r in fund.rounds_shown()]
        return sorted(rounds, key=lambda r: r.closes_at, reverse=True)

    def availability_at(self, now):
        """Closed for good, or by its own dates when it has them, else by its funds' rounds.

        None when nothing is known: no dates and no funds.
        """
        if self.closed_for_good:
            return Availability.CLOSED
        if self.opens_on or self.closes_on:
            return status_at(
                now,
                opens_at=start_of_uk_day(self.opens_on) if self.opens_on else None,
                closes_at=end_of_uk_day(self.closes_on) if self.closes_on else None,
            )
        return _most_open([fund.availability_at(now) for fund in self.public_funds()])

    @property
    def availability(self):
        """Upcoming, open, closing soon, closed, or None when nothing is known yet."""
        return self.availability_at(timezone.now())


class Consortium(models.Model):
    """A group of organisations chosen to deliver a programme, e.g. MSP2's GoMutual consortium."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="consortia")
    name = models.CharField(
        max_length=200, help_text="The consortium's name without the word 'consortium', e.g. 'GoMutual'."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Consortia show in this order.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "id"]
        verbose_name_plural = "consortia"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="consortium_name_unique_per_programme",
                violation_error_message="This programme already has a consortium with this name.",
            )
        ]

    def __str__(self):
        return f"{self.name} consortium"


class ConsortiumMember(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["consortium", "position", "id"]
        verbose_name = "consortium member"

    def __str__(self):
        return self.name


def next_boundary(now):
    """The next moment any published round or programme changes status by the clock (for page caches)."""
    spans = list(FundRound.objects.published().values_list("opens_at", "closes_at"))
    for opens_on, closes_on in (
        Programme.objects.published().filter(closed_for_good=False).values_list("opens_on", "closes_on")
    ):
        spans.append(
            (
                start_of_uk_day(opens_on) if opens_on else None,
                end_of_uk_day(closes_on) if closes_on else None,
            )
        )
    moments = [next_change(now, opens_at=opens_at, closes_at=closes_at) for opens_at, closes_at in spans]
    return min((moment for moment in moments if moment is not None), default=None)

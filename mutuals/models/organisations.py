"""The registry: mutuals, the sectors and regions they are found by, and the spreadsheet imports
that fill it (each import, and its changes to published mutuals waiting for a publisher).

Shaping these rows for the map, the list and the open-data files is mutuals/registry.py's work."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mutuals.geography import pin_problem, postcode_pin_problem
from psm_site import personal_data
from psm_site.models import Publishable, PublishableQuerySet

# England's bounding box (WGS84), generous enough for the Isles of Scilly and Berwick.
ENGLAND_LATITUDE = (Decimal("49.8"), Decimal("55.9"))
ENGLAND_LONGITUDE = (Decimal("-6.5"), Decimal("1.8"))
FIRST_SPIN_OUT_YEAR = 1990
# Pages under /mutuals/ that a mutual's slug must not shadow.
RESERVED_MUTUAL_SLUGS = {"statistics", "about-this-data"}

postcode_validator = RegexValidator(
    r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$",
    "Enter a real UK postcode, like SW1A 2BQ.",
    flags=re.IGNORECASE,
)
companies_house_validator = RegexValidator(
    r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$", "A Companies House number is 8 characters, like 05555555 or SC123456."
)
mutuals_register_validator = RegexValidator(
    r"^[A-Z]{0,2}[0-9]{1,6}R?$", "A Mutuals Public Register number is digits, sometimes with letters, like 31095R."
)
charity_number_validator = RegexValidator(r"^[0-9]{6,8}(-[0-9]+)?$", "A charity number is 6 to 8 digits, like 1123456.")


def validate_spin_out_year(value):
    this_year = timezone.localdate().year
    if not FIRST_SPIN_OUT_YEAR <= value <= this_year:
        raise ValidationError(
            "Enter a year from %(first)s to %(this)s.", params={"first": FIRST_SPIN_OUT_YEAR, "this": this_year}
        )


def validate_latitude(value):
    low, high = ENGLAND_LATITUDE
    if not low <= value <= high:
        raise ValidationError("This latitude is outside England. Enter a value from 49.8 to 55.9, like 51.5074.")


def validate_longitude(value):
    low, high = ENGLAND_LONGITUDE
    if not low <= value <= high:
        raise ValidationError("This longitude is outside England. Enter a value from -6.5 to 1.8, like -0.1278.")


def normalise_postcode(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class BySlugManager(models.Manager):
    """Fixtures refer to sectors and regions by slug, not by database id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Sector(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = BySlugManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


def region_in_sentence(name):
    """A region's name as GOV.UK writes it mid-sentence: 'the North East', 'the East of England', but
    'London' and 'Yorkshire and the Humber'."""
    name = name.replace(" and The ", " and the ")
    return name if name == "London" or name.startswith("Yorkshire") else f"the {name}"


class Region(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True, help_text="E12000001 to E12000009.")

    objects = BySlugManager()

    class Meta:
        ordering = ["ons_code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("mutuals:region-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def in_sentence(self):
        return region_in_sentence(self.name)

    @property
    def summary(self):
        return f"Public service mutuals in {self.in_sentence}: by sector, the latest spin-outs, a map and the data."


class MutualQuerySet(PublishableQuerySet):
    def live(self):
        return self.filter(trading_status=Mutual.Trading.LIVE)

    def closed(self):
        return self.filter(trading_status=Mutual.Trading.CLOSED)

    def no_longer_mutual(self):
        """Still trading, but no longer meeting the definition (e.g. no longer staff-owned)."""
        return self.filter(trading_status=Mutual.Trading.NO_LONGER_MUTUAL)

    def in_region(self, region):
        return self.filter(region=region)

    def in_local_authority(self, authority):
        return self.filter(local_authority=authority)

    def in_sectors(self, sectors):
        """Mutuals working in any of these sectors."""
        return self.filter(pk__in=Mutual.sectors.through.objects.filter(sector__in=sectors).values("mutual_id"))

    def matching(self, text):
        """Name or town contains the text (case-insensitive)."""
        return self.filter(models.Q(name__icontains=text) | models.Q(town__icontains=text))

    def for_page(self):
        """A mutual's own page."""
        return self.select_related("region", "local_authority").prefetch_related("sectors", "change_notes")


class Mutual(Publishable):
    class Trading(models.TextChoices):
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"
        NO_LONGER_MUTUAL = "no_longer_mutual", "No longer a mutual"

    class LegalForm(models.TextChoices):
        CIC = "cic", "Community interest company"
        COOP = "coop", "Co-operative or community benefit society"
        CLG = "clg", "Company limited by guarantee"
        CIO = "cio", "Charitable incorporated organisation"
        EOC = "eoc", "Employee-owned company"
        OTHER = "other", "Other"

    name = models.CharField(
        max_length=200, unique=True, help_text="As the organisation writes it. A former name can go in brackets."
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of its web address: lowercase words joined by hyphens."
    )
    summary = models.CharField(max_length=300, help_text="One sentence: the services it delivers and where.")
    description = models.TextField(blank=True, help_text="Optional. Markdown: more about its services and history.")
    sectors = models.ManyToManyField(Sector, related_name="mutuals", help_text="Every sector it works in.")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="mutuals")
    town = models.CharField(max_length=100, help_text="The head office's town, or the area served.")
    address = models.TextField(blank=True, help_text="The public address, without the postcode.")
    postcode = models.CharField(max_length=8, blank=True, validators=[postcode_validator])
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        validators=[validate_latitude],
        help_text="Decimal degrees north, like 51.50740. Place the pin on the map above, or type it. "
        "The pin must lie in the region chosen above.",
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        validators=[validate_longitude],
        help_text="Decimal degrees east (negative west of Greenwich), like -0.12780.",
    )
    local_authority = models.ForeignKey(
        "places.LocalAuthority",
        # Reference data rebuilt whole by build_postcodes: no constraint, so a rebuild never touches
        # mutuals; the build's signal then recomputes every mutual's authority.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        editable=False,
        related_name="mutuals",
        help_text="Worked out from its postcode, or, with no postcode, from its pin (the nearest postcode sector). "
        "Updated whenever either changes.",
    )
    website = models.URLField(blank=True, help_text="Its homepage, starting https://")
    email = models.EmailField("public contact email", blank=True)
    spun_out_year = models.PositiveSmallIntegerField(
        "year it spun out",
        null=True,
        blank=True,
        validators=[validate_spin_out_year],
        help_text="The year it left the public sector. Leave empty if no source gives it.",
    )
    parent_body = models.CharField(
        "public body it left", max_length=200, blank=True, help_text="For example 'NHS Hull (primary care trust)'."
    )
    legal_form = models.CharField(max_length=10, choices=LegalForm, blank=True)
    ownership = models.CharField(
        "how staff own or control it",
        max_length=200,
        blank=True,
        help_text="In the source's words, e.g. 'Community interest company (staff-owned)'. The evidence for the third criterion.",
    )
    companies_house_number = models.CharField(max_length=8, blank=True, validators=[companies_house_validator])
    mutuals_register_number = models.CharField(
        "Mutuals Public Register number", max_length=10, blank=True, validators=[mutuals_register_validator]
    )
    charity_number = models.CharField(max_length=12, blank=True, validators=[charity_number_validator])
    trading_status = models.CharField(
        "trading status",
        max_length=20,
        choices=Trading,
        default=Trading.LIVE,
        db_index=True,
        help_text="Closed mutuals (ceased, merged, or taken back in-house) stay findable, marked as closed. "
        "'No longer a mutual': it still exists but no longer meets the definition; give the reason below.",
    )
    status_reason = models.CharField(
        "why it is closed or no longer a mutual",
        max_length=300,
        blank=True,
        help_text="One short sentence for the public, e.g. 'Wholly owned by Nesta since December 2021, so no longer "
        "staff-owned or controlled.'",
    )
    status_changed_on = models.DateField(
        "date of that change",
        null=True,
        blank=True,
        help_text="Leave empty if no source gives it. Do not guess.",
    )
    status_changed_month_only = models.BooleanField(
        "only the month is known",
        default=False,
        help_text="Tick if the source gives a month but no day: the site shows 'December 2021'.",
    )
    status_source_url = models.URLField(
        "source for the change", max_length=500, blank=True, help_text="Where the change of status is reported."
    )
    source_url = models.URLField("source", max_length=500, blank=True, help_text="Where these facts were checked.")
    verified_on = models.DateField(
        "details last verified",
        null=True,
        blank=True,
        help_text="When someone last checked these facts against the source.",
    )
    import_batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="created_mutuals",
        verbose_name="created by the import",
    )

    objects = MutualQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sectors], excluded_fields=["import_batch"])

    class Meta:
        ordering = ["name"]
        permissions = [("publish_mutual", "Can publish and unpublish mutuals")]
        indexes = [
            models.Index(fields=["status", "trading_status", "name"]),
            # Near a postcode: the box around the distance's circle (places.lookup.box_around).
            models.Index(fields=["latitude", "longitude"], name="mutuals_mutual_pin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=ENGLAND_LATITUDE[0], latitude__lte=ENGLAND_LATITUDE[1])
                & models.Q(longitude__gte=ENGLAND_LONGITUDE[0], longitude__lte=ENGLAND_LONGITUDE[1]),
                name="mutual_coordinates_in_england",
                violation_error_message="The coordinates must be inside England.",
            )
        ]

    def __str__(self):
        return self.name

    page_url_name = "mutuals:mutual-detail"
    PLACED_BY = ("postcode", "latitude", "longitude")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if all(name in field_names for name in cls.PLACED_BY):
            instance._placed_from = instance._place_inputs()
        return instance

    def _place_inputs(self):
        return (normalise_postcode(self.postcode), self.latitude, self.longitude)

    def save(self, *args, **kwargs):
        """Works out the local authority again when the postcode or the pin changed (or it has none)."""
        update_fields = kwargs.get("update_fields")
        moved = getattr(self, "_placed_from", None) != self._place_inputs() or self.local_authority_id is None
        if moved and (update_fields is None or set(update_fields) & set(self.PLACED_BY)):
            self.local_authority_id = self.work_out_local_authority() or None
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "local_authority"}
        super().save(*args, **kwargs)
        self._placed_from = self._place_inputs()

    def work_out_local_authority(self):
        """The local authority code from the postcode, else the pin ('' when the lookup has neither)."""
        from places.lookup import local_authority_code

        return local_authority_code(postcode=self.postcode, latitude=self.latitude, longitude=self.longitude)

    def clean(self):
        super().clean()
        if self.slug in RESERVED_MUTUAL_SLUGS:
            raise ValidationError({"slug": f"‘{self.slug}’ is used by another page of the site. Choose another."})
        if self.postcode:
            self.postcode = normalise_postcode(self.postcode)
        if self.region_id and self.latitude is not None and self.longitude is not None:
            region = self.region
            problem = pin_problem(region.ons_code, region.name, self.latitude, self.longitude)
            if problem:
                raise ValidationError({"latitude": problem})
        problem = postcode_pin_problem(self.postcode, self.latitude, self.longitude)
        if problem:
            raise ValidationError({"postcode": problem})
        if self.trading_status == self.Trading.LIVE and (self.status_reason or self.status_changed_on):
            raise ValidationError(
                {"status_reason": "A live mutual has no reason or date of closing. Change its status, or clear them."}
            )

    @property
    def is_live(self):
        return self.trading_status == self.Trading.LIVE

    # 'first published' of an imported registry record is the day of its import: not a date to
    # show the public. Pages say 'Added to this site' from the site's go-live day instead.
    first_published_is_import = True

    @property
    def added_to_site_on(self):
        """The UK day this record joined the live site: its first publication or go-live
        (settings.SITE_LIVE_ON), whichever is later; None until the site has a live date."""
        live_on = settings.SITE_LIVE_ON
        if live_on is None or self.first_published_at is None:
            return None
        return max(timezone.localdate(self.first_published_at), live_on)

    def status_changed_display(self):
        """'December 2021' when only the month is known, else '3 December 2021'; '' when unknown."""
        day = self.status_changed_on
        if not day:
            return ""
        return f"{day:%B %Y}" if self.status_changed_month_only else f"{day.day} {day:%B %Y}"

    def status_changed_machine_readable(self):
        """For <time datetime>: '2021-12' when only the month is known, else the day."""
        day = self.status_changed_on
        if not day:
            return ""
        return f"{day:%Y-%m}" if self.status_changed_month_only else day.isoformat()

    def sector_names(self):
        return [sector.name for sector in self.sectors.all()]

    def identifiers(self):
        """(label, value, public register URL) for each identifier we know."""
        found = []
        if self.companies_house_number:
            found.append(
                (
                    "Companies House number",
                    self.companies_house_number,
                    f"https://find-and-update.company-information.service.gov.uk/company/{self.companies_house_number}",
                )
            )
        if self.mutuals_register_number:
            found.append(
                (
                    "Mutuals Public Register number",
                    self.mutuals_register_number,
                    f"https://mutuals.fca.org.uk/Search/Searchresults?SearchText={self.mutuals_register_number}",
                )
            )
        if self.charity_number:
            found.append(
                (
                    "Registered charity number",
                    self.charity_number,
                    "https://register-of-charities.charitycommission.gov.uk/charity-search/-/charity-details/"
                    + self.charity_number.split("-")[0],
                )
            )
        return found


class ImportBatch(models.Model):
    """One import of a registry spreadsheet (admin, background or `import_mutuals`): who, when,
    from which file, and what it did, so that a publisher can withdraw it."""

    class Source(models.TextChoices):
        ADMIN = "admin", "Admin import"
        BACKGROUND = "background", "Admin import, run in the background"
        COMMAND = "command", "import_mutuals command"

    file_name = models.CharField("file", max_length=255, blank=True)
    source = models.CharField(max_length=20, choices=Source, default=Source.ADMIN)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    held_count = models.PositiveIntegerField("held for review", default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal = models.CharField(
        "what withdrawing did", max_length=300, blank=True, help_text="Rows deleted, unpublished and changes rejected."
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = "import"
        verbose_name_plural = "imports"

    def __str__(self):
        return f"{self.file_name or 'A spreadsheet'}, imported {timezone.localtime(self.imported_at):%d %B %Y %H:%M}"

    def summary(self) -> str:
        """'2 new, 1 updated, 1 held for review': what the import did, in the admin's words."""
        parts = [f"{self.created_count:,} new", f"{self.updated_count:,} updated"]
        if self.held_count:
            parts.append(f"{self.held_count:,} held for review")
        return ", ".join(parts)


class ImportedChange(models.Model):
    """A spreadsheet row that would change a published mutual, waiting for a publisher."""

    mutual = models.OneToOneField(Mutual, on_delete=models.CASCADE, related_name="imported_change")
    file_name = models.CharField("imported from", max_length=255, blank=True)
    row = models.JSONField(help_text="The spreadsheet row as imported, by column.")
    changes = models.JSONField(help_text="[column, now, after the change] for each column the row changes.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="held_changes", editable=False
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = "change by import waiting for review"
        verbose_name_plural = "changes by import waiting for review"

    def __str__(self):
        return f"{self.mutual}: {len(self.changes)} change(s) from {self.file_name or 'a spreadsheet'}"


# The register of personal data (psm_site/personal_data.py): a mutual's address and email are an
# organisation's published contact details, from public sources, not a person's.
personal_data.not_personal("mutuals.Mutual.address", "an organisation's published postal address")
personal_data.not_personal("mutuals.Mutual.email", "an organisation's published contact address")

"""The explainer: guides (the definition, the benefits, the research charted) and research
publications with their findings and PDF attachments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from mutuals.validators import read_pdf, validate_pdf_upload
from psm_site.models import ConstraintErrorsOnFields, Government, Publishable, PublishableQuerySet

ORGANISATION_HELP = (
    "Leave empty for the site's publishing organisation, shown by its current name. Fill in only when "
    "someone else published it, e.g. 'Social Enterprise UK, commissioned by DCMS'."
)
GOVERNMENT_HELP = (
    "The government it was published under. Once that government has left office the page shows "
    "GOV.UK's history banner."
)


class HistoryModeMixin(models.Model):
    """Who published it (empty: the site's organisation) and under which government."""

    government = models.ForeignKey(
        Government,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=GOVERNMENT_HELP,
    )

    class Meta:
        abstract = True

    @property
    def publisher(self):
        return self.organisation or settings.ORGANISATION["name"]

    @property
    def is_historical(self):
        """Published under a government that has since left office (GOV.UK's history mode)."""
        return self.government is not None and not self.government.in_office


# --- Research -------------------------------------------------------------------------------


class PublicationQuerySet(PublishableQuerySet):
    def for_list(self):
        """The research list: publications with their attachments."""
        return self.prefetch_related("attachments")

    def for_page(self):
        """A publication's page: attachments, findings and change notes in one go each."""
        return self.select_related("government").prefetch_related("attachments", "findings", "change_notes")


class Publication(HistoryModeMixin, Publishable):
    title = models.CharField(max_length=200, help_text="The report's full title, as on its cover.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the page's web address. Lowercase, hyphens."
    )
    published_on = models.DateField(
        "publication date",
        null=True,
        blank=True,
        help_text="Leave empty if the date is not known. Do not guess.",
    )
    month_only = models.BooleanField(
        "only the month is known",
        default=False,
        help_text="Tick if the report gives a month but no day: the site shows 'February 2017'.",
    )
    organisation = models.CharField("published by", max_length=200, blank=True, help_text=ORGANISATION_HELP)
    summary = models.TextField(help_text="One or two sentences shown in lists and search results.")
    body = models.TextField(
        "description",
        blank=True,
        help_text="Optional longer description, in Markdown. Use ## for headings.",
    )

    objects = PublicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("published_on").desc(nulls_last=True), "title"]
        permissions = [("publish_publication", "Can publish and unpublish research publications")]
        verbose_name = "research publication"

    def __str__(self):
        return self.title

    page_url_name = "mutuals:publication-detail"

    def date_display(self):
        """'February 2017' when only the month is known, else '3 April 2017'; '' when unknown."""
        if not self.published_on:
            return ""
        return f"{self.published_on:%B %Y}" if self.month_only else f"{self.published_on.day} {self.published_on:%B %Y}"

    def date_machine_readable(self):
        """For <time datetime>: '2017-02' when only the month is known (HTML allows it), else the day."""
        if not self.published_on:
            return ""
        return f"{self.published_on:%Y-%m}" if self.month_only else self.published_on.isoformat()

    def findings_by_group(self):
        """Findings grouped for the chart, groups in a fixed order, each group in editor order."""
        order = {value: index for index, value in enumerate(Finding.Group.values)}
        findings = sorted(self.findings.all(), key=lambda f: (order[f.group], f.position, f.pk))
        groups = []
        for finding in findings:
            if not groups or groups[-1][0] != finding.group:
                groups.append((finding.group, finding.get_group_display(), []))
            groups[-1][2].append(finding)
        return groups


class Finding(models.Model):
    class Group(models.TextChoices):
        SERVICES = "services", "Services"
        WORKFORCE = "workforce", "Workforce"
        VALUE = "value", "Value for money"
        WHY = "why", "Where the benefits come from"
        FINANCES = "finances", "Finances and growth"
        LEADERSHIP = "leadership", "Leadership"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="findings")
    group = models.CharField(max_length=20, choices=Group, help_text="Findings are charted together by group.")
    statement = models.CharField(
        max_length=200,
        help_text="What the percentage measures, read after the figure: e.g. 'say they provide more innovative services'.",
    )
    percentage = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="A whole number from 0 to 100."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its group.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["publication", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percentage__lte=100),
                name="finding_percentage_at_most_100",
                violation_error_message="A percentage cannot be more than 100.",
            )
        ]

    def __str__(self):
        return f"{self.percentage}% {self.statement}"


def human_size(size_bytes: int) -> str:
    """GOV.UK's attachment sizes, as its style guide writes them: '953KB', '1.2MB' (1KB = 1,024 bytes)."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{round(size_bytes / 1024)}KB"
    return f"{size_bytes / (1024 * 1024):.1f}MB"


def attachment_path(instance, filename):
    return f"attachments/{slugify(instance.publication.slug)}/{slugify(filename.rsplit('.', 1)[0]) or 'file'}.pdf"


class AttachmentQuerySet(models.QuerySet):
    def hosted_documents(self):
        """(title, url) of every PDF file this site serves on a published page, for the
        accessibility statement: none of them has been checked as accessible."""
        rows = self.filter(publication__status=Publishable.Status.PUBLISHED).exclude(file="").order_by("title")
        return [(attachment.title, attachment.file.url) for attachment in rows]


class Attachment(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200, help_text="Usually the publication's title.")
    file = models.FileField(
        upload_to=attachment_path,
        blank=True,
        validators=[validate_pdf_upload],
        help_text="A PDF. Its size and number of pages are read from the file when you save.",
    )
    size_bytes = models.PositiveBigIntegerField(
        "size in bytes",
        null=True,
        blank=True,
        help_text="Only for an attachment without a file: the size as published elsewhere. Filled in from an uploaded file.",
    )
    page_count = models.PositiveIntegerField(
        "number of pages",
        null=True,
        blank=True,
        help_text="Only for an attachment without a file. Filled in from an uploaded file.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = AttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["publication", "position", "id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            facts = read_pdf(self.file.file)
            self.size_bytes, self.page_count = facts.size_bytes, facts.page_count
        super().save(*args, **kwargs)

    @property
    def description(self):
        """GOV.UK attachment metadata: 'PDF, 953KB, 45 pages'."""
        parts = ["PDF"]
        if self.size_bytes:
            parts.append(human_size(self.size_bytes))
        if self.page_count:
            parts.append(f"{self.page_count} page{'s' if self.page_count != 1 else ''}")
        return ", ".join(parts)


# --- Guides ---------------------------------------------------------------------------------


class GuideQuerySet(PublishableQuerySet):
    def for_page(self):
        """Everything a guide page shows, in a fixed number of queries."""
        return self.select_related("government").prefetch_related(
            "criteria",
            "benefits",
            "change_notes",
            Prefetch(
                "sections",
                queryset=GuideSection.objects.select_related("publication").prefetch_related(
                    "publication__findings", "publication__attachments"
                ),
            ),
        )


class Guide(HistoryModeMixin, Publishable):
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The page's web address after the domain: lowercase words joined by hyphens. If you change it "
        "once the guide is published, the old address redirects to the new one automatically.",
    )
    summary = models.TextField(help_text="One sentence under the title, also used by search engines.")
    organisation = models.CharField("from", max_length=200, blank=True, help_text=ORGANISATION_HELP)
    applies_to = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown as 'Applies to: England'. Leave empty unless a source says where the guidance applies.",
    )

    objects = GuideQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_guide", "Can publish and unpublish guides")]

    def __str__(self):
        return self.title

    page_url_name = "mutuals:guide-detail"


class GuideSection(ConstraintErrorsOnFields, models.Model):
    class Block(models.TextChoices):
        NONE = "", "Text only"
        CRITERIA = "criteria", "The definition's criteria (numbered list)"
        REGISTRY_COUNT = (
            "registry_count",
            "How many mutuals there are, counted from the registry, with a link to the map",
        )
        BENEFITS = "benefits", "The benefits, by audience"
        FINDINGS = "findings", "A chart of a publication's research findings"
        OPEN_ROUNDS = "open_rounds", "A banner naming any fund round open now (shown only while one is open)"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0, help_text="Sections show in this order.")
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="Appears in the page's contents list. Leave empty to continue the section above.",
    )
    body = models.TextField("text before", blank=True, help_text="Markdown. Use ### for a subheading.")
    block = models.CharField(
        "structured content",
        max_length=20,
        choices=Block,
        blank=True,
        default=Block.NONE,
        help_text="Content kept in its own fields (criteria, benefits, findings), shown after the text.",
    )
    publication = models.ForeignKey(
        Publication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a findings chart: the publication whose findings to show.",
    )
    body_after = models.TextField("text after", blank=True, help_text="Markdown shown after the structured content.")
    history = HistoricalRecords()

    constraint_fields = {"section_findings_need_a_publication": "publication"}

    class Meta:
        ordering = ["guide", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(block="findings") | Q(publication__isnull=False),
                name="section_findings_need_a_publication",
                violation_error_code="section_findings_need_a_publication",
                violation_error_message="Choose the publication whose findings the chart shows.",
            )
        ]

    def __str__(self):
        return self.heading or f"(continued, position {self.position})"

    @property
    def anchor(self):
        return slugify(self.heading)


class Criterion(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300, help_text="One criterion, completing 'an organisation which…'.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["guide", "position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.text


class Benefit(models.Model):
    class Audience(models.TextChoices):
        EMPLOYEES = "employees", "For employees"
        SERVICE_USERS = "service_users", "For service users"
        COMMISSIONERS = "commissioners", "For commissioners and taxpayers"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="benefits")
    audience = models.CharField(max_length=20, choices=Audience)
    text = models.TextField(help_text="Plain text: what the mutual model offers this audience.")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["guide", "position", "id"]

    def __str__(self):
        return f"{self.get_audience_display()}: {self.text[:50]}"

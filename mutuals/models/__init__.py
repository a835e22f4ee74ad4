"""The app's models in two modules: explainer.py (guides and research publications) and
organisations.py (the registry of mutuals, their sectors and regions, and its imports).

Import from here (`from mutuals.models import Mutual`): every public name of both is here too,
which the migrations rely on (`mutuals.models.validate_latitude`, `mutuals.models.attachment_path`).
"""

# ruff: noqa: F401 - every import here is a re-export

from mutuals.models.explainer import (
    GOVERNMENT_HELP,
    ORGANISATION_HELP,
    Attachment,
    AttachmentQuerySet,
    Benefit,
    Criterion,
    Finding,
    Guide,
    GuideQuerySet,
    GuideSection,
    HistoryModeMixin,
    Publication,
    PublicationQuerySet,
    attachment_path,
    human_size,
)
from mutuals.models.organisations import (
    ENGLAND_LATITUDE,
    ENGLAND_LONGITUDE,
    FIRST_SPIN_OUT_YEAR,
    RESERVED_MUTUAL_SLUGS,
    BySlugManager,
    ImportBatch,
    ImportedChange,
    Mutual,
    MutualQuerySet,
    Region,
    Sector,
    charity_number_validator,
    companies_house_validator,
    mutuals_register_validator,
    normalise_postcode,
    postcode_validator,
    region_in_sentence,
    validate_latitude,
    validate_longitude,
    validate_spin_out_year,
)

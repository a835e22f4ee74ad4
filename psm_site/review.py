"""Review before publishing: an editor submits an item, a publisher approves it or sends it back.

Each step is a ReviewRequest row (shown in the item's History); publishers are emailed when an
item is submitted, if the site can send email.
"""

import logging
import smtplib

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from psm_site.models import ReviewRequest
from psm_site.publishing import publish, publish_permission

logger = logging.getLogger(__name__)


def waiting_review(item) -> ReviewRequest | None:
    return (
        ReviewRequest.objects.waiting()
        .filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        .first()
    )


def publishers_of(model):
    """Active staff who may publish this kind of item (by group or by their own rights)."""
    app_label, codename = publish_permission(model).split(".")
    has_right = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(has_right | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
    )


@transaction.atomic
def submit_for_review(item, *, user, message: str, change_url: str = "") -> tuple[ReviewRequest, bool]:
    """Ask publishers to review `item`. Returns the request and whether publishers were emailed."""
    review = ReviewRequest.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        item_title=str(item)[:300],
        message=message.strip(),
        requested_by=user,
    )
    recipients = list(publishers_of(type(item)).values_list("email", flat=True))
    emailed = False
    if recipients:
        body = (
            f"{user.get_full_name() or user.get_username()} asks for a review of "
            f"the {item._meta.verbose_name} ‘{item}’.\n\n"
            + (f"Their message:\n{review.message}\n\n" if review.message else "")
            + (f"Review it here: {change_url}\n" if change_url else "")
        )
        try:
            send_mail(f"Waiting for review: {item}", body, None, recipients)
            emailed = True
        except (OSError, smtplib.SMTPException):
            logger.warning("Review email not sent: the mail server could not be reached.")
    return review, emailed


@transaction.atomic
def approve(review: ReviewRequest, *, user, comment: str = "") -> None:
    """Publish the item (its first publication, or a change already saved) and close the request."""
    item = review.item
    if not item.is_published:
        publish(item)
    review.state, review.decided_by, review.decided_at, review.comment = (
        ReviewRequest.State.APPROVED,
        user,
        timezone.now(),
        comment.strip(),
    )
    review.save()


@transaction.atomic
def send_back(review: ReviewRequest, *, user, comment: str) -> None:
    review.state, review.decided_by, review.decided_at, review.comment = (
        ReviewRequest.State.SENT_BACK,
        user,
        timezone.now(),
        comment.strip(),
    )
    review.save()


def last_decision(item) -> ReviewRequest | None:
    """The latest decided review, so an editor sees a publisher's comment on the edit page."""
    return (
        ReviewRequest.objects.filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        .exclude(state=ReviewRequest.State.WAITING)
        .select_related("decided_by")
        .first()
    )

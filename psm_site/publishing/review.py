"""Review before publishing: an editor submits an item, a publisher approves it or sends it back.

Each step is a ReviewRequest row (shown in the item's History); publishers are emailed when an
item is submitted, and the editor when it is approved or sent back, if the site can send email.
"""

import logging
import smtplib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from psm_site.models import ReviewRequest
from psm_site.publishing.actions import publish, publish_permission

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
        emailed = _send(f"Waiting for review: {item}", body, recipients)
    return review, emailed


def _send(subject, body, recipients) -> bool:
    try:
        send_mail(subject, body, None, recipients)
    except (OSError, smtplib.SMTPException):
        logger.warning("Review email not sent: the mail server could not be reached.")
        return False
    return True


def tell_editor(review: ReviewRequest, *, change_url: str = "") -> bool:
    """Email the editor who asked for the review what the publisher decided (if they have an address)."""
    editor = review.requested_by
    if editor is None or not editor.email:
        return False
    decided = "approved and published" if review.state == ReviewRequest.State.APPROVED else "sent back to you"
    decider = review.decided_by
    publisher = (decider.get_full_name() or decider.get_username()) if decider else "A publisher"
    body = (
        f"{publisher} {decided.replace(' to you', '')} ‘{review.item_title}’.\n\n"
        + (f"Their comment:\n{review.comment}\n\n" if review.comment else "")
        + (f"Open it here: {change_url}\n" if change_url else "")
    )
    subject = (
        "Approved: " if review.state == ReviewRequest.State.APPROVED else "Sent back to you: "
    ) + review.item_title
    return _send(subject, body, [editor.email])


def _decide(review: ReviewRequest, state, *, user, comment: str, change_url: str) -> None:
    review.state, review.decided_by, review.decided_at, review.comment = state, user, timezone.now(), comment.strip()
    review.save()
    tell_editor(review, change_url=change_url)


@transaction.atomic
def approve(review: ReviewRequest, *, user, comment: str = "", change_url: str = "") -> None:
    """Publish the item (its first publication; a draft revision is applied by its admin first)
    and close the request."""
    item = review.item
    if not item.is_published:
        publish(item)
    _decide(review, ReviewRequest.State.APPROVED, user=user, comment=comment, change_url=change_url)


@transaction.atomic
def send_back(review: ReviewRequest, *, user, comment: str, change_url: str = "") -> None:
    _decide(review, ReviewRequest.State.SENT_BACK, user=user, comment=comment, change_url=change_url)


def decided_for(user, *, days: int = 30):
    """The user's own review requests decided in the last `days` days, newest first, for their admin home."""
    since = timezone.now() - timedelta(days=days)
    return (
        ReviewRequest.objects.filter(requested_by=user, decided_at__gte=since)
        .exclude(state=ReviewRequest.State.WAITING)
        .select_related("content_type", "decided_by")
        .order_by("-decided_at")
    )


def last_decision(item) -> ReviewRequest | None:
    """The latest decided review, so an editor sees a publisher's comment on the edit page."""
    return (
        ReviewRequest.objects.filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        .exclude(state=ReviewRequest.State.WAITING)
        .select_related("decided_by")
        .first()
    )

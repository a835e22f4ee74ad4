"""The admin home page's own lists: work waiting for review and what is scheduled."""

from django import template
from django.urls import reverse
from django.utils import timezone

from psm_site.models import ReviewRequest
from psm_site.publishing.actions import can_publish
from psm_site.publishing.content import publishable_models
from psm_site.publishing.review import decided_for

register = template.Library()


def change_url(model, pk):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


@register.simple_tag
def waiting_for_review(user):
    """Requests this user may decide (they can publish that kind of item), oldest first."""
    waiting = ReviewRequest.objects.waiting().select_related("content_type", "requested_by").order_by("requested_at")
    rows = []
    for review in waiting:
        model = review.content_type.model_class()
        if model is not None and can_publish(user, model):
            rows.append(
                {
                    "review": review,
                    "url": reverse(
                        f"admin:{model._meta.app_label}_{model._meta.model_name}_review", args=[review.object_id]
                    ),
                    "kind": model._meta.verbose_name,
                }
            )
    return rows


@register.simple_tag
def decided_reviews(user):
    """The user's own requests a publisher has decided lately: (sent back, approved) rows."""
    sent_back, approved, seen = [], [], set()
    latest = {}  # an item sent back and submitted again is no longer 'sent back'
    for content_type_id, object_id, requested_at in ReviewRequest.objects.filter(requested_by=user).values_list(
        "content_type_id", "object_id", "requested_at"
    ):
        key = (content_type_id, object_id)
        latest[key] = max(latest.get(key, requested_at), requested_at)
    for review in decided_for(user):
        key = (review.content_type_id, review.object_id)
        if review.state == ReviewRequest.State.SENT_BACK and (key in seen or latest[key] > review.requested_at):
            continue
        seen.add(key)
        model = review.content_type.model_class()
        if model is None:
            continue
        row = {"review": review, "url": change_url(model, review.object_id), "kind": model._meta.verbose_name}
        (approved if review.state == ReviewRequest.State.APPROVED else sent_back).append(row)
    return {"sent_back": sent_back, "approved": approved}


@register.simple_tag
def scheduled_items(user):
    """Published items with a publish or unpublish time still to come, soonest first."""
    now = timezone.now()
    rows = []
    for model in publishable_models():
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            continue
        for item in model.objects.scheduled(now):
            upcoming = [
                (t, label)
                for t, label in [(item.publish_at, "Goes live"), (item.unpublish_at, "Comes off")]
                if t and t > now
            ]
            when, what = min(upcoming)
            rows.append(
                {
                    "item": item,
                    "kind": model._meta.verbose_name,
                    "when": when,
                    "what": what,
                    "url": change_url(model, item.pk),
                }
            )
    return sorted(rows, key=lambda row: row["when"])

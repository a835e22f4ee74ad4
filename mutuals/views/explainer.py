"""The explainer's pages: a guide, the research list and a publication."""

from django.shortcuts import render
from django.utils import timezone

from mutuals.models import Guide, Publication
from psm_site.blocks import per_generation
from psm_site.publishing.actions import get_for_request, preview_aware
from psm_site.web.cache import dated, public_page


@public_page
def guide_detail(request, slug):
    guide, is_preview = get_for_request(request, Guide.objects.for_page(), kept_as="guide page", slug=slug)
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": guide.title,
        "description": guide.summary,
        "url": request.build_absolute_uri(guide.get_absolute_url()),
        "publisher": {"@type": "GovernmentOrganization", "name": guide.publisher},
        "inLanguage": "en-GB",
    }
    if guide.first_published_at:
        # Days only: the pages show no time of day, and the sources give none.
        json_ld["datePublished"] = timezone.localdate(guide.first_published_at).isoformat()
        json_ld["dateModified"] = timezone.localdate(guide.last_updated_at or guide.first_published_at).isoformat()
    context = {"guide": guide, "is_preview": is_preview, "json_ld": json_ld}
    response = render(request, "mutuals/guide_detail.html", context)
    return preview_aware(dated(response, guide.last_updated_at or guide.first_published_at), is_preview)


@public_page
def publication_list(request):
    publications = per_generation("research list", lambda: list(Publication.objects.published().for_list()))
    return render(request, "mutuals/publication_list.html", {"publications": publications})


@public_page
def publication_detail(request, slug):
    publication, is_preview = get_for_request(
        request, Publication.objects.for_page(), kept_as="publication page", slug=slug
    )
    response = render(
        request, "mutuals/publication_detail.html", {"publication": publication, "is_preview": is_preview}
    )
    return preview_aware(dated(response, publication.last_updated_at or publication.first_published_at), is_preview)

from django.shortcuts import render
from django.views.decorators.http import require_GET

from mutuals.models import Guide, Publication
from psm_site.publishing import get_for_request, preview_aware


@require_GET
def guide_detail(request, slug):
    guide, is_preview = get_for_request(request, Guide.objects.for_page(), slug=slug)
    response = render(request, "mutuals/guide_detail.html", {"guide": guide, "is_preview": is_preview})
    return preview_aware(response, is_preview)


@require_GET
def publication_list(request):
    publications = Publication.objects.published().for_list()
    return render(request, "mutuals/publication_list.html", {"publications": publications})


@require_GET
def publication_detail(request, slug):
    publication, is_preview = get_for_request(request, Publication.objects.for_page(), slug=slug)
    response = render(
        request, "mutuals/publication_detail.html", {"publication": publication, "is_preview": is_preview}
    )
    return preview_aware(response, is_preview)

"""Site-wide views: home, search, updates, site pages, feedback, health and errors."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_safe

from psm_site.blocks import per_generation
from psm_site.models import Feedback, Page
from psm_site.pages.forms import ProblemForm, SearchForm, UsefulForm, clean_path
from psm_site.pages.pagination import get_page_or_404, page_links
from psm_site.pages.search import search as site_search
from psm_site.pages.statements import facts_for
from psm_site.publishing.actions import get_for_request, preview_aware
from psm_site.publishing.content import public_change_notes
from psm_site.web.cache import dated, public_page
from psm_site.web.limits import feedback_limit, rate_limit, search_limit

RESULTS_PER_PAGE = 10
UPDATES_PER_PAGE = 30
HOME_UPDATES = 5


@public_page
def home(request):
    # The same for every visitor until something changes: read once per content generation.
    updates = per_generation("home updates", lambda: list(public_change_notes()[:HOME_UPDATES]))
    return render(request, "home.html", {"updates": updates})


@public_page(params=["q", "page"])
@rate_limit("search", search_limit, fail_open=True, methods=("GET", "HEAD"))
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "query": "", "page": None}
    if not form.is_valid():
        return render(request, "search.html", context, status=400)
    query = form.cleaned_data["q"]
    context["query"] = query
    if query:
        results = site_search(query)
        page = get_page_or_404(results, RESULTS_PER_PAGE, request.GET.get("page"))
        links = page_links(page, lambda number: "?" + urlencode({"q": query, "page": number}))
        context.update(page=page, results=results, page_links=links)
    return render(request, "search.html", context)


@public_page(params=["page"])
def updates(request):
    page = get_page_or_404(public_change_notes(), UPDATES_PER_PAGE, request.GET.get("page"))
    links = page_links(page, lambda number: f"?page={number}")
    return render(request, "updates.html", {"page": page, "page_links": links})


@public_page
def page_detail(request, slug):
    page, is_preview = get_for_request(
        request, Page.objects.prefetch_related("change_notes"), kept_as="help page", slug=slug
    )
    context = {"page": page, "is_preview": is_preview, "facts": facts_for(page)}
    response = render(request, "page.html", context)
    return preview_aware(dated(response, page.last_updated_at or page.first_published_at), is_preview)


# --- Feedback ------------------------------------------------------------------------------------


def _thanks(path):
    return HttpResponseRedirect(reverse("feedback-thanks") + "?" + urlencode({"path": path}))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("feedback", feedback_limit, fail_open=True)
def feedback_useful(request):
    if request.method != "POST":
        # The Yes and No buttons on every page ask for this small form, which carries the CSRF
        # token: so content pages need no token and no cookie, and stay cacheable.
        form = UsefulForm(request.GET)
        if not form.is_valid():
            return render(request, "feedback/invalid.html", status=400)
        return render(request, "feedback/useful.html", {"form": form})
    form = UsefulForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/invalid.html", status=400)
    useful = form.cleaned_data["useful"] == "yes"
    Feedback.objects.create(path=form.cleaned_data["path"], useful=useful)
    if useful:
        return _thanks(form.cleaned_data["path"])
    return HttpResponseRedirect(reverse("feedback-problem") + "?" + urlencode({"path": form.cleaned_data["path"]}))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("feedback", feedback_limit, fail_open=True)
def feedback_problem(request):
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            Feedback.objects.create(path=form.cleaned_data["path"], what_wrong=form.cleaned_data["what_wrong"])
            return _thanks(form.cleaned_data["path"])
        if "path" in form.errors:
            return render(request, "feedback/invalid.html", status=400)
        return render(request, "feedback/problem.html", {"form": form}, status=400)
    form = ProblemForm(initial={"path": _safe_path(request.GET.get("path", "/"))})
    return render(request, "feedback/problem.html", {"form": form})


@never_cache
@require_safe
def feedback_thanks(request):
    return render(request, "feedback/thanks.html", {"back": _safe_path(request.GET.get("path", "/"))})


def _safe_path(value):
    try:
        return clean_path(value[:300])
    except ValidationError:
        return "/"


# --- Health, robots and errors -------------------------------------------------------------------


@cache_control(public=True, max_age=86400)
@require_safe
def favicon(request):
    return HttpResponseRedirect(static("images/favicon.svg"))


@cache_control(public=True, max_age=3600)
@require_safe
def robots_txt(request):
    lines = ["User-agent: *"]
    if settings.ROBOTS_DISALLOW_ALL:
        lines.append("Disallow: /")
    else:
        lines += [
            "Disallow: /search/",
            f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",  # the public name, not the request's Host
        ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

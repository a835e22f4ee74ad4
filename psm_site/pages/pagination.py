"""GOV.UK pagination shared by every paged list (search, updates, Find a mutual)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404


def get_page_or_404(items, per_page, number, *, count=None):
    """The requested page, or a 404 for 'abc', '0' or a page past the end.

    Pass `count` when it is already known, to save the paginator its COUNT query.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("There is no such page.") from None


def page_links(page, href):
    """Previous, next and numbered links (with ellipses) for includes/pagination.html.

    `href(number)` builds the link to a page, keeping whatever else the URL holds.
    """
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None
    wanted = {1, paginator.num_pages, page.number - 1, page.number, page.number + 1}
    items, last = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= paginator.num_pages):
        if number - last > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.number})
        last = number
    return {
        "items": items,
        "previous": href(page.number - 1) if page.has_previous() else None,
        "next": href(page.number + 1) if page.has_next() else None,
    }

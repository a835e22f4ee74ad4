"""Reflow (WCAG 1.4.10): every page of the walk at 320 CSS pixels wide, as at 400% zoom on a
1280-pixel screen, scrolls only up and down. The one exception WCAG allows, a data table, must sit in
a scroll container of its own that the keyboard can reach (tabindex="0") and that has a caption."""

import pytest

from tests.browser.test_walk import OFFSITE, content, walk_pages  # noqa: F401 - content is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 320

MEASURE = """() => {
  const root = document.documentElement;
  const wide = root.scrollWidth > root.clientWidth;
  const culprits = wide ? [...document.querySelectorAll('body *')].filter(el => {
      const box = el.getBoundingClientRect();
      return box.right > root.clientWidth + 1 && !el.closest('[data-psm-scroll], .psm-table-scroll');
    }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      ' ' + Math.round(el.getBoundingClientRect().right)) : [];
  const containers = [...document.querySelectorAll('body *')].filter(el => {
      const style = getComputedStyle(el);
      return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    }).map(el => ({
      focusable: el.tabIndex >= 0,
      captioned: !!el.querySelector('table caption'),
      name: el.className,
    }));
  return {width: root.scrollWidth, culprits, containers};
}"""


@pytest.mark.usefixtures("content")
def test_no_page_scrolls_sideways_at_320_css_pixels(live_server, browser):
    pages = walk_pages()
    context = browser.new_context(viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    page.route(OFFSITE, lambda route: route.abort())
    too_wide, bad_containers = {}, {}
    for url in pages:
        page.goto(live_server.url + url)
        found = page.evaluate(MEASURE)
        if found["width"] > WIDTH:
            too_wide[url] = (found["width"], found["culprits"])
        bad = [c for c in found["containers"] if not (c["focusable"] and c["captioned"])]
        if bad:
            bad_containers[url] = bad
    context.close()
    assert len(pages) > 50
    assert too_wide == {}, "\n".join(f"{u}: {w} {c}" for u, (w, c) in too_wide.items())
    assert bad_containers == {}

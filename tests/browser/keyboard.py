"""Moving the focus as a keyboard user does."""


def tab_to(page, selector, limit=250):
    """Press Tab until the element matching `selector` has the focus, and return it.

    One press at a time: Tab past an element has effects a test can see (a map region's label
    stays on screen for Leaflet's 200 ms fade), so it never presses further than the element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return page.locator("*:focus")
    raise AssertionError(f"Tab never reached {selector}")

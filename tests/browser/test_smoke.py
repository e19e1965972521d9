import pytest
from django.urls import reverse

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signed_in_user_opens_every_navigation_page(signed_in_page, live_server, user):
    user.is_staff = True
    user.is_superuser = True
    user.save()
    page = signed_in_page
    page.reload()
    links = page.locator("nav[aria-label=Main] a")
    labels = links.all_inner_texts()
    assert labels == [
        "Timer",
        "Week",
        "Procedures",
        "Journal",
        "Catalog",
        "Work queue",
        "Decisions",
        "Admin",
    ]
    for label in labels:
        page.locator("nav[aria-label=Main] a", has_text=label).first.click()
        page.wait_for_load_state("networkidle")
        assert page.title().endswith(("· Worklog", "Django site admin"))
        screenshot(page, label.lower().replace(" ", "-"))
        if label != "Admin":
            # htmx loaded from our static files and initialised under the strict CSP.
            assert page.evaluate("typeof htmx.ajax") == "function"
            current = page.locator("nav[aria-label=Main] a[aria-current=page]")
            assert current.inner_text() == label


def test_help_overlay_opens_with_question_mark_and_not_while_typing(signed_in_page):
    page = signed_in_page
    page.goto(page.url.split("#")[0] + "accounts/profile/")
    dialog = page.locator("#shortcuts-help")
    page.locator("input[name=first_name]").focus()
    page.keyboard.type("?")
    assert not dialog.is_visible()
    assert page.locator("input[name=first_name]").input_value() == "?"
    page.locator("h1").click()
    page.keyboard.press("?")
    assert dialog.is_visible()
    assert "Go to Journal" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.keyboard.press("g")
    page.keyboard.press("j")
    page.wait_for_url("**/journal/")


def test_profile_time_zone_round_trip_in_browser(signed_in_page, live_server, user):
    page = signed_in_page
    page.goto(live_server.url + reverse("core:profile"))
    page.select_option("select[name=time_zone]", "America/New_York")
    page.click("text=Save profile")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=current-zone]").inner_text() == "America/New_York"
    assert "Profile saved." in page.locator("#messages").inner_text()
    user.refresh_from_db()
    assert user.time_zone == "America/New_York"


def test_layout_fits_a_phone_width_screen(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.locator("nav[aria-label=Main]").is_visible()
    screenshot(page, "phone-timer")


def test_htmx_adds_no_style_sheet_of_its_own(signed_in_page):
    """htmx's indicator style sheet is not among the styles the CSP admits."""
    page = signed_in_page
    assert page.evaluate("typeof htmx.ajax") == "function"
    assert page.evaluate("document.adoptedStyleSheets.length") == 0


def test_a_style_the_csp_refuses_is_reported_as_a_problem(signed_in_page, problems):
    page = signed_in_page
    page.evaluate("document.querySelector('h1').setAttribute('style', 'color: red')")
    page.wait_for_function("() => true")
    reported = [error for error in problems.errors if "CSP refused style-src" in error]
    assert reported, problems.errors
    problems.errors.clear()

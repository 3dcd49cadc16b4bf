"""A secretary logs in, reads the Chinese navigation, switches to English and logs out."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_secretary_logs_in_switches_language_and_logs_out(page, live_server, log_in):
    log_in("sec1")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(nav.get_by_role("link", name="组织架构")).to_be_visible()
    expect(page.locator(".user-unit")).to_have_text("办公室党支部")

    page.get_by_role("button", name="English").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{live_server}/home")
    expect(page).to_have_url(f"{live_server}/login?next=/home")


def test_phone_width_menu_opens_and_pages_fit(page, live_server, log_in):
    page.set_viewport_size({"width": 375, "height": 740})
    log_in("leader")
    toggle = page.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(page.get_by_role("link", name="组织架构")).to_be_hidden()
    toggle.click()
    page.get_by_role("link", name="组织架构").click()
    expect(page.get_by_role("heading", name="党组织架构")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width ({width}px)"


def test_no_csp_violations_while_browsing(page, live_server, log_in):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in("admin")
    for path in ["/home", "/orgs/", "/users/"]:
        page.goto(f"{live_server}{path}")
    page.get_by_role("link", name="用户管理").click()
    page.get_by_label("搜索").fill("sec")
    expect(page.locator("#user-table")).to_contain_text("sec1")
    assert violations == []

"""A real browser (headless Chromium through Playwright) logs in on Keycloak's login page into
each example app, and logs out again. A screenshot is saved in test-artifacts/ on failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.web_apps import ServedApp

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_login_and_logout_in_a_real_browser(
    served: ServedApp, browser: Any, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{served.base_url}/profile?from=browser")
        page.wait_for_selector("#username")  # Keycloak's own login page
        assert "/protocol/openid-connect/auth" in page.url or "/login-actions/" in page.url
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#kc-login")
        page.wait_for_url(f"{served.base_url}/profile?from=browser")
        assert '"user"' in page.content() and "alice" in page.content()

        page.goto(f"{served.base_url}/")
        page.click("button[type=submit]")  # the home page's POST logout form
        page.wait_for_url(f"{served.base_url}/")
        page.goto(f"{served.base_url}/profile")
        page.wait_for_selector("#username")  # logged out of the app and of Keycloak
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        raise
    finally:
        context.close()

"""The reports in Chromium (as tests/test_console_browser.py drives it): the page at desktop and
phone width, and printed, screenshots in docs/console/, no serious axe-core violation, nothing
loaded from another origin."""

from __future__ import annotations

from datetime import timedelta

import pytest
import test_console_browser as browser
from conftest import CONFIG, CONSOLE_SECRET, MESSAGE_KEY, Clock, add_operator, brussels
from support.reports import a_week_of_calls, messages, utc
from test_console_browser import CHROMIUM, SCREENSHOTS, InProcessServer, log_in, serious

from ivr.app import create_app
from ivr.store.messages import CALLED_BACK

# The browser test's fixtures: Chromium, and a page in a context of its own.
chromium = browser.chromium
browser_page = browser.browser_page
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: 'apt-get install chromium' to run the console's browser tests",
)
REPORT = "/console/reports?from=2026-11-02&to=2026-11-29"


@pytest.fixture
def reports_console(monkeypatch, tmp_path):
    """The console on 1 December 2026 with four weeks of calls in November and messages."""
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    app = create_app(CONFIG, clock=Clock(brussels("2026-12-01 09:30")))
    store = app.extensions["ivr"].store
    add_operator(store, "ana", "coordinator", at=brussels("2026-11-01 09:00"))
    for week in range(4):
        a_week_of_calls(
            store,
            utc("2026-11-01 23:00") + timedelta(days=7 * week),
            calls=400,
            seed=week,
            organisation_of=app.extensions["ivr"].config.organisation_of,
        )
    ids = messages(
        store,
        utc("2026-11-02 08:00"),
        count=40,
        organisation=app.extensions["ivr"].config.organisation_of("1712"),
    )
    for n, message_id in enumerate(ids[:30]):
        at = utc("2026-11-02 08:00") + timedelta(minutes=90 * n, hours=2 + n % 9)
        store.messages.done(message_id, operator="ana", at=at, outcome=CALLED_BACK, note="")
    server = InProcessServer(app)
    yield server
    server.stop()


def test_the_reports_at_desktop_and_phone_width_and_in_print(reports_console, browser_page):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    elsewhere = []

    def outside(request):
        if not request.url.startswith(reports_console.url):
            elsewhere.append(request.url)

    for width in (1280, 390):
        page = browser_page(width=width, lang="fr-BE")
        page.on("request", outside)
        log_in(page, reports_console.url, "ana")
        page.goto(reports_console.url + REPORT)
        assert page.locator("table.heat tbody tr").count() == 7
        assert page.locator("figure.chart svg").count() == 4
        assert "1600" in page.inner_text("#calls-h")
        problems += serious(axe_module, page, f"reports at {width}")
        page.screenshot(path=SCREENSHOTS / f"reports-{width}.png", full_page=True)
        # The whole page fits the phone's width (tables scroll within their box).
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        assert elsewhere == []
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    assert not page.locator("form.filters").is_visible()
    page.screenshot(path=SCREENSHOTS / "reports-print.png", full_page=True)
    assert not problems, "\n".join(problems)

"""The duty page and the live wallboard in a real browser (Debian's Chromium, driven by
Playwright, as in test_console_browser): a counsellor starts a shift with one button on a
phone's screen, the wallboard shows who is on duty and refreshes itself, at 1280 and 390 px,
axe-core clean; screenshots in docs/console/."""

from __future__ import annotations

import pytest
from conftest import CONFIG, CONSOLE_SECRET, Clock, add_operator, brussels
from support.duty import set_state
from test_console_browser import (
    CHROMIUM,
    SCREENSHOTS,
    InProcessServer,
    browser_page,  # noqa: F401 - a fixture
    chromium,  # noqa: F401 - a fixture
    log_in,
    serious,
)

from ivr.app import create_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: 'apt-get install chromium' to run the console's browser tests",
)


@pytest.fixture
def duty_console(monkeypatch, tmp_path):
    """The console on a Tuesday at 10:30: 1712 staffed (one free, one on a call), two callers
    waiting; Stop it Now! opened by an override, with nobody on duty; some of today's calls."""
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    clock = Clock(brussels("2026-11-24 10:30"))
    app = create_app(CONFIG, clock=clock)
    store = app.extensions["ivr"].store
    earlier = brussels("2026-11-24 08:00")
    for name, role in (("ana", "coordinator"), ("bert", "counsellor"), ("cleo", "counsellor")):
        add_operator(store, name, role, at=brussels("2026-11-01 09:00"))
    store.duty.start("cleo", ["1712"], "+32475998877", ["nl"], now=earlier)
    store.duty.start("ana", ["1712"], "+32470999888", now=earlier)
    set_state(store, "ana", "busy", clock.now)
    # bert's shift of yesterday: the one button starts it again.
    store.duty.start("bert", ["1712"], "+32470123456", now=brussels("2026-11-23 09:00"))
    store.duty.stop("bert", now=brussels("2026-11-23 17:00"))
    from ivr.domain.model import Override

    store.overrides.set(
        Override("stop-it-now", True, brussels("2026-11-24 14:00"), None, "permanence du matin"),
        operator="ana",
        now=earlier,
    )
    store.duty.report("1712", "fr", waiting=2, longest_wait=95, now=clock.now)
    store.outcomes.add(
        [
            {"line": "1712", "outcome": outcome, "language": "fr", "at": earlier}
            for outcome in ("connected", "connected", "connected", "voicemail", "referred")
        ]
    )
    server = InProcessServer(app)
    server.clock, server.store = clock, store
    yield server
    server.stop()


def test_one_button_starts_a_shift_on_a_phone_and_the_wallboard_shows_it(
    duty_console,
    browser_page,  # noqa: F811
):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    page = browser_page(width=390, lang="fr-BE")
    log_in(page, duty_console.url, "bert")
    page.goto(f"{duty_console.url}/console/duty")
    assert page.locator("button.big").is_visible()
    assert "Sur le 0470 12 34 56, pour 1712, comme la dernière fois." in page.inner_text("main")
    problems += serious(axe_module, page, "duty, off duty, at 390")
    page.screenshot(path=SCREENSHOTS / "duty-390.png", full_page=True)
    with page.expect_navigation():
        page.click("button.big")
    assert "Votre permanence a commencé." in page.inner_text("main")
    assert "0470 12 34 56" in page.inner_text(".phone")
    problems += serious(axe_module, page, "duty, on duty, at 390")
    page.screenshot(path=SCREENSHOTS / "duty-on-390.png", full_page=True)

    page.goto(f"{duty_console.url}/console/wallboard")
    card = page.locator('article[data-line="1712"]')
    assert "bert" in card.inner_text() and "0470 12 34 56" in card.inner_text()  # their own
    assert "0475" not in page.inner_text("main")  # cleo's: a coordinator's to see
    unstaffed = page.locator("article.unstaffed")
    assert unstaffed.count() == 1 and "Stop it Now!" in unstaffed.inner_text()
    problems += serious(axe_module, page, "wallboard at 390")
    page.screenshot(path=SCREENSHOTS / "wallboard-390.png", full_page=True)
    assert not problems, "\n".join(problems)


def test_the_wallboard_on_a_wall_screen_refreshes_itself(duty_console, browser_page):  # noqa: F811
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = browser_page(width=1280, lang="fr-BE")
    log_in(page, duty_console.url, "ana")
    page.goto(f"{duty_console.url}/console/wallboard")
    main = page.inner_text("main")
    assert "0475 99 88 77" in main  # a coordinator sees the numbers
    card = page.locator('article[data-line="1712"]')
    figures = {
        kind: card.locator(f"dd.{kind}").inner_text()
        for kind in ("free", "busy", "resting", "waiting", "longest", "answered")
    }
    assert figures == {
        "free": "1",
        "busy": "1",
        "resting": "0",
        "waiting": "2",
        "longest": "1 min",
        "answered": "3",
    }
    problems = serious(axe_module, page, "wallboard at 1280")
    page.screenshot(path=SCREENSHOTS / "wallboard-1280.png", full_page=True)
    page.goto(f"{duty_console.url}/console/duty")
    problems += serious(axe_module, page, "duty at 1280")
    page.screenshot(path=SCREENSHOTS / "duty-1280.png", full_page=True)
    assert not problems, "\n".join(problems)

    # Someone goes on duty for Stop it Now!: the open wallboard shows it by
    # itself, with no reload (our own refresh.js, every 15 seconds).
    page.goto(f"{duty_console.url}/console/wallboard")
    page.evaluate("window.notReloaded = true")
    line = "stop-it-now"
    duty_console.store.duty.start("bert", [line], "+32470123456", now=duty_console.clock.now)
    page.wait_for_function(
        "() => !document.querySelector('article.unstaffed')",
        timeout=25_000,
    )
    assert page.evaluate("window.notReloaded") is True
    assert "bert" in page.locator(f'article[data-line="{line}"]').inner_text()

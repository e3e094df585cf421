"""A narrowed account's console in a real browser (Chromium, as test_console_browser): a Stop
it Now! counsellor's board and messages show Stop it Now! alone, and 1712's message is not
there even by its address. Screenshots of the board at 1280 and 390 px go to docs/console/."""

from __future__ import annotations

import pytest
from conftest import CONFIG, CONSOLE_SECRET, MESSAGE_KEY, Clock, add_message, brussels, wav
from support.orgs import add_account
from test_console_browser import (  # noqa: F401 - the browser's fixtures
    CHROMIUM,
    SCREENSHOTS,
    InProcessServer,
    browser_page,
    chromium,
    log_in,
)

from ivr.app import create_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: 'apt-get install chromium' to run the console's browser tests",
)


@pytest.fixture
def narrowed(monkeypatch, tmp_path):
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    app = create_app(CONFIG, clock=Clock(brussels("2026-12-23 17:30")))  # a Wednesday
    store = app.extensions["ivr"].store
    add_account(store, "sophie", "counsellor", "stop-it-now")
    theirs = add_message(store, "1712", brussels("2026-12-23 08:12"), wav(), n=1)
    mine = add_message(store, "stop-it-now", brussels("2026-12-23 09:40"), wav(), n=2)
    server = InProcessServer(app)
    yield server, mine, theirs
    server.stop()


def test_a_stop_it_now_counsellors_board_and_messages_show_only_stop_it_now(
    narrowed,
    browser_page,  # noqa: F811 - the fixture imported above
):
    server, mine, theirs = narrowed
    for width in (1280, 390):
        page = browser_page(width=width, lang="fr-BE")
        log_in(page, server.url, "sophie")
        page.goto(f"{server.url}/console/")
        lines = page.locator("article.line h2")
        names = [text.split("\n")[0] for text in lines.all_inner_texts()]
        assert len(names) == 1 and "Stop it Now! Bruxelles" in names[0]
        assert "1712" not in page.locator("main").inner_text()
        page.screenshot(path=SCREENSHOTS / f"board-one-organisation-{width}.png", full_page=True)
    page.goto(f"{server.url}/console/messages")
    assert page.locator(f"#m{mine}").count() == 1
    assert page.locator(f"#m{theirs}").count() == 0
    status = page.evaluate(
        "async src => (await fetch(src)).status", f"/console/messages/{theirs}/audio"
    )
    assert status == 404
    status = page.evaluate(
        "async src => (await fetch(src)).status", f"/console/messages/{mine}/audio"
    )
    assert status == 200

"""The console in a real browser: Debian's Chromium (/usr/bin/chromium), driven by Playwright,
against the app in a real server on loopback (gunicorn under the production settings, or, for
the screenshots, the app in this process with a fixed clock).

No browser is ever downloaded: without /usr/bin/chromium these tests are skipped, with the
reason (`apt-get install chromium`; .ci/run installs it)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.helpers import (
    BRUSSELS,
    CONFIG,
    CONSOLE_SECRET,
    MESSAGE_KEY,
    ROOT,
    Clock,
    add_message,
    add_operator,
    brussels,
    password_of,
    wav,
)

from ivr.app import create_app
from ivr.cli import main
from ivr.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "docs" / "console"
WAIT_MS = 10_000  # what any step of a page may take

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: 'apt-get install chromium' to run the console's browser tests",
)


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """page(width=1280, lang='en-GB'): a new page in a browser context of its own."""
    contexts = []

    def new(width: int = 1280, lang: str = "en-GB"):
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale=lang)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield new
    for context in contexts:
        context.close()


# The recovery codes each coordinator got at their enrolment, by server and name: a later
# login of theirs uses one (the fixed clock's code was used at the enrolment).
RECOVERY: dict[tuple[str, str], list[str]] = {}


def log_in(page, base: str, name: str, password: str | None = None, at: datetime | None = None):
    """Logs in; a coordinator's second factor too: enrolled from the page (the key it shows,
    the code of `at`, the server's time), later with a recovery code of that enrolment."""
    page.goto(f"{base}/console/login")
    page.fill("#name", name)
    page.fill("#password", password or password_of(name))
    with page.expect_navigation():
        page.click("form button.primary")
    if page.url.endswith("/console/enrol"):
        import pyotp

        key = re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page.inner_text("main")).group(0)
        moment = at or datetime.now(BRUSSELS)
        page.fill("#code", pyotp.TOTP(key.replace(" ", "")).at(moment))
        with page.expect_navigation():
            page.click("form button.primary")
        RECOVERY[(base, name)] = page.locator("ul.codes strong").all_inner_texts()
        page.goto(f"{base}/console/")
    elif page.url.endswith("/console/second"):
        page.fill("#code", RECOVERY[(base, name)].pop())
        with page.expect_navigation():
            page.click("form button.primary")


@pytest.fixture
def console_server(web, tmp_path):
    """gunicorn with the console, and the database it shares with this test."""
    server = web(IVR_CONSOLE_SECRET=CONSOLE_SECRET, IVR_MESSAGE_KEYS=MESSAGE_KEY)
    return server, Store(f"sqlite:///{tmp_path}/shared.sqlite3")


def next_six_pm(now: datetime) -> datetime:
    local = now.astimezone(BRUSSELS)
    six = local.replace(hour=18, minute=0, second=0, microsecond=0)
    return six if six - local > timedelta(minutes=5) else six + timedelta(days=1)


def cli(capsys, *args) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_a_coordinator_closes_1712_and_the_board_status_and_a_call_agree(
    console_server, browser_page, tmp_path, monkeypatch, capsys
):
    server, store = console_server
    add_operator(store, "ana", "coordinator")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/shared.sqlite3")
    page = browser_page()
    log_in(page, server.url, "ana")

    page.goto(f"{server.url}/console/overrides")
    page.select_option("#line", "1712")
    page.check("#kind-closed")
    until = next_six_pm(datetime.now(BRUSSELS))
    page.fill("#until", until.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#reason", "équipe en formation")
    with page.expect_navigation():
        page.click("text=Poser la dérogation")
    listed = page.locator("article.override[data-line='1712']")
    assert "fermée" in listed.inner_text() and "équipe en formation" in listed.inner_text()

    page.goto(f"{server.url}/console/")
    card = page.locator("article[data-line='1712']")
    assert card.locator(".state").inner_text().lower() == "fermée"
    assert "dérogation de ana : équipe en formation" in card.inner_text()
    assert card.locator(".goes").inner_text() == "→ menu"
    assert "1 → Télé-Accueil 107" in card.locator(".options").inner_text()
    assert "18:00" in card.locator(".next").inner_text()

    status = cli(capsys, "status")
    assert "1712: CLOSED (override by ana: équipe en formation)" in status
    call = cli(capsys, "call", "1712", "--lang", "fr")
    assert "transferred to 107" in call and "+3220000003" not in call

    page.goto(f"{server.url}/console/overrides")
    with page.expect_navigation():
        page.locator("article.override[data-line='1712'] button").click()
    assert page.locator("article.override").count() == 0
    page.goto(f"{server.url}/console/")
    assert "dérogation" not in page.locator("article[data-line='1712']").inner_text()
    assert "override" not in cli(capsys, "status").split("1712:")[1].split("\n")[0]
    actions = [(e["operator"], e["action"]) for e in store.audit.entries()]
    assert ("ana", "override set") in actions and ("ana", "override cleared") in actions


def test_a_counsellor_plays_a_message_and_marks_it_called_back(console_server, browser_page):
    server, store = console_server
    add_operator(store, "bert", "counsellor")
    sound = wav()
    number = add_message(store, "1712", datetime.now(BRUSSELS) - timedelta(hours=1), sound)
    page = browser_page()
    log_in(page, server.url, "bert")

    page.goto(f"{server.url}/console/messages")
    audio = page.locator(f"#m{number} audio")
    source = audio.get_attribute("src")
    assert source == f"/console/messages/{number}/audio"  # ours, never Twilio's
    audio.evaluate(  # as the play button does, without sound
        """a => new Promise((loaded, failed) => {
            a.addEventListener('loadedmetadata', loaded, {once: true});
            a.addEventListener('error', () => failed(a.error && a.error.code), {once: true});
            a.preload = 'auto';
            a.load();
        })"""
    )
    assert audio.evaluate("a => a.readyState") >= 1
    assert abs(audio.evaluate("a => a.duration") - 1.0) < 0.05
    heard = page.evaluate(
        "async src => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer()))", source
    )
    assert bytes(heard) == sound

    page.fill(f"#note-{number}", "rappelée, orientée vers le CPAS")
    page.check(f"#back-{number}")
    with page.expect_navigation():
        page.locator(f"#m{number} form.done button").click()
    done = page.locator("section[aria-labelledby='state-done']")
    assert f"Message {number}" in done.inner_text()
    assert "rappelé·e: rappelée, orientée vers le CPAS" in done.inner_text().replace(" :", ":")
    actions = {(e["operator"], e["action"]) for e in store.audit.entries()}
    assert {("bert", "message played"), ("bert", "message called back")} <= actions


def test_what_a_counsellor_may_not_do_and_what_stays_after_logout(console_server, browser_page):
    server, store = console_server
    add_operator(store, "bert", "counsellor")
    number = add_message(store, "1712", datetime.now(BRUSSELS) - timedelta(hours=1), wav())
    page = browser_page()
    log_in(page, server.url, "bert")

    response = page.goto(f"{server.url}/console/overrides")
    assert response.status == 403
    assert "réservée à la coordination" in page.inner_text("main")

    page.goto(f"{server.url}/console/messages")
    page.locator(f"#m{number} form[action$='/take'] input[name=csrf_token]").evaluate(
        "input => input.remove()"
    )
    with page.expect_navigation() as sent:
        page.locator(f"#m{number} form[action$='/take'] button").click()
    assert sent.value.status == 400
    assert "n'a pas été envoyé depuis cette page" in page.inner_text("main")
    assert store.messages.get(number)["state"] == "new"

    private = page.goto(f"{server.url}/console/messages")
    assert private.headers["cache-control"] == "no-store"  # what keeps it out of the back button
    with page.expect_navigation():
        page.click("text=Se déconnecter")
    assert page.url.endswith("/console/login")
    page.go_back()
    page.wait_for_load_state()
    assert f"Message {number}" not in page.content()
    assert page.locator("#password").count() == 1


def test_the_sixth_wrong_password_in_a_minute_is_refused_unchecked(console_server, browser_page):
    server, store = console_server
    add_operator(store, "ana", "coordinator")
    page = browser_page()
    for _ in range(5):
        log_in(page, server.url, "ana", "not the password")
        assert "Wrong name or password." in page.inner_text("main")
    log_in(page, server.url, "ana")  # the right one, now: not even checked
    assert "Too many wrong passwords: wait a minute" in page.inner_text("main")
    assert page.url.endswith("/console/login")


# -- every page, at the width of a desktop and of a phone ------------------------------------

PAGES = {
    "status": "/console/",
    "messages": "/console/messages",
    "week": "/console/week",
    "overrides": "/console/overrides",
    "try-a-call": "/console/try",
    "audit-log": "/console/journal",
}


FIXED_NOW = brussels("2026-12-24 16:30")


class InProcessServer:
    """The app served from this process on loopback (its clock is the test's), in a thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def fixed_console(monkeypatch, tmp_path):
    """The console on Christmas Eve 2026, 16:30, with an override, messages and accounts."""
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    clock = Clock(FIXED_NOW)
    app = create_app(CONFIG, clock=clock)
    store = app.extensions["ivr"].store
    add_operator(store, "ana", "coordinator", at=brussels("2026-12-01 09:00"))
    add_operator(store, "bert", "counsellor", at=brussels("2026-12-01 09:05"))
    from ivr.store.grants import ALL, Grant

    for name, role in (("ana", "coordinator"), ("bert", "counsellor")):  # narrowed: every line
        store.operators.set_grants(name, (Grant(ALL, role),), by="test", at=FIXED_NOW)
    from ivr.domain.model import Override

    store.overrides.set(
        Override("stop-it-now", False, brussels("2026-12-24 20:00"), None, "réunion d'équipe"),
        operator="ana",
        now=brussels("2026-12-24 14:05"),
    )
    store.overrides.set(  # planned: the board lists it, the overrides page can cancel it
        Override(
            "ecoute-violences-conjugales",
            False,
            brussels("2026-12-28 13:00"),
            None,
            "formation de l'équipe",
            starts_at=brussels("2026-12-28 09:00"),
        ),
        operator="ana",
        now=brussels("2026-12-24 14:10"),
    )
    first = add_message(store, "1712", brussels("2026-12-24 08:12"), wav(), n=1)
    taken = add_message(store, "ecoute-violences-conjugales", brussels("2026-12-23 21:40"), n=2)
    done = add_message(store, "1712", brussels("2026-12-22 19:03"), wav(), n=3)
    store.messages.take(taken, operator="bert", at=brussels("2026-12-24 09:00"))
    store.messages.done(
        done,
        operator="bert",
        at=brussels("2026-12-23 10:00"),
        outcome="called back",
        note="rappelée, orientée vers le CPAS",
    )
    assert first
    server = InProcessServer(app)
    yield server
    server.stop()


def test_every_page_at_desktop_and_phone_width_is_accessible(fixed_console, browser_page):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in (1280, 390):
        page = browser_page(width=width, lang="fr-BE")
        page.goto(f"{fixed_console.url}/console/login")
        problems += serious(axe_module, page, f"login at {width}")
        page.screenshot(path=SCREENSHOTS / f"login-{width}.png", full_page=True)
        log_in(page, fixed_console.url, "ana", at=FIXED_NOW)
        for name, path in PAGES.items():
            page.goto(fixed_console.url + path)
            if name == "try-a-call":
                page.select_option("#line", "1712")
                page.fill("#at", "2026-12-24T18:30")
                page.select_option("#language", "fr")
                page.fill("#keys", "2")
                with page.expect_navigation(timeout=20_000):
                    page.click("form button.primary")
                assert "un message est enregistré" in page.inner_text(".transcript")
            problems += serious(axe_module, page, f"{name} at {width}")
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    assert not problems, "\n".join(problems)


# Every word of the page, and the words drawn on more than one line (cut in the middle).
CUT_WORDS = """() => {
  const cut = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(/[^\\s–-]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (lines.size > 1) cut.push(m[0]);
    }
  }
  return cut;
}"""


def test_no_word_of_the_week_is_cut_in_two_on_a_phone(fixed_console, browser_page):
    """At 390 px the days' columns cut 'fermée' and 'dérogation' in the middle."""
    for width in (390, 1280):
        page = browser_page(width=width, lang="fr-BE")
        log_in(page, fixed_console.url, "ana", at=FIXED_NOW)
        for lang in ("fr", "nl"):
            page.select_option("#ui-language", lang)
            with page.expect_navigation():
                page.click("form.lang button")
            page.goto(f"{fixed_console.url}/console/week?week=2026-W52")
            assert page.locator("section.week").count() == 4
            assert page.evaluate(CUT_WORDS) == [], (width, lang)
            # Every day's hours are on the page, in its columns or in the list under them.
            shown = page.locator(".head .hours:visible, .day-list li:visible")
            assert shown.count() == 4 * 7, (width, lang)


def serious(axe_module, page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    result = axe_module.Axe().run(page)
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]

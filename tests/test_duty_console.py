"""Counsellors on duty, from the console: a shift started, renewed, ended and "ready again" from
the browser and from the phone console, a phone refused, and the live wallboard (who sees
which numbers, which lines, today's calls, a line open with nobody on duty). The wallboard in
a real browser is in test_wallboard_browser."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from conftest import CONFIG, CONSOLE_SECRET, add_operator, brussels, metric, service_of
from support.duty import duty_of, set_state
from test_console import log_in, text_of

from ivr.app import create_app

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def console(monkeypatch, clock):
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    clock.now = brussels("2026-11-24 10:00")  # a Tuesday morning: 1712 is open
    app = create_app(CONFIG, clock=clock)
    duty_of(service_of(app).store)
    return app


@pytest.fixture
def store(console):
    return service_of(console).store


def client_of(console, store, name, role, language="en"):
    add_operator(store, name, role, language=language)
    client = console.test_client()
    assert log_in(client, name).status_code == 302
    return client


@pytest.fixture
def bert(console, store):
    return client_of(console, store, "bert", "counsellor")


@pytest.fixture
def ana(console, store):
    return client_of(console, store, "ana", "coordinator")


def token(client, path="/console/duty") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def start(client, lines=("1712",), phone="0470 12 34 56", languages=()):
    return client.post(
        "/console/duty",
        data={
            "csrf_token": token(client),
            "lines": list(lines),
            "phone": phone,
            "languages": list(languages),
        },
    )


def press(client, button: str):
    return client.post(f"/console/duty/{button}", data={"csrf_token": token(client)})


def again(client, name: str) -> None:
    """Logs in anew, after the clock went past the session's end."""
    client.get("/console/duty")
    assert log_in(client, name).status_code == 302


def journal(store) -> list[tuple[str, str, str]]:
    return [(e["operator"], e["action"], e["detail"]) for e in store.audit.entries(limit=50)]


# -- the browser -----------------------------------------------------------------------------


def test_a_counsellor_starts_renews_and_ends_a_shift(bert, store, clock):
    page = text_of(bert.get("/console/duty"))
    assert "You are not on duty." in page
    response = start(bert, lines=("1712", "stop-it-now"), phone="0470/12.34.56")
    assert response.status_code == 302
    page = text_of(bert.get("/console/duty"))
    assert "Your shift has started." in page
    assert "You are on duty" in page and "1712, Stop it Now! Bruxelles" in page
    assert "0470 12 34 56" in page  # their own number, as Belgians write it
    assert "Ends by itself today 18:00" in page
    (shift,) = store.duty.on_duty(now=clock.now)
    assert (shift["name"], shift["phone"]) == ("bert", "+32470123456")
    assert sorted(shift["lines"]) == ["1712", "stop-it-now"]

    clock.now += timedelta(hours=7)
    again(bert, "bert")  # the session ended meanwhile; the shift did not
    assert press(bert, "renew").status_code == 302
    page = text_of(bert.get("/console/duty"))
    assert "Your shift is renewed." in page
    assert "Ends by itself tomorrow 01:00" in page

    assert press(bert, "stop").status_code == 302
    page = text_of(bert.get("/console/duty"))
    assert "Your shift has ended." in page and "You are not on duty." in page
    assert store.duty.on_duty(now=clock.now) == []
    # Each step in the audit log, by the counsellor, and never their number.
    done = journal(store)
    assert [a for who, a, _ in done if who == "bert" and a.startswith("duty")] == [
        "duty ended",
        "duty renew",
        "duty started",
    ]
    assert not any("470" in detail for _, _, detail in done)


def test_the_journal_says_the_shifts_in_the_pages_words(bert, ana, store):
    start(bert, lines=("1712", "stop-it-now"))
    page = text_of(ana.get("/console/journal"))
    assert "shift started 1712, Stop it Now! Bruxelles until 24 Nov 2026 18:00" in page


def test_after_a_call_ready_again(bert, store, clock):
    start(bert)
    set_state(store, "bert", "not ready", clock.now, ready_at=clock.now + timedelta(minutes=3))
    page = text_of(bert.get("/console/duty"))
    assert "not ready" in page and "Ready again" in page
    press(bert, "ready")
    page = text_of(bert.get("/console/duty"))
    assert "You are ready for calls again." in page
    assert store.duty.on_duty(now=clock.now)[0]["state"] == "free"


def test_the_last_shift_again_is_one_button(bert, store, clock):
    start(bert, lines=("1712",), phone="0470 12 34 56")
    press(bert, "stop")
    page = text_of(bert.get("/console/duty"))
    assert "Start my shift" in page and "On 0470 12 34 56, for 1712, as last time." in page
    response = bert.post("/console/duty/again", data={"csrf_token": token(bert)})
    assert response.status_code == 302
    (shift,) = store.duty.on_duty(now=clock.now)
    assert shift["lines"] == ["1712"] and shift["phone"] == "+32470123456"


@pytest.mark.parametrize(
    ("phone", "said"),
    [
        ("", "Give the phone you answer on"),
        ("0470 12 34", "is not a phone number"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78 is not a Belgian number"),
        ("0800 30 030", "0800 30 030 is not a phone a person answers"),
        ("107", "is not a phone number"),
    ],
)
def test_a_phone_that_cannot_take_calls_is_refused(bert, store, clock, phone, said):
    response = start(bert, phone=phone)
    assert response.status_code == 422
    assert said in text_of(response)
    assert store.duty.on_duty(now=clock.now) == []


def test_no_line_chosen_is_refused(bert, store, clock):
    response = start(bert, lines=())
    assert response.status_code == 422
    assert "Choose at least one line." in text_of(response)


def test_a_shift_without_its_csrf_token_is_refused(bert, store, clock):
    response = bert.post("/console/duty", data={"lines": ["1712"], "phone": "0470 12 34 56"})
    assert response.status_code == 400
    assert store.duty.on_duty(now=clock.now) == []
    assert press_without_token(bert).status_code == 400


def press_without_token(client):
    return client.post("/console/duty/stop", data={})


def test_languages_default_to_the_lines_and_may_be_chosen(bert, store, clock):
    start(bert, lines=("1712",))
    assert store.duty.on_duty(now=clock.now)[0]["languages"] in ([], None, ["fr", "nl"])
    press(bert, "stop")
    start(bert, lines=("1712",), languages=("nl",))
    assert store.duty.on_duty(now=clock.now)[0]["languages"] == ["nl"]
    assert "Dutch" in text_of(bert.get("/console/duty"))


def test_a_shift_ends_by_itself(bert, store, clock):
    start(bert)
    clock.now += timedelta(hours=8, minutes=1)
    again(bert, "bert")
    assert "You are not on duty." in text_of(bert.get("/console/duty"))


# -- the wallboard ---------------------------------------------------------------------------


def test_the_console_links_the_duty_page_and_the_wallboard(bert):
    page = bert.get("/console/").get_data(as_text=True)
    assert 'href="/console/duty"' in page and 'href="/console/wallboard"' in page


def test_a_coordinator_sees_who_is_on_duty_and_their_numbers(bert, ana, store, clock):
    start(bert, lines=("1712",), phone="0470 12 34 56")
    set_state(store, "bert", "busy", clock.now)
    page = text_of(ana.get("/console/wallboard"))
    assert "bert busy 0470 12 34 56" in page
    assert "Free 0 On a call 1 Not ready 0" in page


def test_a_counsellor_sees_who_is_on_duty_but_no_one_elses_number(console, bert, store, clock):
    cleo = client_of(console, store, "cleo", "counsellor")
    start(bert, lines=("1712",), phone="0470 12 34 56")
    start(cleo, lines=("1712",), phone="0475 99 88 77")
    page = text_of(bert.get("/console/wallboard"))
    assert "bert free 0470 12 34 56" in page  # their own
    assert "cleo free until" in page
    assert "0475" not in page and "+32475" not in bert.get("/console/wallboard").get_data(
        as_text=True
    )


def test_a_counsellor_sees_only_their_lines_board(bert, store, monkeypatch):
    from ivr.console import access

    monkeypatch.setattr(access, "visible_lines", lambda account, config: {"1712"})
    page = bert.get("/console/wallboard").get_data(as_text=True)
    assert 'data-line="1712"' in page
    assert 'data-line="stop-it-now"' not in page
    assert 'data-line="ecoute-violences-conjugales"' not in page
    # Nor can they start a shift on a line they do not see.
    response = start(bert, lines=("stop-it-now",))
    assert response.status_code == 422


def test_a_line_open_with_nobody_on_duty_stands_out_and_is_a_metric(console, bert, store, clock):
    page = bert.get("/console/wallboard").get_data(as_text=True)
    card = re.search(
        r'<article class="line open unstaffed"[^>]*data-line="1712".*?</article>', page, re.S
    )
    assert card and "Open, and nobody on duty." in html.unescape(card.group(0))
    assert metric(console, "ivr_nobody_on_duty", line="1712") == 1
    start(bert, lines=("1712",))
    page = bert.get("/console/wallboard").get_data(as_text=True)
    assert '<article class="line open" aria-labelledby="wb-1712"' in page
    assert metric(console, "ivr_nobody_on_duty", line="1712") == 0


def test_the_database_thread_sets_the_gauge_with_no_wallboard_open(console, bert, store, clock):
    service = service_of(console)
    service.upkeep.round()
    assert metric(console, "ivr_nobody_on_duty", line="1712") == 1
    start(bert, lines=("1712",))
    service.upkeep.round()
    assert metric(console, "ivr_nobody_on_duty", line="1712") == 0


def test_the_wallboard_counts_todays_calls(bert, store, clock):
    today, yesterday = clock.now, clock.now - timedelta(days=1)
    store.outcomes.add(
        [
            {"line": "1712", "outcome": "connected", "language": "fr", "at": today},
            {"line": "1712", "outcome": "connected", "language": "nl", "at": today},
            {"line": "1712", "outcome": "voicemail", "language": "fr", "at": today},
            {"line": "1712", "outcome": "referred", "language": "fr", "at": today},
            {"line": "1712", "outcome": "connected", "language": "fr", "at": yesterday},
        ]
    )
    page = bert.get("/console/wallboard").get_data(as_text=True)
    card = re.search(r'data-line="1712".*?</article>', page, re.S).group(0)
    figures = dict(
        re.findall(r'<dd class="(answered|voicemail|referred|hung-up)">(\d+)</dd>', card)
    )
    assert figures == {"answered": "2", "voicemail": "1", "referred": "1", "hung-up": "0"}


def test_the_wallboard_refreshes_itself_with_our_own_script(bert):
    page = bert.get("/console/wallboard").get_data(as_text=True)
    assert '<script src="/console/static/refresh.js" defer></script>' in page
    assert 'id="refresh" data-seconds="15"' in page
    assert "<script>" not in page  # no inline script: the CSP forbids them


def test_the_wallboard_is_in_french_and_dutch(console, store):
    fr = client_of(console, store, "fanny", "counsellor", language="fr")
    assert "Ouverte, et personne de garde." in text_of(fr.get("/console/wallboard"))
    nl = client_of(console, store, "nina", "counsellor", language="nl")
    assert "Open, en niemand van dienst." in text_of(nl.get("/console/wallboard"))


def test_the_wallboard_says_how_many_callers_wait_and_the_longest_wait(bert, store, clock):
    store.duty.report("1712", "fr", waiting=2, longest_wait=150, now=clock.now)
    store.duty.report("1712", "nl", waiting=1, longest_wait=30, now=clock.now)
    page = bert.get("/console/wallboard").get_data(as_text=True)
    card = text_of_html(re.search(r'data-line="1712".*?</article>', page, re.S).group(0))
    assert "Callers waiting 3 Longest wait 2 min" in card
    clock.now += timedelta(minutes=5)  # Twilio said nothing since: nobody is known to wait
    page = bert.get("/console/wallboard").get_data(as_text=True)
    card = text_of_html(re.search(r'data-line="1712".*?</article>', page, re.S).group(0))
    assert "Callers waiting 0" in card and "Longest wait" not in card


def text_of_html(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


# -- the phone console -----------------------------------------------------------------------

CONSOLE_NUMBER = "+3220009999"
MARIE, TOM, ZOE = "+32470999888", "+32470123456", "+33612345678"
PIN = "482619"
CONSOLE_YAML = """\
phone_console:
  numbers: ["02 000 99 99"]
  language: fr
  coordinators:
    marie: 0470 99 98 88
  counsellors:
    tom: 0470 12 34 56
    zoe: +33 6 12 34 56 78
"""


@pytest.fixture
def phone_app(config_copy, clock):
    from ivr.console.accounts import hash_password

    (config_copy / "console.yaml").write_text(CONSOLE_YAML, encoding="utf-8")
    clock.now = brussels("2026-11-24 10:00")
    app = create_app(config_copy, clock=clock)
    store = service_of(app).store
    for name, role in (("marie", "coordinator"), ("tom", "counsellor"), ("zoe", "counsellor")):
        add_operator(store, name, role, at=clock.now)
        store.operators.set_pin(name, hash_password(PIN), by="test", at=clock.now)
    return app


def console_call(app, caller, sid="CA" + "d" * 32):
    from conftest import TOKEN as AUTH_TOKEN

    from ivr.twilio import simulate

    return simulate.Call(app, CONSOLE_NUMBER, token=AUTH_TOKEN, caller=caller, sid=sid)


def test_a_counsellor_starts_and_ends_a_shift_by_phone(phone_app, clock):
    store = service_of(phone_app).store
    c = console_call(phone_app, TOM)
    c.start()
    turn = c.press(PIN)
    # A counsellor's PIN opens the duty menu alone: no line to close or open.
    assert "Vous n'êtes pas de garde." in turn.text
    assert "Pour commencer une permanence sur ce téléphone pour" in turn.text
    assert "Pour fermer la ligne" not in turn.text and "Pour 1712, tapez" not in turn.text
    turn = c.press("1")
    assert "Votre permanence a commencé." in turn.text
    assert "Vous êtes de garde pour" in turn.text and "jusqu'à aujourd'hui à 18 h" in turn.text
    (shift,) = store.duty.on_duty(now=clock.now)
    assert (shift["name"], shift["phone"]) == ("tom", TOM)  # the phone they call from
    assert sorted(shift["lines"]) == ["1712", "stop-it-now"]  # the lines with a queue step
    assert "470" not in turn.text  # the number is never said
    clock.now += timedelta(hours=6)
    turn = c.press("1")  # renew
    assert "Votre permanence est prolongée." in turn.text
    assert store.duty.shift("tom", now=clock.now)["ends_at"] == clock.now + timedelta(hours=8)
    turn = c.press("2")  # end
    assert "Votre permanence est finie." in turn.text
    assert store.duty.on_duty(now=clock.now) == []
    actions = [e["action"] for e in store.audit.entries(limit=20) if e["operator"] == "tom"]
    assert {"duty started", "duty renew", "duty ended"} <= set(actions)


def test_a_counsellor_by_phone_cannot_reach_the_overrides(phone_app, clock):
    c = console_call(phone_app, TOM)
    c.start()
    c.press(PIN)
    turn = c.press("*")  # the coordinators' way back to the lines: not theirs
    assert "Pour 1712, tapez" not in turn.text and "Vous n'êtes pas de garde." in turn.text
    assert service_of(phone_app).store.overrides.active(clock.now) == {}


def test_a_coordinator_reaches_their_shift_from_the_lines(phone_app, clock):
    c = console_call(phone_app, MARIE)
    c.start()
    turn = c.press(PIN)
    assert "Pour 1712, tapez 1." in turn.text
    assert "Pour votre permanence, tapez étoile." in turn.text
    turn = c.press("*")
    assert "Vous n'êtes pas de garde." in turn.text
    turn = c.press("1")
    assert "Votre permanence a commencé." in turn.text
    assert "Pour revenir aux lignes, tapez étoile." in turn.text
    assert "Pour 1712, tapez 1." in c.press("*").text
    assert service_of(phone_app).store.duty.shift("marie", now=clock.now)["phone"] == MARIE


def test_a_phone_that_is_not_belgian_cannot_start_a_shift_and_hears_why(phone_app, clock):
    c = console_call(phone_app, ZOE)
    c.start()
    turn = c.press(PIN)
    assert "Une permanence ne peut pas sonner sur le téléphone d'où vous appelez" in turn.text
    assert "tapez 1" not in turn.text and turn.text.endswith("Au revoir.")
    assert service_of(phone_app).store.duty.on_duty(now=clock.now) == []


@pytest.mark.parametrize("caller", ["anonymous", "restricted", "", "+266696687"])
def test_a_withheld_caller_id_cannot_start_a_shift_and_hears_why(phone_app, clock, caller):
    c = console_call(phone_app, caller or None)
    turn = c.start()
    assert "le vôtre est masqué" in turn.text
    assert "112" in turn.text and "101" in turn.text  # then the safe answer: where to turn
    assert "Entrez votre code" not in turn.text
    assert service_of(phone_app).store.duty.on_duty(now=clock.now) == []


def test_ready_again_by_phone(phone_app, clock):
    store = service_of(phone_app).store
    c = console_call(phone_app, TOM)
    c.start()
    c.press(PIN)
    c.press("1")
    set_state(store, "tom", "not ready", clock.now, ready_at=clock.now + timedelta(minutes=2))
    turn = c.press("9")  # no such key: the menu again, as it stands now
    assert "vous ne recevez pas d'appel jusqu'à aujourd'hui à 10 h 02" in turn.text
    turn = c.press("3")
    assert "Vous recevez à nouveau des appels." in turn.text
    assert store.duty.shift("tom", now=clock.now)["state"] == "free"

"""The operators' console through Flask's test client: who may see what, the forms' CSRF
tokens, the login throttle, sessions that end, the security headers, the pages' words in
three languages, and the accounts' commands. The browser's view is in test_console_browser."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy
from support import second_factor as factor
from support.helpers import (
    CONFIG,
    CONSOLE_SECRET,
    MESSAGE_KEY,
    add_message,
    add_operator,
    brussels,
    metric,
    password_of,
    service_of,
    wav,
)

from ivr.app import create_app
from ivr.cli import main

DATABASE_AWAY = "postgresql+psycopg://ivr:ivr@127.0.0.1:9/none?connect_timeout=1"  # nobody there
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def token_of(client, path: str = "/console/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def log_in(client, name: str, password: str | None = None, second_factor: bool = True):
    """Logs in, with the second factor if the account has one (a coordinator is given one
    first: tests/support/second_factor.py)."""
    service = service_of(client.application)
    now = service.clock()
    try:
        asks = second_factor and factor.ready(service.store, name, now)
    except sqlalchemy.exc.SQLAlchemyError:
        asks = False  # the database is away: the login says so
    response = client.post(
        "/console/login",
        data={
            "csrf_token": token_of(client),
            "name": name,
            "password": password or password_of(name),
        },
    )
    if asks and response.headers.get("Location", "").endswith("/console/second"):
        token = token_of(client, "/console/second")
        response = client.post(
            "/console/second", data={"csrf_token": token, "code": factor.code(now)}
        )
    return response


@pytest.fixture
def store(console):
    return service_of(console).store


@pytest.fixture
def coordinator(console, store):
    add_operator(store, "ana", "coordinator")
    client = console.test_client()
    assert log_in(client, "ana").status_code == 302
    return client


@pytest.fixture
def counsellor(console, store):
    add_operator(store, "bert", "counsellor", language="nl")
    client = console.test_client()
    assert log_in(client, "bert").status_code == 302
    return client


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


# -- who sees what ---------------------------------------------------------------------------


def test_nothing_is_shown_before_logging_in(console):
    client = console.test_client()
    for path in ("/console/", "/console/messages", "/console/overrides", "/console/try"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/login")
    assert client.get("/console/messages/1/audio").status_code == 302


def test_a_counsellor_sees_the_board_and_the_messages_but_not_the_tools(counsellor):
    assert "De lijnen nu" in text_of(counsellor.get("/console/"))
    assert counsellor.get("/console/messages").status_code == 200
    assert counsellor.get("/console/week").status_code == 200
    for path in ("/console/overrides", "/console/try", "/console/journal"):
        response = counsellor.get(path)
        assert response.status_code == 403
        assert "Deze pagina is voor coördinatoren." in text_of(response)
    page = text_of(counsellor.get("/console/"))
    assert "Afwijkingen" not in page and "Logboek" not in page  # not offered either


def test_a_coordinator_sees_the_tools(coordinator):
    for path in ("/console/overrides", "/console/try", "/console/journal"):
        assert coordinator.get(path).status_code == 200


def test_a_disabled_account_is_logged_out_at_its_next_click(counsellor, capsys):
    assert main(["operators", "disable", "bert"]) == 0
    assert counsellor.get("/console/").status_code == 302


# -- forms, logins, sessions -----------------------------------------------------------------


def test_a_form_posted_without_its_csrf_token_is_refused(coordinator, store):
    response = coordinator.post(
        "/console/overrides",
        data={"line": "1712", "kind": "closed", "until": "2026-11-24T18:00", "reason": "x"},
    )
    assert response.status_code == 400
    assert "n'a pas été envoyé depuis cette page" in text_of(response)
    assert store.overrides.active(brussels("2026-11-24 10:00")) == {}


def test_the_sixth_wrong_password_in_a_minute_is_refused_without_being_checked(
    console, store, clock
):
    add_operator(store, "ana", "coordinator")
    client = console.test_client()
    for _ in range(5):
        response = log_in(client, "ana", "wrong password!")
        assert response.status_code == 401
        assert "Nom ou mot de passe incorrect." in text_of(response)
    response = log_in(client, "ana")  # the right password, not even checked
    assert response.status_code == 429
    assert "Trop de mots de passe erronés : attendez une minute" in text_of(response)
    clock.now += timedelta(seconds=61)
    assert log_in(client, "ana").status_code == 302
    actions = [e["action"] for e in store.audit.entries()]
    assert actions.count("login failed") == 5 and "login throttled" in actions


def test_failures_are_counted_in_the_database_so_every_worker_sees_them(
    console, console_settings, store, clock
):
    add_operator(store, "ana", "coordinator")
    for _ in range(5):
        log_in(console.test_client(), "ana", "wrong password!")
    # The same database, nothing else shared.
    other_worker = create_app(settings=console_settings, clock=clock)
    assert log_in(other_worker.test_client(), "ana").status_code == 429


def test_sessions_end_after_30_idle_minutes_and_after_8_hours(console, store, clock):
    add_operator(store, "ana", "coordinator")
    client = console.test_client()
    log_in(client, "ana")
    clock.now += timedelta(minutes=29)
    assert client.get("/console/").status_code == 200
    clock.now += timedelta(minutes=31)
    response = client.get("/console/")
    assert response.headers["Location"] == "/console/login?expired=1"
    assert "Votre session est terminée" in text_of(client.get(response.headers["Location"]))

    log_in(client, "ana")
    for _ in range(16):
        clock.now += timedelta(minutes=29)
        assert client.get("/console/").status_code == 200
    clock.now += timedelta(minutes=29)  # 8 h 13 after logging in, never idle
    assert client.get("/console/").status_code == 302
    assert "session expired" in [e["action"] for e in store.audit.entries()]


def test_the_board_refreshing_itself_does_not_keep_a_session_alive(coordinator, clock):
    refresh = {"X-Console-Refresh": "1"}
    clock.now += timedelta(minutes=20)
    assert coordinator.get("/console/", headers=refresh).status_code == 200
    clock.now += timedelta(minutes=20)  # 40 minutes after the last click
    assert coordinator.get("/console/", headers=refresh).status_code == 302


def test_logging_out_ends_the_session_and_is_in_the_audit_log(coordinator, store):
    response = coordinator.post(
        "/console/logout", data={"csrf_token": token_of(coordinator, "/console/")}
    )
    assert response.status_code == 302
    assert coordinator.get("/console/messages").status_code == 302
    actions = [(e["operator"], e["action"]) for e in store.audit.entries()]
    assert ("ana", "login") in actions and ("ana", "logout") in actions


def copy_of_cookie(client, app):
    """Another browser, holding a copy of `client`'s session cookie (stolen, say)."""
    other = app.test_client()
    cookie = client.get_cookie("ivr_console", path="/console")
    other.set_cookie("ivr_console", cookie.value, path="/console")
    return other


OVERRIDE = {"line": "1712", "kind": "closed", "until": "2026-11-24T18:00", "reason": "volé"}


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(coordinator, console, store):
    thief = copy_of_cookie(coordinator, console)
    assert thief.get("/console/journal").status_code == 200
    token = token_of(thief, "/console/overrides")
    coordinator.post("/console/logout", data={"csrf_token": token_of(coordinator, "/console/")})
    journal = thief.get("/console/journal")
    assert journal.status_code == 302 and journal.headers["Location"].startswith("/console/login")
    response = thief.post("/console/overrides", data={"csrf_token": token, **OVERRIDE})
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    assert store.overrides.active(brussels("2026-11-24 10:00")) == {}
    assert store.sessions.of(store.operators.get(name="ana")["id"]) == 0


@pytest.mark.parametrize("how", ["disable", "password"])
def test_disabling_an_account_or_a_new_password_ends_all_its_sessions(
    how, coordinator, console, store, monkeypatch, capsys
):
    other_browser = console.test_client()
    assert log_in(other_browser, "ana").status_code == 302
    thief = copy_of_cookie(coordinator, console)
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["operators", how, "ana"]) == 0
    for client in (coordinator, other_browser, thief):
        assert client.get("/console/journal").status_code == 302
    if how == "password":
        assert log_in(console.test_client(), "ana").status_code == 401  # the old one
        assert log_in(console.test_client(), "ana", "a brand new password").status_code == 302
    action = {"disable": "account disabled", "password": "password changed"}[how]
    (entry,) = [e for e in store.audit.entries() if e["action"] == action]
    assert entry["detail"] == "2 session(s) ended"


def test_an_expired_session_ends_on_the_server(coordinator, console, store, clock):
    thief = copy_of_cookie(coordinator, console)
    ana = store.operators.get(name="ana")["id"]
    for _ in range(16):  # working all day, never idle
        clock.now += timedelta(minutes=29)
        assert coordinator.get("/console/").status_code == 200
    assert thief.get("/console/journal").status_code == 200  # the same session
    clock.now += timedelta(minutes=29)  # 8 h 13 after logging in
    assert thief.get("/console/journal").headers["Location"] == "/console/login?expired=1"
    assert store.sessions.of(ana) == 0
    assert coordinator.get("/console/").status_code == 302


def test_a_new_login_is_a_new_session_and_sessions_abandoned_are_deleted(console, store, clock):
    add_operator(store, "ana", "coordinator")
    ana = store.operators.get(name="ana")["id"]
    first = console.test_client()
    log_in(first, "ana")
    clock.now += timedelta(minutes=31)  # left without logging out
    second = console.test_client()
    log_in(second, "ana")
    assert store.sessions.of(ana) == 1  # the one abandoned went when the new one began
    assert first.get("/console/").status_code == 302  # its row is gone: logged out
    assert second.get("/console/").status_code == 200


def test_throttled_logins_are_counted_not_written_one_by_one(console, store, clock):
    add_operator(store, "ana", "coordinator")
    add_operator(store, "bert", "coordinator")
    bert = console.test_client()
    log_in(bert, "bert")
    bert.post("/console/overrides", data={"csrf_token": token_of(bert, "/console/"), **OVERRIDE})
    throttled = metric(console, "ivr_console_logins_total", result="throttled")
    attacker = console.test_client()
    statuses = [log_in(attacker, "ana", "a guess").status_code for _ in range(200)]
    assert statuses == [401] * 5 + [429] * 195
    # Names by the dozen from one address: the 21st wrong password from it is refused.
    statuses = [log_in(attacker, f"user{n}", "a guess").status_code for n in range(30)]
    assert statuses == [401] * 15 + [429] * 15
    actions = [e["action"] for e in store.audit.entries()]
    assert actions.count("login failed") == 20
    rows = [
        (e["operator"], e["detail"])
        for e in store.audit.entries()
        if e["action"] == "login throttled"
    ]
    assert rows == [
        ("-", "15 refused: more than 20 wrong passwords in a minute from 127.0.0.1"),
        ("ana", "195 refused: more than 5 wrong passwords in a minute for this name"),
    ]
    assert metric(console, "ivr_console_logins_total", result="throttled") == throttled + 210
    journal = text_of(bert.get("/console/journal"))
    assert "dérogation posée" in journal and journal.count("connexions bloquées") == 2
    clock.now += timedelta(seconds=61)  # the next minute: counted afresh, in a row of its own
    assert log_in(attacker, "ana", "a guess").status_code == 401


def test_while_the_database_is_away_the_console_says_so_and_keeps_the_session(
    coordinator, console, store, caplog
):
    working = store.engine
    store.engine = sqlalchemy.create_engine(DATABASE_AWAY)
    try:
        response = coordinator.get("/console/")
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "La base de données ne répond pas" in text_of(response)
        response = log_in(console.test_client(), "ana")
        assert response.status_code == 503 and "ne répond pas" in text_of(response)
    finally:
        store.engine = working
    assert coordinator.get("/console/").status_code == 200  # still logged in
    assert "the database did not answer" in caplog.text and "ERROR" not in caplog.text


def test_security_headers_on_every_page_and_no_caching_of_private_ones(coordinator):
    for path in ("/console/login", "/console/", "/console/messages", "/console/nothing"):
        headers = coordinator.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_samesite_and_secure_behind_https(
    console, console_settings, store, clock
):
    add_operator(store, "ana", "coordinator")
    cookie = log_in(console.test_client(), "ana").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie
    https = replace(console_settings, public_url="https://ivr.example.org")
    behind_https = create_app(settings=https, clock=clock).test_client()
    response = behind_https.get("/console/login", base_url="https://ivr.example.org")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    token = TOKEN.search(response.get_data(as_text=True)).group(1)
    cookie = behind_https.post(
        "/console/login",
        data={"csrf_token": token, "name": "ana", "password": password_of("ana")},
        base_url="https://ivr.example.org",
        headers={"Referer": "https://ivr.example.org/console/login"},
    ).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_no_console_without_a_secret_and_none_when_switched_off(monkeypatch, clock):
    client = create_app(CONFIG, clock=clock).test_client()
    response = client.get("/console/login")
    assert response.status_code == 503
    assert "IVR_CONSOLE_SECRET" in response.get_data(as_text=True)
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_CONSOLE", "0")
    assert create_app(CONFIG, clock=clock).test_client().get("/console/login").status_code == 404


# -- what the pages do -----------------------------------------------------------------------


def test_an_override_set_in_the_console_is_what_ivr_status_says(coordinator, store, capsys):
    token = token_of(coordinator, "/console/overrides")
    response = coordinator.post(
        "/console/overrides",
        data={
            "csrf_token": token,
            "line": "1712",
            "kind": "closed",
            "until": "2026-11-24T18:00",
            "reason": "équipe malade",
        },
    )
    assert response.status_code == 302
    board = text_of(coordinator.get("/console/"))
    assert "dérogation de ana : équipe malade" in board
    assert main(["status", "--at", "2026-11-24 10:00"]) == 0
    assert "1712: CLOSED (override by ana: équipe malade)" in capsys.readouterr().out
    assert store.audit.entries()[0]["action"] == "override set"


def test_an_override_that_cannot_be_kept_is_refused_in_words(coordinator, store):
    token = token_of(coordinator, "/console/overrides")
    base = {"csrf_token": token, "line": "1712", "kind": "closed", "reason": "formation"}
    planned = {"starts": "2026-11-25T09:00", "until": "2026-11-25T18:00"}
    assert coordinator.post("/console/overrides", data={**base, **planned}).status_code in (
        200,
        302,
        303,
    )
    cases = {
        "Elle chevauche la dérogation n°": {
            "starts": "2026-11-25T12:00",
            "until": "2026-11-25T20:00",
        },
        "La fin est déjà passée.": {"until": "2026-11-24T09:00"},
        "n'est pas une destination possible pour les appels": {
            "kind": "redirect",
            "to": "112",
            "until": "2026-11-24T18:00",
        },
    }
    for said, fields in cases.items():
        response = coordinator.post("/console/overrides", data={**base, **fields})
        assert response.status_code == 422
        assert said in text_of(response)
    assert store.overrides.active(brussels("2026-11-24 10:00")) == {}  # the planned one: later
    (planned_one,) = store.overrides.in_force_or_planned(brussels("2026-11-24 10:00"))
    assert planned_one.starts_at == brussels("2026-11-25 09:00")
    assert store.overrides.active(brussels("2026-11-25 09:00"))["1712"].reason == "formation"


def test_sending_calls_to_another_service_shows_where_they_go(coordinator):
    token = token_of(coordinator, "/console/overrides")
    coordinator.post(
        "/console/overrides",
        data={
            "csrf_token": token,
            "line": "ecoute-violences-conjugales",
            "kind": "redirect",
            "to": "107",
            "until": "2026-11-24T18:00",
            "reason": "permanence",
        },
    )
    board = text_of(coordinator.get("/console/"))
    assert "→ Télé-Accueil 107" in board.split("Écoute Violences Conjugales")[1]


def test_messages_are_taken_and_closed_and_a_note_never_holds_a_number(counsellor, store):
    number = add_message(store, "1712", brussels("2026-11-24 08:00"), wav())
    page = text_of(counsellor.get("/console/messages"))
    assert f"Bericht {number}" in page and "Gewist op" in page
    assert "RE" not in page.split(f"Bericht {number}")[1] and "twilio" not in page.lower()
    token = token_of(counsellor, "/console/messages")
    counsellor.post(f"/console/messages/{number}/take", data={"csrf_token": token})
    assert store.messages.get(number)["taken_by"] == "bert"
    refused = counsellor.post(
        f"/console/messages/{number}/done",
        data={"csrf_token": token, "outcome": "called back", "note": "rappeler au 0470 12 34 56"},
        follow_redirects=True,
    )
    assert "telefoonnummer" in text_of(refused)
    assert store.messages.get(number)["state"] == "taken"
    counsellor.post(
        f"/console/messages/{number}/done",
        data={"csrf_token": token, "outcome": "called back", "note": "teruggebeld"},
    )
    assert store.messages.get(number)["outcome"] == "called back"


def test_a_message_whose_audio_twilio_lost_says_so(counsellor, store):
    waiting = add_message(store, "1712", brussels("2026-11-24 08:00"))
    lost = add_message(store, "1712", brussels("2026-11-24 09:00"), n=2)
    store.recordings.deleted_at_twilio(
        store.messages.get(lost)["recording_sid"], brussels("2026-11-24 09:20")
    )
    page = text_of(counsellor.get("/console/messages"))
    assert page.count("De opname is verloren: Twilio had ze niet meer.") == 1
    assert page.count("De opname wordt hier nog niet bewaard.") == 1
    assert page.index(f"Bericht {lost}") < page.index("verloren") < page.index(f"Bericht {waiting}")


def test_the_audio_is_streamed_only_to_someone_logged_in(counsellor, console, store):
    sound = wav()
    number = add_message(store, "1712", brussels("2026-11-24 08:00"), sound)
    response = counsellor.get(f"/console/messages/{number}/audio")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data == sound
    assert response.headers["Cache-Control"] == "no-store"
    part = counsellor.get(f"/console/messages/{number}/audio", headers={"Range": "bytes=100-"})
    assert part.status_code == 206 and part.data == sound[100:]
    played = [e for e in store.audit.entries() if e["action"] == "message played"]
    assert len(played) == 1 and played[0]["operator"] == "bert"  # once a listening
    assert console.test_client().get(f"/console/messages/{number}/audio").status_code == 302


def test_a_trial_call_shows_what_ivr_call_prints_and_stores_nothing(coordinator, store, capsys):
    token = token_of(coordinator, "/console/try")
    response = coordinator.post(
        "/console/try",
        data={
            "csrf_token": token,
            "line": "1712",
            "at": "2026-12-24T18:30",
            "language": "fr",
            "keys": "1",
            "result": "busy",
        },
    )
    assert response.status_code == 200
    page = text_of(response)
    assert main(["call", "1712", "--at", "2026-12-24 18:30", "--lang", "fr", "--press", "1",
                 "--dial-result", "busy", "--words", "fr"]) == 0  # fmt: skip
    for line in capsys.readouterr().out.splitlines():
        assert line.strip() in page
    assert store.messages.list() == []
    assert store.audit.entries()[0]["action"] == "trial call"


def test_a_trial_call_and_its_choices_are_in_the_pages_language(coordinator):
    """The French page said 'Calling…', 'hears:', 'presses 2', and offered 'not-taken' and
    'de en fr nl'."""
    page = coordinator.get("/console/try").get_data(as_text=True)
    offered = page.split('id="language"')[1].split("</select>")[0]
    languages = re.findall(r'<option value="(\w*)">([^<]+)</option>', offered)
    assert languages == [("", "—"), ("de", "allemand"), ("en", "anglais"), ("fr", "français"),
                         ("nl", "néerlandais")]  # fmt: skip
    results = page.split('id="result"')[1].split("</select>")[0]
    assert '<option value="not-taken">décroché, mais personne n&#39;appuie' in results
    assert '<option value="busy">occupé</option>' in results
    token = token_of(coordinator, "/console/try")
    choice = {"csrf_token": token, "line": "1712", "at": "2026-12-24T18:30", "language": "nl"}
    response = coordinator.post("/console/try", data={**choice, "keys": "1", "result": "busy"})
    transcript = text_of(response).split("Ce que vit l'appelant·e")[1]
    assert "Appel vers 1712 (02 000 17 12) le jeudi 24 décembre 2026 18:30" in transcript
    assert "entend : Welkom bij zeventien twaalf" in transcript  # the caller's words: theirs
    assert "appuie sur 1" in transcript and "le transfert se termine : occupé" in transcript
    for english in ("Calling", "hears:", "presses", "transferred", "the call ends", "+32"):
        assert english not in transcript
    # A caller's language the line does not answer in is refused in the page's words.
    response = coordinator.post("/console/try", data={**choice, "language": "de", "result": "busy"})
    assert response.status_code == 422
    assert ("1712 ne répond pas en allemand : elle répond en néerlandais, français et anglais."
            in text_of(response))  # fmt: skip


def test_the_week_names_holidays_in_the_pages_language(counsellor, coordinator):
    week = text_of(counsellor.get("/console/week?week=2026-W52&line=1712"))
    assert "Kerstmis" in week and "vrijdag" in week and "25 dec" in week
    week = text_of(coordinator.get("/console/week?week=2026-W52&line=1712"))
    assert "fermée : Noël" in week and "vendredi" in week
    assert "Quand elle est fermée : → menu (1 → Télé-Accueil 107" in week
    assert coordinator.get("/console/week?week=nonsense").status_code == 404


def day_head(page: str, day: str) -> str:
    """What the week's column of `day` ('25 nov.') says under the date: its hours."""
    head = re.search(r'<div class="head[^"]*">\s*<h3>(?:(?!</div>).)*?' + re.escape(day)
                     + r'</span></h3>\s*<p class="hours">([^<]*)</p>', page, re.S)  # fmt: skip
    assert head, day
    return html.unescape(head.group(1))


def test_the_weeks_header_says_the_hours_in_force_overrides_included(coordinator, store):
    """Stop it Now!'s Wednesday said 17:00–19:00 while an override closed the whole day."""
    from ivr.domain.model import Override

    now = brussels("2026-11-24 10:00")
    for o in (
        Override("stop-it-now", False, brussels("2026-11-25 20:00"), None, "formation",
                 starts_at=brussels("2026-11-25 16:00")),
        Override("stop-it-now", True, brussels("2026-11-26 20:00"), None, "permanence",
                 starts_at=brussels("2026-11-26 18:00")),
        Override("stop-it-now", False, brussels("2026-11-27 11:00"), None, "réunion",
                 starts_at=brussels("2026-11-27 10:30")),
    ):  # fmt: skip
        store.overrides.set(o, operator="ana", now=now)
    page = coordinator.get("/console/week?week=2026-W48&line=stop-it-now").get_data(as_text=True)
    assert day_head(page, "23 nov.") == "14:00–16:00"  # Monday, as the schedule says
    assert day_head(page, "25 nov.") == "fermée"  # closed from 16:00 to 20:00: all of 17-19
    assert day_head(page, "26 nov.") == "18:00–20:00"  # a Thursday opened by an override
    assert day_head(page, "27 nov.") == "10:00–10:30, 11:00–12:00"  # Friday, partly closed
    # The list a phone shows says the same, with the override that makes it so.
    listed = text_of(coordinator.get("/console/week?week=2026-W48&line=stop-it-now"))
    assert "mer. 25 nov. fermée dérogation : formation (16:00–20:00)" in listed


def test_planned_overrides_on_the_board_confirmed_when_set_and_cancelled_not_lifted(
    coordinator, store
):
    token = token_of(coordinator, "/console/overrides")
    base = {"csrf_token": token, "line": "1712", "kind": "closed", "reason": "formation"}
    response = coordinator.post(
        "/console/overrides",
        data={**base, "starts": "2026-11-25T09:00", "until": "2026-11-25T18:00"},
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Dérogation posée : 1712 fermée du 25 nov. 09:00 au 25 nov. 18:00." in page
    assert 'role="status"' in response.get_data(as_text=True)
    assert "Dérogation posée" not in text_of(coordinator.get("/console/overrides"))  # once
    assert "1712: fermée (prévue)" in page and "L'annuler" in page
    assert "La lever maintenant" not in page  # nothing in force yet
    board = text_of(coordinator.get("/console/"))
    assert "Prévue : fermée du 25 nov. 09:00 au 25 nov. 18:00 (ana : formation)" in board
    # One in force is lifted now; the planned one is cancelled: each is said as it is.
    coordinator.post(
        "/console/overrides",
        data={**base, "reason": "malade", "until": "2026-11-24T18:00"},
    )
    (in_force, planned) = store.overrides.in_force_or_planned(brussels("2026-11-24 10:00"))
    page = text_of(coordinator.get("/console/overrides"))
    assert page.count("La lever maintenant") == 1 and page.count("L'annuler") == 1
    clear = f"/console/overrides/1712:{planned.id}/clear"
    response = coordinator.post(clear, data={"csrf_token": token}, follow_redirects=True)
    assert "1712 : la dérogation prévue est annulée ; elle ne commencera pas." in text_of(response)
    clear = f"/console/overrides/1712:{in_force.id}/clear"
    response = coordinator.post(clear, data={"csrf_token": token}, follow_redirects=True)
    assert "1712 : la dérogation est levée ; l'horaire s'applique à nouveau." in text_of(response)
    assert store.overrides.in_force_or_planned(brussels("2026-11-24 10:00")) == []


def test_the_board_and_the_overrides_name_services_and_write_numbers_as_belgians_do(
    coordinator, store
):
    """Overrides said 'calls to 106' and '+32470112233', failed transfers 'tele-accueil'."""
    from ivr import metrics

    token = token_of(coordinator, "/console/overrides")
    for line, to, starts in (
        ("1712", "106", ""),
        ("stop-it-now", "0470 11 22 33", "2026-11-25T09:00"),
    ):
        data = {"csrf_token": token, "line": line, "kind": "redirect", "to": to, "starts": starts,
                "until": "2026-11-25T18:00", "reason": "formation"}  # fmt: skip
        assert coordinator.post("/console/overrides", data=data).status_code == 302
    metrics.TRANSFER_FAILURES.labels("1712", "tele-accueil").inc()
    board = text_of(coordinator.get("/console/"))
    assert "Prévue : appels vers 0470 11 22 33 du 25 nov. 09:00" in board
    html_of_1712 = coordinator.get("/console/").get_data(as_text=True).split('data-line="1712"')[1]
    failing = html.unescape(re.search(r'<p class="failing">(.*?)</p>', html_of_1712, re.S)[1])
    assert "Télé-Accueil 107 (" in failing  # (other tests' failures are this process's too)
    page = text_of(coordinator.get("/console/overrides"))
    assert "1712: appels vers Tele-Onthaal 106" in page
    assert "Stop it Now! Bruxelles: appels vers 0470 11 22 33 (prévue)" in page
    assert "fermée → Tele-Onthaal 106, jusqu'au 25 nov. 18:00" in page  # the log
    assert "fermée → 0470 11 22 33, jusqu'au" in page
    for raw in ("+32", "appels vers 106", "tele-accueil"):
        assert raw not in board and raw not in page, raw


def test_the_language_is_the_operators_choice_and_kept_in_the_account(coordinator, store):
    token = token_of(coordinator, "/console/")
    coordinator.post(
        "/console/language",
        data={"csrf_token": token, "language": "en", "back": "/console/messages"},
    )
    assert "Messages" in text_of(coordinator.get("/console/messages"))
    assert store.operators.get(name="ana")["language"] == "en"
    assert "The lines now" in text_of(coordinator.get("/console/"))


# -- the accounts' commands ------------------------------------------------------------------


def test_operators_are_added_listed_and_disabled_from_the_command_line(monkeypatch, capsys, clock):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["operators", "add", "claire", "--role", "coordinator", "--all-lines"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["operators", "add", "dirk", "--role", "counsellor", "--all-lines"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["operators", "list"]) == 0
    listed = capsys.readouterr().out
    assert "claire" in listed and "coordinator" in listed and "dirk" not in listed
    assert "password" not in listed.lower()
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    client = create_app(CONFIG, clock=clock).test_client()
    assert log_in(client, "claire", "a long enough password").status_code == 302
    assert main(["operators", "disable", "claire"]) == 0
    assert log_in(client, "claire", "a long enough password").status_code == 401


# -- what a hostile request meets --------------------------------------------------------------


@pytest.fixture
def coordinator_on(database, monkeypatch, clock):
    """The console on each database (SQLite, PostgreSQL), a coordinator logged in."""
    from ivr.store import Store

    Store(database).migrate()
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    app = create_app(CONFIG, clock=clock)
    add_operator(service_of(app).store, "ana", "coordinator")
    client = app.test_client()
    assert log_in(client, "ana").status_code == 302
    return client


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_a_message_number_beyond_what_the_database_holds_is_no_page(coordinator_on, number):
    client = coordinator_on
    assert client.get(f"/console/messages/{number}/audio").status_code == 404
    token = token_of(client, "/console/messages")
    for action in ("take", "done"):
        response = client.post(f"/console/messages/{number}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    for key in (f"1712:{number}", "1712:²"):
        response = client.post(f"/console/overrides/{key}/clear", data={"csrf_token": token})
        assert response.status_code == 302  # back to the overrides: there was none to clear


@pytest.mark.parametrize(
    "back", ["/console/\r\nSet-Cookie: x=1", "/console/\n", "/console/\x7f", "/console/\\\\evil"]
)
def test_a_line_break_in_the_page_to_go_back_to_leads_to_the_board(coordinator, back):
    token = token_of(coordinator, "/console/")
    response = coordinator.post(
        "/console/language", data={"csrf_token": token, "language": "en", "back": back}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]

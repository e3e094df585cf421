"""The console's second factor (issue 22, item 5): required of coordinators (nothing but the
enrolment page until they have one), offered to counsellors; a QR code drawn in the page; a
wrong code is a failed login (throttle, audit log); recovery codes used once."""

from __future__ import annotations

import re

import pyotp
import pytest
from conftest import CONFIG, CONSOLE_SECRET, MESSAGE_KEY, add_operator, password_of, service_of
from test_console import log_in, token_of

from ivr.app import create_app


@pytest.fixture
def console(monkeypatch, clock):
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    return create_app(CONFIG, clock=clock)


@pytest.fixture
def store(console):
    return service_of(console).store


def password_only(client, name):
    return log_in(client, name, second_factor=False)


def test_a_coordinator_without_a_second_factor_reaches_only_the_enrolment(console, store, clock):
    add_operator(store, "ana", "coordinator")
    client = console.test_client()
    response = password_only(client, "ana")
    assert response.headers["Location"].endswith("/console/enrol")
    for page in ("/console/", "/console/messages", "/console/overrides", "/console/journal",
                 "/console/accounts"):  # fmt: skip
        reached = client.get(page)
        assert reached.status_code == 302 and reached.headers["Location"].endswith("/console/enrol")
    page = client.get("/console/enrol")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<svg" in body and "<script" not in body
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    secret = store.operators.get(name="ana")["totp_secret"]
    assert re.sub(r"\s", "", re.search(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", body).group(0)) == secret
    # A wrong code: a failed login, in the throttle and the audit log.
    token = token_of(client, "/console/enrol")
    wrong = client.post("/console/enrol", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 401
    assert store.throttle.counts("name:ana")[0] == 1
    (failed,) = [e for e in store.audit.entries() if e["action"] == "login failed"]
    assert (failed["operator"], failed["detail"]) == ("ana", "wrong second-factor code")
    right = client.post(
        "/console/enrol", data={"csrf_token": token, "code": pyotp.TOTP(secret).at(clock.now)}
    )
    assert right.status_code == 200
    codes = re.findall(
        r"<li><strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong></li>", right.get_data(as_text=True)
    )
    assert len(codes) == 10
    kept = str(store.operators.recovery_hashes(store.operators.get(name="ana")["id"]))
    assert all(code not in kept and code.replace("-", "") not in kept for code in codes)
    assert client.get("/console/overrides").status_code == 200
    assert any(e["action"] == "second factor enrolled" for e in store.audit.entries())


def test_a_login_with_a_second_factor_and_its_recovery_codes(console, store, clock):
    from support import second_factor

    add_operator(store, "ana", "coordinator")
    second_factor.enrol(store, "ana", clock.now)
    client = console.test_client()
    first = password_only(client, "ana")
    assert first.headers["Location"].endswith("/console/second")
    assert client.get("/console/").status_code == 302  # the password alone opens nothing
    token = token_of(client, "/console/second")
    wrong = client.post("/console/second", data={"csrf_token": token, "code": "123456"})
    assert wrong.status_code == 401
    assert store.throttle.counts("name:ana")[0] == 1
    code = second_factor.code(clock.now)
    assert (
        client.post("/console/second", data={"csrf_token": token, "code": code}).status_code == 302
    )
    assert client.get("/console/overrides").status_code == 200
    # The same code again, on another browser: refused (a code is taken once).
    other = console.test_client()
    password_only(other, "ana")
    token = token_of(other, "/console/second")
    assert (
        other.post("/console/second", data={"csrf_token": token, "code": code}).status_code == 401
    )


def test_recovery_codes_log_in_once_each(console, store, clock):
    add_operator(store, "ana", "coordinator")
    client = console.test_client()
    password_only(client, "ana")
    client.get("/console/enrol")
    secret = store.operators.get(name="ana")["totp_secret"]
    token = token_of(client, "/console/enrol")
    shown = client.post(
        "/console/enrol", data={"csrf_token": token, "code": pyotp.TOTP(secret).at(clock.now)}
    ).get_data(as_text=True)
    recovery = re.findall(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>", shown)[0]
    for expected in (302, 401):
        browser = console.test_client()
        password_only(browser, "ana")
        token = token_of(browser, "/console/second")
        used = browser.post("/console/second", data={"csrf_token": token, "code": recovery.lower()})
        assert used.status_code == expected


def test_a_counsellor_is_offered_a_second_factor_not_made_to(console, store):
    add_operator(store, "bert", "counsellor")
    client = console.test_client()
    assert password_only(client, "bert").headers["Location"].endswith("/console/")
    assert client.get("/console/messages").status_code == 200
    assert "/console/enrol" in client.get("/console/").get_data(as_text=True)
    assert client.get("/console/enrol").status_code == 200
    assert password_of("bert")  # unchanged: the second factor is theirs to add


def test_a_lost_phone_the_command_line_removes_the_second_factor(console, store, clock, capsys):
    from support import second_factor

    from ivr.cli import main

    add_operator(store, "ana", "coordinator")
    second_factor.enrol(store, "ana", clock.now)
    client = console.test_client()
    assert log_in(client, "ana").status_code == 302
    assert main(["operators", "second-factor", "ana"]) == 0
    assert client.get("/console/").status_code == 302  # logged out
    assert password_only(client, "ana").headers["Location"].endswith("/console/enrol")

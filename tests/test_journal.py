"""The audit log in the console's languages: every action the log records, done as operators
do it (the console, the phone console, the accounts' commands, retention), read back in French
and Dutch; lines and services by their names, moments in the page's words. The rows
themselves keep what was written (`login failed`), older rows included."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from support.helpers import (
    CONSOLE_SECRET,
    MESSAGE_KEY,
    TOKEN,
    add_message,
    add_operator,
    brussels,
    service_of,
    wav,
)
from test_console import log_in, text_of, token_of

from ivr.app import create_app
from ivr.console import accounts, journal
from ivr.console.accounts import hash_password
from ivr.store.grants import ALL, Grant
from ivr.twilio import simulate

CONSOLE_NUMBER = "+3220009999"
MARIE = "+32470999888"
PIN = "482619"


@pytest.fixture
def every_action(config_copy, clock, monkeypatch):
    """An app whose audit log holds a row of each action, and a coordinator's client."""
    (config_copy / "console.yaml").write_text(
        'phone_console:\n  numbers: ["02 000 99 99"]\n  language: fr\n  coordinators:\n'
        "    marie: 0470 99 98 88\n  redirect_to: tele-accueil\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    app = create_app(config_copy, clock=clock)
    store = service_of(app).store
    now = clock.now
    # The accounts' commands.
    for name, role in (("ana", "coordinator"), ("bert", "counsellor"), ("marie", "coordinator")):
        add_operator(store, name, role, at=now)
    store.operators.set_pin("marie", hash_password(PIN), by="test", at=now)
    store.operators.set_password("bert", hash_password("a new long password"), by="ana", at=now)
    store.operators.set_grants("bert", (Grant(ALL, "counsellor"),), by="ana", at=now)
    accounts.give_code(store, "bert", by="ana", now=now)
    # Wrong passwords: for a name, for a name without an account, from one address (with
    # lower limits than the console's, for fewer scrypt checks: the same rows).
    monkeypatch.setattr(accounts, "MOST_FAILURES_PER_ACCOUNT", 2)
    monkeypatch.setattr(accounts, "MOST_FAILURES_PER_ADDRESS", 3)
    attempts = [("bert", f"192.0.2.{i}") for i in (1, 2, 3)]
    attempts += [("nobody", f"192.0.2.{i}") for i in (4, 5, 6)]
    attempts += [(f"guess{i}", "192.0.2.7") for i in range(4)]
    for n, (name, address) in enumerate(attempts):
        try:
            accounts.log_in(store, name, "not the password", address, now)
        except accounts.Throttled:
            assert n in (2, 5, 9)
        else:
            assert n not in (2, 5, 9)
    # The phone console: five wrong PINs lock it, the sixth is refused.
    for n, pins in enumerate((("111111", "222222"), ("333333", "444444"), ("5",), ("6",))):
        c = simulate.Call(app, CONSOLE_NUMBER, token=TOKEN, caller=MARIE, sid=f"CA{n:032x}")
        c.start()
        for pin in pins:
            c.press(pin)
    # The web console: a session, its overrides, a trial call, the messages.
    client = app.test_client()
    assert log_in(client, "ana").status_code == 302
    token = token_of(client, "/console/overrides")
    for kind, to, until in (
        ("closed", "", "2026-11-24T18:00"),
        ("redirect", "106", "2026-11-25T18:00"),
        ("open", "", "2026-11-26T18:00"),
    ):
        reason = {"csrf_token": token, "line": "ecoute-violences-conjugales", "reason": "test"}
        starts = {"closed": "", "redirect": "2026-11-24T19:00", "open": "2026-11-25T19:00"}[kind]
        data = {**reason, "kind": kind, "to": to, "starts": starts, "until": until}
        assert client.post("/console/overrides", data=data).status_code == 302
    (first, *_) = store.overrides.in_force_or_planned(now)
    assert client.post(f"/console/overrides/{first.line}:{first.id}/clear",
                       data={"csrf_token": token}).status_code == 302  # fmt: skip
    trial = {"csrf_token": token, "line": "1712", "at": "2026-12-24T18:30", "language": "fr",
             "keys": "1 2", "result": "busy"}  # fmt: skip
    assert client.post("/console/try", data=trial).status_code == 200
    played = add_message(store, "1712", brussels("2026-11-24 08:00"), wav(), n=1)
    closed = add_message(store, "1712", brussels("2026-11-24 09:00"), n=2)
    add_message(store, "1712", brussels("2026-08-01 09:00"), n=3)  # never done: kept its longest
    assert client.get(f"/console/messages/{played}/audio").status_code == 200
    assert (
        client.post(f"/console/messages/{played}/take", data={"csrf_token": token}).status_code
        == 302
    )
    for number, outcome in ((played, "called back"), (closed, "closed")):
        data = {"csrf_token": token, "outcome": outcome, "note": "rappelée"}
        assert client.post(f"/console/messages/{number}/done", data=data).status_code == 302
    store.recordings.purge(now + timedelta(days=31), lambda line: (30, 90))
    # A shift: started, renewed, ready again, ended (issue 21).
    duty = {"csrf_token": token, "lines": ["1712", "stop-it-now"], "phone": "0470 12 34 56"}
    assert client.post("/console/duty", data=duty).status_code == 302
    for button in ("renew", "ready", "stop"):
        assert client.post(f"/console/duty/{button}", data={"csrf_token": token}).status_code == 302
    client.post("/console/logout", data={"csrf_token": token})
    assert log_in(client, "ana").status_code == 302
    clock.now = now + timedelta(minutes=31)
    assert client.get("/console/").status_code == 302  # idle too long: session expired
    clock.now = now
    store.operators.remove_second_factor("ana", by="test", at=now)  # enrolled at the login
    store.operators.disable("bert", by="ana", at=now)
    # Rows an earlier version wrote.
    with store.engine.begin() as conn:
        for action, subject, detail in (
            ("override cleared", "line 1712:4", ""),
            ("override set", "line 1712", "redirect until 2026-11-24 18:00"),
            ("login throttled", "console", ""),
        ):
            store.audit.add(conn, at=now, operator="ana", action=action, subject=subject,
                            detail=detail)  # fmt: skip
    assert log_in(client, "ana").status_code == 302
    return app, client


def test_every_action_of_the_audit_log_is_read_in_french_and_dutch(every_action):
    app, _ = every_action
    service = service_of(app)
    stored = service.store.audit.entries()
    assert {row["action"] for row in stored} == set(journal.ACTIONS)  # each one, once at least
    for lang in ("fr", "nl", "en"):
        unread = [
            (row["action"], row["subject"], row["detail"])
            for row, entry in zip(stored, journal.entries(service, lang, limit=500), strict=True)
            if not entry.read
        ]
        assert not unread, lang
    # The rows keep what was written.
    assert "login failed" in {row["action"] for row in stored}


def test_the_french_journal_says_each_entry_in_french(every_action):
    app, client = every_action
    page = text_of(client.get("/console/journal"))
    for said in (
        "bert connexion refusée console mot de passe erroné",
        "connexion refusée console aucun compte de ce nom",
        "1 refusée(s) : plus de 2 mots de passe erronés en une minute pour ce nom",
        "pour un nom sans compte",
        "plus de 3 mots de passe erronés en une minute depuis 192.0.2.7",
        "codes PIN de la console téléphonique bloqués console 1 refusée(s) : 5 codes PIN erronés",
        "code PIN erroné à la console téléphonique",
        "compte ajouté bert écoutant·e",
        "mot de passe changé bert 0 session(s) terminée(s)",
        "compte désactivé bert",
        "dérogation posée ligne Écoute Violences Conjugales fermée jusqu'au 24 nov. 2026 18:00",
        "appels vers Tele-Onthaal 106 jusqu'au 25 nov. 2026 18:00",
        "ouverte jusqu'au 26 nov. 2026 18:00",
        "dérogation levée ligne Écoute Violences Conjugales dérogation n°",
        "appel d'essai ligne 1712 le 24 déc. 2026 18:30, touches 1 2",
        "message écouté message 1 (1712)",
        "message pris en charge",
        "message terminé : rappelé·e message 1 (1712) avec une note",
        "message terminé : clos sans appel",
        "durée de conservation message effacé message 1 (1712) terminé il y a 30 jours",
        "message effacé message 3 (1712) gardé le plus longtemps permis",
        "déconnexion console",
        "session expirée",
        "ligne 1712, dérogation n°4",
        "appels envoyés ailleurs jusqu'au 24 nov. 2026 18:00",
    ):
        assert said in page, said
    table = page.split("Détail")[1]
    for english in ("login", "account", "override", "message take", "with a note", "line ",
                    "refused", "session(s) ended", "trial call", "until", "keys"):  # fmt: skip
        assert english not in table, english
    assert not re.search(r"\+32\d", table)

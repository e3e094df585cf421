"""Each organisation sees only its own lines and messages (issue 22): a line's `organisation:`,
an account's grants (`ivr operators add --line/--organisation/--all-lines`), and every console
page, the journal and the phone console following them. The browser's view is in
test_organisations_browser."""

from __future__ import annotations

import io
import re

import pytest
from conftest import (
    CONFIG,
    CONSOLE_SECRET,
    MESSAGE_KEY,
    TOKEN,
    add_message,
    brussels,
    check,
    edit,
    line_of,
    service_of,
    wav,
)
from support.orgs import add_account
from test_console import log_in, text_of, token_of

from ivr.app import create_app
from ivr.cli import main
from ivr.console import access, journal
from ivr.console.accounts import hash_password
from ivr.twilio import simulate

# -- a line's organisation ---------------------------------------------------------------------


def test_the_shipped_lines_name_their_organisations():
    from ivr import config as config_module

    config, _ = config_module.load(CONFIG)
    orgs = {line.id: access.organisation_of(line) for line in config.lines.values()}
    assert orgs == {
        "1712": "caw-vertrouwenscentra",  # CAW and the Vertrouwenscentra, as one
        "stop-it-now": "stop-it-now",
        "ecoute-violences-conjugales": "ecoute-violences-conjugales",
        "orientation": "orientation",
    }


def test_a_line_without_an_organisation_is_its_own(config_copy, capsys):
    edit(config_copy / "stop-it-now.yaml", "organisation: stop-it-now\n", "")
    from ivr import config as config_module

    config, _ = config_module.load(config_copy)
    assert access.organisation_of(config.lines["stop-it-now"]) == "stop-it-now"


def test_ivr_check_says_where_an_organisation_is_unusable(config_copy, capsys):
    path = config_copy / "1712.yaml"
    edit(path, "organisation: caw-vertrouwenscentra", "organisation: CAW & VK")
    code, out = check(config_copy, capsys)
    assert code != 0
    at = line_of(path, "organisation:")
    assert any(
        o.startswith(f"{path}:{at}: 'CAW & VK' is not a usable organisation") and "'caw-vk'" in o
        for o in out
    ), out


# -- the accounts' grants, from the command line -------------------------------------------------


def password(monkeypatch, text: str = "a long enough password") -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))


def test_an_account_is_given_lines_and_never_every_line_by_default(monkeypatch, capsys):
    password(monkeypatch)
    assert main(["operators", "add", "dirk", "--role", "counsellor"]) == 2
    said = capsys.readouterr().err
    assert "--line LINE" in said and "--organisation ORG" in said and "--all-lines" in said
    password(monkeypatch)
    assert main(["operators", "add", "dirk", "--role", "counsellor", "--line", "nope"]) == 2
    assert "no line 'nope'" in capsys.readouterr().err
    password(monkeypatch)
    assert main(["operators", "add", "dirk", "--role", "counsellor", "--organisation", "x"]) == 2
    assert "no organisation 'x'; the organisations are: caw-vertrouwenscentra" in (
        capsys.readouterr().err
    )
    password(monkeypatch)
    assert main(["operators", "add", "dirk", "--role", "counsellor", "--line", "stop-it-now"]) == 0
    password(monkeypatch)
    args = ["--organisation", "stop-it-now", "--line", "1712"]
    assert main(["operators", "add", "eva", "--role", "coordinator", *args]) == 0
    password(monkeypatch)
    assert main(["operators", "add", "staff", "--role", "coordinator", "--all-lines"]) == 0
    capsys.readouterr()
    assert main(["operators", "list"]) == 0
    listed = capsys.readouterr().out
    assert "counsellor of line stop-it-now of stop-it-now" in listed
    assert (
        "coordinator of organisation stop-it-now; coordinator of line 1712 of "
        "caw-vertrouwenscentra" in listed
    )
    assert "coordinator of all lines\n" in listed
    assert "not narrowed yet" not in listed


def test_an_account_made_before_grants_is_flagged_until_narrowed(monkeypatch, capsys, clock):
    from ivr.settings import Settings
    from ivr.store import Store

    store = Store(Settings.from_env().database_url)
    store.operators.add("old", "coordinator", hash_password("x" * 12), language="fr", by="t",
                        at=clock.now)  # fmt: skip
    assert main(["operators", "list"]) == 0
    listed = capsys.readouterr().out
    assert "coordinator of all lines (not narrowed yet)" in listed
    assert "ivr operators grants NAME" in listed
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    client = create_app(CONFIG, clock=clock).test_client()
    assert log_in(client, "old", "x" * 12).status_code == 302
    assert "toutes les lignes (pas encore restreint)" in text_of(client.get("/console/"))
    args = ["--role", "coordinator", "--organisation", "stop-it-now"]
    assert main(["operators", "grants", "old", *args]) == 0
    capsys.readouterr()
    assert main(["operators", "list"]) == 0
    assert "not narrowed yet" not in capsys.readouterr().out
    # Narrowed, its sessions ended: what it saw a minute ago it may no longer see.
    assert client.get("/console/").status_code == 302
    assert log_in(client, "old", "x" * 12).status_code == 302
    page = text_of(client.get("/console/"))
    assert "pas encore restreint" not in page and "Stop it Now!" in page and "1712" not in page


# -- the console follows the grants --------------------------------------------------------------


@pytest.fixture
def console(monkeypatch, clock):
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    return create_app(CONFIG, clock=clock)


@pytest.fixture
def store(console):
    return service_of(console).store


@pytest.fixture
def messages(store):
    """A message on Stop it Now! and one on 1712."""
    at = brussels("2026-11-24 08:00")
    return {
        "stop-it-now": add_message(store, "stop-it-now", at, wav(), n=1),
        "1712": add_message(store, "1712", at, wav(), n=2),
    }


def client_of(console, store, name, role, *where, line=None):
    add_account(store, name, role, *where, line=line)
    client = console.test_client()
    assert log_in(client, name).status_code == 302
    return client


def test_a_stop_it_now_counsellor_sees_and_plays_only_its_messages(console, store, messages):
    sophie = client_of(console, store, "sophie", "counsellor", "stop-it-now")
    page = text_of(sophie.get("/console/messages"))
    assert "Stop it Now! Bruxelles" in page and "1712" not in page
    mine, theirs = messages["stop-it-now"], messages["1712"]
    assert sophie.get(f"/console/messages/{mine}/audio").status_code == 200
    token = token_of(sophie, "/console/messages")
    # 1712's message, by its number: as if there were none.
    assert sophie.get(f"/console/messages/{theirs}/audio").status_code == 404
    assert (
        sophie.post(f"/console/messages/{theirs}/take", data={"csrf_token": token}).status_code
        == 404
    )
    done = {"csrf_token": token, "outcome": "closed", "note": "vu"}
    assert sophie.post(f"/console/messages/{theirs}/done", data=done).status_code == 404
    assert store.messages.get(theirs)["state"] == "new"
    assert not [e for e in store.audit.entries() if e["subject"] == f"message {theirs} (1712)"]
    # The board and the week: no 1712.
    board = text_of(sophie.get("/console/"))
    assert "Stop it Now! Bruxelles" in board
    assert "1712" not in board and "Écoute Violences Conjugales" not in board
    week = text_of(sophie.get("/console/week"))
    assert "Stop it Now! Bruxelles" in week and "1712" not in week
    assert sophie.get("/console/week?line=1712").status_code == 404


def test_the_journal_shows_only_the_lines_of_the_account(console, store, messages):
    staff = client_of(console, store, "staff", "coordinator", "*")
    assert staff.get(f"/console/messages/{messages['1712']}/audio").status_code == 200
    assert staff.get(f"/console/messages/{messages['stop-it-now']}/audio").status_code == 200
    luc = client_of(console, store, "luc", "coordinator", "stop-it-now")
    page = text_of(luc.get("/console/journal"))
    assert f"message {messages['stop-it-now']} (Stop it Now! Bruxelles)" in page
    assert "(1712)" not in page
    # Their own login, not that of someone who sees more than they do.
    service = service_of(console)
    luc_account = access.Holder("luc", store.grants.of_name("luc"))
    shown = journal.readable(store.audit.entries(), luc_account, service.config, store)
    logins = {row["operator"] for row in shown if row["action"] == "login"}
    assert logins == {"luc"}
    everything = text_of(staff.get("/console/journal"))
    assert "(1712)" in everything and "luc" in everything


OVERRIDE = {"kind": "closed", "until": "2026-11-24T18:00", "reason": "formation"}


def test_a_stop_it_now_coordinator_sets_overrides_only_on_its_line(console, store, clock):
    clock.now = brussels("2026-11-24 10:00")
    luc = client_of(console, store, "luc", "coordinator", "stop-it-now")
    page = luc.get("/console/overrides").get_data(as_text=True)
    assert 'value="stop-it-now"' in page and 'value="1712"' not in page
    token = token_of(luc, "/console/overrides")
    refused = luc.post("/console/overrides", data={"csrf_token": token, "line": "1712", **OVERRIDE})
    assert refused.status_code in (404, 422)
    assert store.overrides.active(clock.now) == {}
    done = luc.post(
        "/console/overrides", data={"csrf_token": token, "line": "stop-it-now", **OVERRIDE}
    )
    assert done.status_code == 302
    assert set(store.overrides.active(clock.now)) == {"stop-it-now"}
    # Another's override: neither shown nor cleared.
    staff = client_of(console, store, "staff", "coordinator", "*")
    token = token_of(staff, "/console/overrides")
    staff.post("/console/overrides", data={"csrf_token": token, "line": "1712", **OVERRIDE})
    (theirs,) = [o for o in store.overrides.active(clock.now).values() if o.line == "1712"]
    page = text_of(luc.get("/console/overrides"))
    assert "1712" not in page
    token = token_of(luc, "/console/overrides")
    cleared = luc.post(f"/console/overrides/1712:{theirs.id}/clear", data={"csrf_token": token})
    assert cleared.status_code == 404
    assert "1712" in store.overrides.active(clock.now)
    # Nor a trial call on 1712.
    trial = {"csrf_token": token, "line": "1712", "at": "2026-12-24T18:30", "keys": "1",
             "result": "busy", "language": ""}  # fmt: skip
    assert luc.post("/console/try", data=trial).status_code in (404, 422)
    assert 'value="1712"' not in luc.get("/console/try").get_data(as_text=True)


def test_an_account_of_two_organisations_sees_both(console, store, messages):
    both = client_of(console, store, "nora", "counsellor", "stop-it-now", "caw-vertrouwenscentra")
    page = text_of(both.get("/console/messages"))
    assert "Stop it Now! Bruxelles" in page and "1712" in page
    board = text_of(both.get("/console/"))
    assert "1712" in board and "Stop it Now!" in board
    assert "Écoute Violences Conjugales" not in board
    for number in messages.values():
        assert both.get(f"/console/messages/{number}/audio").status_code == 200


def test_the_platforms_staff_sees_every_line(console, store, messages):
    staff = client_of(console, store, "staff", "counsellor", "*")
    board = text_of(staff.get("/console/"))
    for name in ("1712", "Stop it Now!", "Écoute Violences Conjugales", "Ligne d'orientation"):
        assert name in board


def test_a_grant_of_one_line_sees_that_line_only(console, store, messages):
    one = client_of(console, store, "tim", "counsellor", line="1712")
    board = text_of(one.get("/console/"))
    assert "1712" in board and "Stop it Now!" not in board
    assert one.get(f"/console/messages/{messages['stop-it-now']}/audio").status_code == 404


def test_a_grant_for_an_organisation_covers_its_lines_added_later():
    from dataclasses import replace
    from types import SimpleNamespace

    from ivr import config as config_module
    from ivr.store.grants import Grant

    staff_of_sin = access.Holder("sophie", (Grant("stop-it-now", "counsellor"),))
    one_line = access.Holder("tim", (Grant("stop-it-now", "counsellor", "stop-it-now"),))
    shipped, _ = config_module.load(CONFIG)
    chat = replace(shipped.lines["stop-it-now"], id="stop-it-now-chat")
    config = SimpleNamespace(lines={**shipped.lines, chat.id: chat})
    assert access.visible_lines(staff_of_sin, config) == {"stop-it-now", "stop-it-now-chat"}
    assert access.visible_lines(one_line, config) == {"stop-it-now"}
    # A line that moves to another organisation leaves the grants of its former one.
    moved = replace(chat, organisation="other")
    config = SimpleNamespace(lines={**shipped.lines, chat.id: moved})
    assert access.visible_lines(staff_of_sin, config) == {"stop-it-now"}
    assert access.visible_organisations(staff_of_sin, config) == {"stop-it-now"}
    # Nothing for what is not an account, nor for an account without grants.
    assert access.visible_lines(None, config) == set()
    assert access.visible_lines(access.Holder("nobody"), config) == set()


# -- the phone console -----------------------------------------------------------------------------

PHONE = "+32470999888"
PIN = "482619"


@pytest.fixture
def phone_app(config_copy, clock):
    (config_copy / "console.yaml").write_text(
        'phone_console:\n  numbers: ["02 000 99 99"]\n  language: fr\n  coordinators:\n'
        "    luc: 0470 99 98 88\n  redirect_to: tele-accueil\n",
        encoding="utf-8",
    )
    app = create_app(config_copy, clock=clock)
    store = service_of(app).store
    add_account(store, "luc", "coordinator", "stop-it-now")
    store.operators.set_pin("luc", hash_password(PIN), by="test", at=clock.now)
    return app


def test_a_stop_it_now_coordinator_hears_and_changes_only_its_line_by_phone(phone_app, clock):
    clock.now = brussels("2026-11-24 10:00")
    c = simulate.Call(phone_app, "+3220009999", token=TOKEN, caller=PHONE, sid="CA" + "c" * 32)
    c.start()
    turn = c.press(PIN)
    assert "Pour Stop it Now! Bruxelles, tapez 1." in turn.text
    assert "1712" not in turn.text and "Écoute" not in turn.text
    turn = c.press("2")  # no second line: the question again
    assert "Pour Stop it Now! Bruxelles, tapez 1." in turn.text
    turn = c.press("0")  # every line's status: theirs only
    assert "Stop it Now! Bruxelles est" in turn.text and "1712" not in turn.text
    c.press("1")
    c.press("1")  # close
    c.press("1800")
    assert "C'est fait." in c.press("1").text
    store = service_of(phone_app).store
    assert set(store.overrides.active(clock.now)) == {"stop-it-now"}


def test_a_forged_state_naming_1712_changes_nothing_by_phone(phone_app, clock):
    from ivr.console import phone_calls

    clock.now = brussels("2026-11-24 10:00")
    store = service_of(phone_app).store
    assert not phone_calls.mine(store, type("H", (), {"config": service_of(phone_app).config}),
                                "luc", "1712")  # fmt: skip
    assert phone_calls.mine(store, type("H", (), {"config": service_of(phone_app).config}),
                            "luc", "stop-it-now")  # fmt: skip


# -- the migration ---------------------------------------------------------------------------------


def test_accounts_of_a_0006_database_get_every_line_flagged(database, capsys):
    """A database the previous release made (0006), with its accounts: after the upgrade
    each sees every line, flagged, and can be narrowed; down and up again keeps it usable."""
    import sqlalchemy
    from alembic import command

    from ivr.store import Store
    from ivr.store.grants import ALL, Grant

    store = Store(database)
    old = sqlalchemy.table(
        "operators",
        *(sqlalchemy.column(n) for n in ("name", "role", "password_hash", "language", "active")),
        sqlalchemy.column("created_at", sqlalchemy.DateTime(timezone=True)),
    )
    at = brussels("2026-11-24 09:00")
    with store.engine.begin() as conn:
        command.upgrade(store._alembic(conn), "0006")
        for name, role in (("ana", "coordinator"), ("bert", "counsellor")):
            conn.execute(
                sqlalchemy.insert(old).values(
                    name=name, role=role, password_hash="x", language="fr", active=True,
                    created_at=at,
                )
            )  # fmt: skip
    assert store.migrate() == store.head()
    accounts = {row["name"]: row for row in store.operators.list()}
    assert accounts["ana"]["grants"] == (Grant(ALL, "coordinator", None, unnarrowed=True),)
    assert accounts["bert"]["grants"] == (Grant(ALL, "counsellor", None, unnarrowed=True),)
    assert accounts["ana"]["last_login_at"] is None
    store.operators.set_grants("bert", (Grant("stop-it-now", "counsellor"),), by="t", at=at)
    assert store.grants.of_name("bert") == (Grant("stop-it-now", "counsellor"),)
    with store.engine.begin() as conn:
        command.downgrade(store._alembic(conn), "0006")
    assert Store(database).migrate() == Store(database).head()
    # Down and up again: what was narrowed is lost, and flagged again rather than hidden.
    assert {g.unnarrowed for g in Store(database).grants.of_name("bert")} == {True}


# -- messages sealed per organisation ---------------------------------------------------------


def test_a_message_of_one_organisation_cannot_be_opened_with_anothers_key():
    from ivr.store.sealed import Keyring, SealError, new_key

    sin, caw = new_key(), new_key()
    keys = Keyring((), {"stop-it-now": (sin,), "caw-vertrouwenscentra": (caw,)})
    sealed = keys.close("stop-it-now", b"a message")
    assert keys.open("stop-it-now", sealed) == b"a message"
    with pytest.raises(SealError):
        keys.open("caw-vertrouwenscentra", sealed)
    with pytest.raises(SealError):
        Keyring((caw,)).open("stop-it-now", sealed)  # nor as the shared key


def test_reseal_moves_messages_to_their_organisations_keys_and_rotation_spares_the_others(
    monkeypatch, capsys, clock
):
    from ivr.settings import Settings
    from ivr.store import Store
    from ivr.store.sealed import Keyring, SealError, new_key

    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    store = Store(Settings.from_env().database_url)
    at = brussels("2026-11-24 08:00")
    theirs = add_message(store, "1712", at, b"1712's message", n=1)
    mine = add_message(store, "stop-it-now", at, b"Stop it Now!'s message", n=2)
    # Stop it Now! gets a key of its own: its messages move to it, 1712's stay.
    first = new_key()
    monkeypatch.setenv("IVR_MESSAGE_KEYS_STOP_IT_NOW", first)
    capsys.readouterr()
    assert main(["privacy", "reseal"]) == 0
    assert "2 message(s) sealed anew" in capsys.readouterr().out
    sealed = store.messages.get(mine)
    assert sealed["sealed_for"] == "stop-it-now"
    assert Keyring((), {"stop-it-now": (first,)}).open("stop-it-now", sealed["audio"]) == (
        b"Stop it Now!'s message"
    )
    with pytest.raises(SealError):  # the shared key no longer opens it
        Keyring((MESSAGE_KEY,)).open("stop-it-now", sealed["audio"])
    # Its key rotated (the new first, the old kept until the re-seal): every message plays.
    second = new_key()
    monkeypatch.setenv("IVR_MESSAGE_KEYS_STOP_IT_NOW", f"{second},{first}")
    assert main(["privacy", "reseal"]) == 0
    monkeypatch.setenv("IVR_MESSAGE_KEYS_STOP_IT_NOW", second)
    monkeypatch.setenv("IVR_CONSOLE_SECRET", CONSOLE_SECRET)
    app = create_app(CONFIG, clock=clock)
    staff = app.test_client()
    add_account(service_of(app).store, "staff", "counsellor", "*")
    assert log_in(staff, "staff").status_code == 302
    for number, said in ((mine, b"Stop it Now!'s message"), (theirs, b"1712's message")):
        played = staff.get(f"/console/messages/{number}/audio")
        assert (played.status_code, played.data) == (200, said)
    # A key nobody has any more: said, and the message left as it was.
    monkeypatch.setenv("IVR_MESSAGE_KEYS_STOP_IT_NOW", new_key())
    assert main(["privacy", "reseal"]) == 1
    assert f"no key opens, left as they were: {mine}" in capsys.readouterr().err


def test_a_key_of_an_organisations_own(capsys):
    assert main(["privacy", "new-key", "--organisation", "stop-it-now"]) == 0
    assert "add it first in IVR_MESSAGE_KEYS_STOP_IT_NOW" in capsys.readouterr().out
    assert main(["privacy", "new-key", "--organisation", "nobody"]) == 2
    assert "no organisation 'nobody'" in capsys.readouterr().err


# -- accounts managed in the console ---------------------------------------------------------------


def test_a_coordinator_adds_a_counsellor_to_their_lines_who_sets_their_own_password(
    console, store, clock, messages
):
    luc = client_of(console, store, "luc", "coordinator", "stop-it-now")
    page = luc.get("/console/accounts").get_data(as_text=True)
    assert 'value="stop-it-now"' in page and 'value="1712"' not in page
    token = token_of(luc, "/console/accounts")
    # Not a line of theirs: refused, no account.
    refused = luc.post(
        "/console/accounts", data={"csrf_token": token, "name": "eve", "lines": "1712",
                                   "language": "fr"}
    )  # fmt: skip
    assert refused.status_code in (404, 422)
    assert store.operators.get(name="eve") is None
    added = luc.post(
        "/console/accounts",
        data={"csrf_token": token, "name": "zoe", "lines": "stop-it-now", "language": "fr"},
    )
    assert added.status_code == 200
    shown = added.get_data(as_text=True)
    code = re.search(r"<strong>([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})</strong>", shown).group(1)
    assert store.grants.of_name("zoe") == (
        __import__("ivr.store.grants", fromlist=["Grant"]).Grant(
            "stop-it-now", "counsellor", "stop-it-now"
        ),
    )
    # Only its hash is kept; a wrong code counts as a failed login.
    row = store.operators.get(name="zoe")
    assert code not in str(row) and code.replace("-", "") not in str(row)
    zoe = console.test_client()
    form = {"name": "zoe", "password": "zoe's own long password",
            "again": "zoe's own long password"}  # fmt: skip
    wrong = zoe.post("/console/reset", data={"csrf_token": token_of(zoe, "/console/reset"),
                                             **form, "code": "AAAA-BBBB-CCCC-DDDD"})  # fmt: skip
    assert wrong.status_code == 401
    assert store.throttle.counts("name:zoe")[0] == 1
    assert any(e["detail"] == "wrong one-time code" for e in store.audit.entries())
    done = zoe.post("/console/reset", data={"csrf_token": token_of(zoe, "/console/reset"),
                                            **form, "code": code.lower()})  # fmt: skip
    assert done.status_code == 302
    assert log_in(zoe, "zoe", "zoe's own long password").status_code == 302
    assert "Stop it Now!" in text_of(zoe.get("/console/messages"))
    # Used once.
    again = zoe.post("/console/reset", data={"csrf_token": token_of(zoe, "/console/reset"),
                                             **form, "code": code})  # fmt: skip
    assert again.status_code == 401
    # The coordinator sees when they last logged in, and disables them.
    listed = text_of(luc.get("/console/accounts"))
    assert "zoe" in listed and "jamais" not in listed.split("zoe", 1)[1][:80]
    token = token_of(luc, "/console/accounts")
    assert luc.post("/console/accounts/zoe/disable", data={"csrf_token": token}).status_code == 302
    assert store.operators.get(name="zoe") is None
    assert zoe.get("/console/").status_code == 302


def test_a_coordinator_manages_only_the_counsellors_of_their_lines(console, store):
    add_account(store, "tim", "counsellor", line="1712")
    add_account(store, "sam", "counsellor", "stop-it-now")
    luc = client_of(console, store, "luc", "coordinator", "stop-it-now")
    listed = luc.get("/console/accounts").get_data(as_text=True)
    assert "<td>sam</td>" in listed and "<td>tim</td>" not in listed
    token = token_of(luc, "/console/accounts")
    for action in ("disable", "code"):
        assert (
            luc.post(f"/console/accounts/tim/{action}", data={"csrf_token": token}).status_code
            == 404
        )
    assert store.operators.get(name="tim") is not None
    sophie = client_of(console, store, "sophie", "counsellor", "stop-it-now")
    assert sophie.get("/console/accounts").status_code == 403

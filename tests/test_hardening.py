"""Nobody stranded, nothing lost: what an unsigned client, a key change, a broken disk or a
hostile prompt can do to a call, and what the operations endpoints give away."""

import logging
import os
import time
import xml.etree.ElementTree as ET

import pytest
from support.helpers import CONFIG, EVC, LINE_1712, OPS, Call, brussels, service_of

from ivr.app import create_app

CALLBACK_FIELDS = {"RecordingStatus": "completed", "RecordingDuration": "31"}


def voicemails(app) -> list[dict]:
    return service_of(app).store.messages.list()


# -- the operations endpoints --------------------------------------------------------------


def test_health_without_the_credential_says_only_that_it_answers(app):
    Call(app, EVC).start()
    public = app.test_client().get("/healthz")
    assert public.status_code == 200 and public.get_json() == {"status": "ok"}
    details = app.test_client().get("/healthz", headers=OPS).get_json()
    assert details["lines"] and details["config_version"] and details["database"] == "reachable"


def test_metrics_without_the_credential_give_nothing_away(app):
    Call(app, EVC).start()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-ops-token"}):
        refused = app.test_client().get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert b"ecoute-violences-conjugales" not in refused.data
    page = app.test_client().get("/metrics", headers=OPS).get_data(as_text=True)
    assert 'ivr_request_seconds_count{endpoint="incoming"}' in page


def test_a_refused_change_is_shown_only_with_the_credential(config_copy, clock):
    app = create_app(config_copy, clock=clock)
    path = config_copy / "ecoute-violences-conjugales.yaml"
    path.write_text(path.read_text().replace('"+3220000001"', '"+3220000009x"'))
    Call(app, EVC).start()
    public = app.test_client().get("/healthz").get_data(as_text=True)
    assert "3220000009" not in public and str(config_copy) not in public
    details = app.test_client().get("/healthz", headers=OPS).get_json()
    assert str(path) in details["last_refused_change"]["problems"][0]
    # Monitoring tools keep these pages: with the credential too, no one's number is shown.
    assert "3220000009" not in str(details)


# -- messages are never lost ----------------------------------------------------------------


def test_a_callback_whose_state_no_longer_decodes_still_stores_the_message(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="en")
    record = c.press("2").waiting
    callback = record.get("recordingStatusCallback").split("?")[0] + "?s=from-an-older-key"
    sid = "RE" + "a" * 32
    response = c.post(callback, dict(CALLBACK_FIELDS, RecordingSid=sid))
    assert response.status_code == 200
    (row,) = voicemails(app)
    assert (row["recording_sid"], row["line"], row["duration_seconds"]) == (sid, "1712", 31)


def test_a_caller_whose_message_came_back_with_an_unreadable_state_is_thanked(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("2")
    sid = "RE" + "b" * 32
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/{sid}"
    action = "/voice/next?s=from-an-older-key"
    c._new_turn()
    turn = c.follow(list(c.request(action, {"RecordingUrl": url, "RecordingDuration": "9"})))
    assert "Dank u. Uw bericht is goed opgenomen" in turn.text  # in the line's own language

    assert "Voor Nederlands, druk 1" not in turn.text
    Call(app, EVC).start()  # any later moment: the database thread has stored it
    assert [row["recording_sid"] for row in voicemails(app)] == [sid]


def test_the_record_action_alone_keeps_the_message(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("2")
    c.leave_message(sid="RE" + "c" * 32, callback=False)  # the callback never comes
    Call(app, EVC).start()  # any later moment: the database thread has stored it
    assert [row["recording_sid"] for row in voicemails(app)] == ["RE" + "c" * 32]


def test_the_record_action_and_the_callback_store_one_message(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("2")
    c.leave_message(sid="RE" + "d" * 32)
    assert len(voicemails(app)) == 1


def test_a_message_the_disk_cannot_take_is_stored_and_its_id_logged(call, app, caplog, tmp_path):
    (tmp_path / "spool").write_text("not a folder")  # the journal cannot be written
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("2")
    sid = "RE" + "e" * 32
    c.leave_message(sid=sid)
    assert [row["recording_sid"] for row in voicemails(app)] == [sid]
    assert f"voicemail {sid} could not be written" in caplog.text


def test_neither_disk_nor_database_answers_503_so_twilio_tries_again(call, app, tmp_path):
    import sqlalchemy

    (tmp_path / "spool").write_text("not a folder")
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    record = c.press("2").waiting
    store = service_of(app).store
    store.engine = sqlalchemy.create_engine("postgresql+psycopg://x@127.0.0.1:9/x")
    sid = "RE" + "f" * 32
    response = c.post(
        record.get("recordingStatusCallback"), dict(CALLBACK_FIELDS, RecordingSid=sid)
    )
    assert response.status_code == 503


def test_the_journal_is_flushed_on_a_timer_without_any_later_call(config_copy, clock, monkeypatch):
    monkeypatch.setenv("IVR_REFRESH_SECONDS", "0.2")
    app = create_app(CONFIG, clock=clock)
    service = service_of(app)
    Call(app, EVC).start()  # starts the database thread
    message = {
        "line": "1712",
        "received_at": clock(),
        "recording_sid": "RE" + "1" * 32,
        "recording_url": "https://api.twilio.com/x",
        "duration_seconds": 12,
        "language": "nl",
    }
    assert service.upkeep.journal.write(message)
    deadline = time.monotonic() + 5
    while not voicemails(app) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [row["recording_sid"] for row in voicemails(app)] == ["RE" + "1" * 32]
    assert service.upkeep.journal.pending() == 0


# -- keys change, calls go on -----------------------------------------------------------------


def test_a_state_key_change_drops_no_call_in_progress(clock, monkeypatch):
    monkeypatch.setenv("IVR_SECRET", "old-key")
    before = create_app(CONFIG, clock=clock)
    clock.now = brussels("2026-11-24 20:00")
    c = Call(before, LINE_1712)
    c.start()
    c.press("2")  # French: the menu of the closed line, under the old key
    monkeypatch.setenv("IVR_SECRET", "new-key,old-key")
    after = create_app(CONFIG, clock=clock)
    c.app, c.client = after, after.test_client()
    turn = c.press("2")
    assert turn.kind == "Record"  # where the caller was, not back at the start
    token = turn.waiting.get("action").split("s=")[1]  # signed with the newest key
    monkeypatch.setenv("IVR_SECRET", "new-key")
    only_new = create_app(CONFIG, clock=clock)
    assert service_of(only_new).decode(token) is not None
    monkeypatch.setenv("IVR_SECRET", "old-key")
    assert service_of(create_app(CONFIG, clock=clock)).decode(token) is None


# -- what an unsigned client can do ------------------------------------------------------------


def test_unsigned_huge_tokens_fill_no_cache_and_no_log(app, caplog):
    caplog.set_level(logging.INFO)
    client = app.test_client()
    token = "x" * 60_000
    started = time.monotonic()
    for n in range(300):
        client.post(
            f"/voice/next?s={token}{n}",
            data={"To": EVC, "CallSid": "CA1", "ErrorUrl": f"https://x/?s={token[:9000]}"},
            headers={
                "X-Twilio-Webhooks-Signature-Settings": "key=unknown,algorithm=HMAC_SHA256",
                "X-Twilio-Signature": "x",
            },
        )
    codec = service_of(app).codec
    assert sum(len(key) for key in codec._decoded) < 100_000
    lines = [r for r in caplog.records if "cannot check the signature" in r.getMessage()]
    # One line, then held back: one more for each 10 s the 300 took (a loaded machine's).
    assert len(lines) <= 2 + int((time.monotonic() - started) / 10)


def test_a_body_larger_than_twilio_sends_is_refused_unread(app):
    response = app.test_client().post(
        "/voice", data={"To": EVC, "Padding": "x" * 20_000}, headers={"X-Twilio-Signature": "x"}
    )
    assert response.status_code == 413


def test_forged_requests_log_one_line_in_a_while(app, caplog):
    for _ in range(200):
        app.test_client().post("/voice", data={"To": EVC}, headers={"X-Twilio-Signature": "x"})
    lines = [r for r in caplog.records if "bad signature" in r.getMessage()]
    assert len(lines) == 1


# -- whatever a prompt holds, the TwiML is valid ------------------------------------------------


@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x1f", "\ufffe", "\ud800"])
def test_a_control_character_in_a_prompt_still_gives_valid_twiml(app, char):
    config = service_of(app).config
    welcome = config.prompts["fr"]["ecoute-violences-conjugales"]["welcome"]
    config.prompts["fr"]["ecoute-violences-conjugales"]["welcome"] = type(welcome)(
        welcome.text.replace("Bienvenue", f"Bien{char}venue")
    )
    response = Call(app, EVC).post("/voice")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    ET.fromstring(body)
    assert "Bien venue" in body and char not in body


# -- recorded prompts ---------------------------------------------------------------------------


def test_a_recorded_prompt_is_served_with_a_relative_config_folder(web, tmp_path, monkeypatch):
    audio = tmp_path / "site" / "prompts" / "audio"
    audio.mkdir(parents=True)
    (audio / "hello.mp3").write_bytes(b"ID3 fake mp3")
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", audio / "link.mp3")
    import shutil

    shutil.copytree(CONFIG, tmp_path / "site" / "config")
    for path in (CONFIG.parent / "prompts").glob("*.yaml"):
        shutil.copy(path, tmp_path / "site" / "prompts" / path.name)
    monkeypatch.delenv("IVR_PROMPTS_DIR")
    server = web(workers=1, cwd=tmp_path / "site", IVR_CONFIG_DIR="config")  # as in a Procfile
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/audio/hello.mp3", timeout=5) as response:
        assert response.read() == b"ID3 fake mp3"
    for path in ("link.mp3", "../config/1712.yaml", "..%2fconfig%2f1712.yaml"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/audio/{path}", timeout=5)
        assert refused.value.code == 404


# -- a broken configuration at a worker's start -------------------------------------------------


def test_a_worker_that_starts_on_broken_files_serves_the_last_good_configuration(
    config_copy, clock
):
    create_app(config_copy, clock=clock)  # accepted: kept aside
    path = config_copy / "ecoute-violences-conjugales.yaml"
    path.write_text(path.read_text().replace("09:00-19:00", "09:00-1900"))
    app = create_app(config_copy, clock=clock)  # a new worker, say
    clock.now = brussels("2026-11-24 10:00")
    assert Call(app, EVC).start().dialled == ["+3220000001"]
    health = app.test_client().get("/healthz", headers=OPS).get_json()
    assert str(path) in health["last_refused_change"]["problems"][0]


def test_with_no_earlier_configuration_broken_files_refuse_to_start(config_copy, clock, tmp_path):
    path = config_copy / "ecoute-violences-conjugales.yaml"
    path.write_text(path.read_text().replace("09:00-19:00", "09:00-1900"))
    from ivr.config import ConfigError

    with pytest.raises(ConfigError):
        create_app(config_copy, clock=clock)

"""Only Twilio may drive the router: X-Twilio-Signature is checked on every webhook."""

import logging
import xml.etree.ElementTree as ET

import pytest
from flask import request
from support.helpers import (
    CALLER,
    CONFIG,
    EVC,
    EVC_SHOWS,
    LINE_1712,
    TEAM_EVC,
    TOKEN,
    Call,
    assert_safe_answer,
    brussels,
    service_of,
)
from twilio.request_validator import RequestValidator

from ivr.app import InsecureStartRefused, create_app
from ivr.twilio import safe, simulate
from ivr.twilio.signature import FORGED, GENUINE
from ivr.twilio.simulate import number_reached
from ivr.twilio.webhooks import Hook


def test_twilio_published_test_vector_through_our_check(monkeypatch, clock):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "12345")
    monkeypatch.setenv("IVR_PUBLIC_URL", "https://mycompany.com")
    app = create_app(CONFIG, clock=clock)
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    service = service_of(app)

    def verdict() -> str:
        hook = Hook(service, request.environ)
        return service.signatures.check(hook.signed_url(), hook.fields, hook.environ)

    with app.test_request_context(
        "/myapp.php?foo=1&bar=2",
        method="POST",
        data=params,
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    ):
        assert Hook(service, request.environ).signed_url() == (
            "https://mycompany.com/myapp.php?foo=1&bar=2"
        )
        assert verdict() == GENUINE
    with app.test_request_context(
        "/myapp.php?foo=1&bar=2",
        method="POST",
        data=dict(params, Digits="1235"),
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    ):
        assert verdict() == FORGED


def test_a_signed_call_is_answered(app):
    call = Call(app, EVC)
    assert call.post("/voice").status_code == 200


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_unsigned_or_badly_signed_requests_are_refused(app, signature):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = app.test_client().post("/voice", data={"To": EVC}, headers=headers)
    assert response.status_code == 403


def test_a_field_changed_after_signing_is_refused(app):
    call = Call(app, EVC)
    good = call.validator.compute_signature("http://localhost/voice", call.params)
    response = app.test_client().post(
        "/voice",
        data=dict(call.params, To="+3280014112"),
        headers={"X-Twilio-Signature": good},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/voice/next?s=x", "/voice/recording?s=x", "/voice/fallback"])
def test_every_webhook_checks_the_signature(app, path):
    assert app.test_client().post(path, data={"To": EVC}).status_code == 403


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(monkeypatch, clock):
    monkeypatch.setenv("IVR_PUBLIC_URL", "https://ivr.example.org/")
    app = create_app(CONFIG, clock=clock)
    call = Call(app, EVC)
    params = call.params
    public = call.validator.compute_signature("https://ivr.example.org/voice", params)
    local = call.validator.compute_signature("http://localhost/voice", params)
    client = app.test_client()
    assert (
        client.post("/voice", data=params, headers={"X-Twilio-Signature": public}).status_code
        == 200
    )
    assert (
        client.post("/voice", data=params, headers={"X-Twilio-Signature": local}).status_code == 403
    )
    # And the URLs the app hands to Twilio are public ones too.
    body = client.post("/voice", data=params, headers={"X-Twilio-Signature": public}).get_data(
        as_text=True
    )
    assert "https://ivr.example.org/voice/next?s=" in body


def test_no_token_refuses_to_start(monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    with pytest.raises(InsecureStartRefused, match="IVR_INSECURE=1"):
        create_app(CONFIG)


def test_insecure_mode_starts_and_warns_loudly(monkeypatch, caplog):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("IVR_INSECURE", "1")
    with caplog.at_level(logging.WARNING):
        app = create_app(CONFIG)
    assert "INSECURE" in caplog.text
    response = app.test_client().post("/voice", data={"To": EVC, "CallSid": "CA1"})
    assert response.status_code == 200


def test_call_state_in_urls_cannot_be_forged(app, clock):
    call = Call(app, "+3220001712")
    clock.now = clock.now.replace(hour=20)  # closed: a menu
    call.start()
    action = call.turn.waiting.get("action")
    assert TOKEN not in action
    forged = action[:-3] + ("AAA" if not action.endswith("AAA") else "BBB")
    call._new_turn()
    turn = call.follow(list(call.request(forged, {"Digits": "1"})))
    # Treated as a new call on the line, never as a choice it did not make.
    assert "Voor Nederlands, druk 1" in turn.text and "Welkom" not in turn.text


# Twilio's webhook SharedKeys: a Webhook Setting names a key and an algorithm, and Twilio then
# signs with that key's secret and says so in X-Twilio-Webhooks-Signature-Settings.
OLD_KEY = ("webhooks_sharedkey_01", "old-shared-secret", "HMAC_SHA256")
NEW_KEY = ("webhooks_sharedkey_02", "new-shared-secret", "HMAC_SHA256")


def shared_key_call(app, key, to=EVC) -> simulate.Call:
    return simulate.Call(app, to, token=TOKEN, caller=CALLER, shared_key=key)


def test_a_call_signed_with_a_shared_key_goes_through_to_a_stored_message(monkeypatch, clock):
    monkeypatch.setenv("TWILIO_SHARED_KEYS", OLD_KEY[1])
    clock.now = brussels("2026-11-24 11:00")
    app = create_app(CONFIG, clock=clock)
    call = shared_key_call(app, OLD_KEY, to=LINE_1712)
    call.start()
    line = service_of(app).config.line_by_number[LINE_1712]
    call.press(str(line.languages.index("fr") + 1))
    assert call.dial_ends("no-answer").kind == "Record"
    call.leave_message(seconds=31)
    stored = service_of(app).store.messages.list()
    assert [(m["line"], m["duration_seconds"]) for m in stored] == [("1712", 31)]


@pytest.mark.parametrize("key", [OLD_KEY, NEW_KEY])
def test_while_one_shared_key_replaces_another_both_are_good(monkeypatch, clock, key):
    monkeypatch.setenv("TWILIO_SHARED_KEYS", f"{OLD_KEY[1]}, {NEW_KEY[1]}")
    app = create_app(CONFIG, clock=clock)
    assert shared_key_call(app, key).start().dialled == [TEAM_EVC]
    # Requests without the settings header are still checked with the auth token.
    assert Call(app, EVC).start().dialled == [TEAM_EVC]


def post_with_shared_key(app, secret, signed_with, announced, key_id=OLD_KEY[0]):
    """POST /voice signed with `secret` and the algorithm `signed_with`, while the settings
    header announces `announced`."""
    call = shared_key_call(app, OLD_KEY)
    signature = RequestValidator(secret).compute_signature(
        "http://localhost/voice", call.params, signed_with
    )
    return app.test_client().post(
        "/voice",
        data=call.params,
        headers={
            "X-Twilio-Signature": signature,
            "X-Twilio-Webhooks-Signature-Settings": f"key={key_id},algorithm={announced}",
        },
    )


@pytest.mark.parametrize(
    ("secret", "signed_with"),
    [
        ("a-secret-we-do-not-have", "HMAC_SHA256"),
        (OLD_KEY[1], "HMAC_SHA1"),  # while the header announces SHA256
        (TOKEN, "HMAC_SHA256"),  # the auth token is not the shared key
    ],
)
def test_a_request_not_signed_with_our_shared_key_is_refused(
    monkeypatch, clock, secret, signed_with
):
    monkeypatch.setenv("TWILIO_SHARED_KEYS", OLD_KEY[1])
    app = create_app(CONFIG, clock=clock)
    assert post_with_shared_key(app, secret, signed_with, "HMAC_SHA256").status_code == 403


@pytest.mark.parametrize(("keys", "algorithm"), [("", "HMAC_SHA256"), (OLD_KEY[1], "HMAC_SHA512")])
def test_a_signature_we_cannot_check_gives_the_safe_answer_and_says_what_to_set(
    monkeypatch, clock, caplog, keys, algorithm
):
    """Our configuration lacks the key (or our twilio library the algorithm): the caller still
    hears where to turn, and the log tells the operator what to fix."""
    monkeypatch.setenv("TWILIO_SHARED_KEYS", keys)
    app = create_app(CONFIG, clock=clock)
    with caplog.at_level(logging.ERROR):
        response = post_with_shared_key(app, OLD_KEY[1], "HMAC_SHA256", algorithm)
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=EVC_SHOWS)
    assert f"key={OLD_KEY[0]},algorithm={algorithm}" in caplog.text
    assert "TWILIO_SHARED_KEYS" in caplog.text
    assert CALLER not in caplog.text


def test_claiming_a_shared_key_is_no_way_around_the_signature_check(app):
    """The settings header alone is no way around the check: a forged request that claims a
    shared key gets the public safe answer at most, never a counsellor's number."""
    call = shared_key_call(app, OLD_KEY)
    turn = call.start()
    assert TEAM_EVC not in turn.dialled
    assert "112" in " ".join(turn.heard)


# -- the trunks' credentials: only in answers to requests whose signature was verified -------

TRUNK_PASSWORD = "trunk-s3cret-pass"


@pytest.fixture
def trunked(monkeypatch, clock):
    """The app with the carrier's trunk credentials set, at an hour when 1712 sends calls to
    Télé-Accueil 107 through that trunk."""
    monkeypatch.setenv("IVR_TRUNK_CARRIER_USERNAME", "helpline")
    monkeypatch.setenv("IVR_TRUNK_CARRIER_PASSWORD", TRUNK_PASSWORD)
    clock.now = brussels("2026-11-24 20:00")
    return create_app(CONFIG, clock=clock)


def sip_of(body: str) -> list[dict]:
    return [dict(sip.attrib) for sip in ET.fromstring(body).iter("Sip")]


@pytest.mark.parametrize("path", ["/voice", "/voice/fallback", "/voice/nothing-here"])
def test_an_unsigned_request_claiming_a_shared_key_never_gets_the_trunk_password(trunked, path):
    # First Twilio's own request for the safe answer: that answer, made with the credentials,
    # is kept.
    genuine = simulate.Call(trunked, LINE_1712, token=TOKEN, caller=CALLER).post("/voice/fallback")
    assert [s.get("password") for s in sip_of(genuine.get_data(as_text=True))] == [TRUNK_PASSWORD]
    # curl -XPOST :PORT/voice -H 'X-Twilio-Webhooks-Signature-Settings: key=k,algorithm=bogus'
    #      -d To=%2B3220001712
    response = trunked.test_client().post(
        path,
        data={"To": LINE_1712},
        headers={"X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=bogus"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    root = ET.fromstring(body)
    assert "112" in " ".join(say.text for say in root.iter("Say"))  # the safe answer
    # The listening line (Tele-Onthaal 106: 1712 speaks Dutch first) is still dialled, through
    # the trunk.
    assert [number_reached(sip) for sip in root.iter("Sip")] == ["106"]
    assert sip_of(body) and all("password" not in s and "username" not in s for s in sip_of(body))
    assert TRUNK_PASSWORD not in body


def test_an_offer_leg_whose_signature_cannot_be_checked_is_hung_up_not_given_the_callers_menu(
    trunked,
):
    """/voice/offer is a counsellor's phone (issue 21): the callers' safe answer there would
    speak the menu to them and dial 107 showing their number."""
    response = trunked.test_client().post(
        "/voice/offer?o=x&e=answer",
        data={"To": "+32470111111", "From": LINE_1712},
        headers={"X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=bogus"},
    )
    root = ET.fromstring(response.get_data(as_text=True))
    assert response.status_code == 200
    assert [child.tag for child in root] == ["Hangup"]


def test_a_genuine_call_through_the_trunk_carries_its_credentials(trunked):
    (target,) = Call(trunked, EVC).start().targets  # closed at 20:00: to Télé-Accueil 107
    assert (target.get("username"), target.get("password")) == ("helpline", TRUNK_PASSWORD)


def test_a_local_trial_dials_the_trunk_without_its_credentials(monkeypatch, clock):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("IVR_INSECURE", "1")
    monkeypatch.setenv("IVR_TRUNK_CARRIER_USERNAME", "helpline")
    monkeypatch.setenv("IVR_TRUNK_CARRIER_PASSWORD", TRUNK_PASSWORD)
    clock.now = brussels("2026-11-24 20:00")
    app = create_app(CONFIG, clock=clock)
    response = app.test_client().post("/voice", data={"To": EVC, "CallSid": "CA" + "0" * 32})
    body = response.get_data(as_text=True)
    assert [number_reached(t) for t in ET.fromstring(body).iter("Sip")] == ["107"]
    assert TRUNK_PASSWORD not in body and "helpline" not in body


def test_the_last_resort_answer_holds_no_secret():
    """nginx's static answer, and the app's when even the safe answer fails: words only."""
    root = ET.fromstring(safe.LAST_RESORT)
    assert [child.tag for child in root] == ["Say", "Say"]

"""Only Twilio may drive the router: X-Twilio-Signature is checked on every webhook."""

import logging

import pytest
from conftest import CONFIG, EVC, TOKEN, Call

import ivr
from ivr import InsecureStartRefused


def test_twilio_published_test_vector_through_our_check(monkeypatch, clock):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "12345")
    monkeypatch.setenv("IVR_PUBLIC_URL", "https://mycompany.com")
    app = ivr.create_app(CONFIG, clock=clock)
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    router = app.extensions["ivr"]
    with app.test_request_context(
        "/myapp.php?foo=1&bar=2",
        method="POST",
        data=params,
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    ):
        assert router.signed_url() == "https://mycompany.com/myapp.php?foo=1&bar=2"
        assert router.request_is_genuine()
    with app.test_request_context(
        "/myapp.php?foo=1&bar=2",
        method="POST",
        data=dict(params, Digits="1235"),
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    ):
        assert not router.request_is_genuine()


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
    app = ivr.create_app(CONFIG, clock=clock)
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
        ivr.create_app(CONFIG)


def test_insecure_mode_starts_and_warns_loudly(monkeypatch, caplog):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("IVR_INSECURE", "1")
    with caplog.at_level(logging.WARNING):
        app = ivr.create_app(CONFIG)
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

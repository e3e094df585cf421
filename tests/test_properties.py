"""Random field values, keys and URLs thrown at every webhook: always 200 or 403, always valid
TwiML, never a traceback for the caller."""

import string
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.helpers import (
    BRUSSELS,
    CONFIG,
    EVC,
    LINE_1712,
    ORIENTATION,
    STOP_IT_NOW,
    TOKEN,
    Call,
    Clock,
    brussels,
)
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from ivr.app import create_app
from ivr.twilio.fields import PostedFields, form_pairs
from ivr.twilio.signature import twilio_sha1

FIELDS = [
    "CallSid",
    "From",
    "To",
    "Digits",
    "DialCallStatus",
    "RecordingUrl",
    "RecordingSid",
    "RecordingDuration",
    "RecordingStatus",
    "ErrorUrl",
    "ErrorCode",
    "Caller",
    "CallerName",
]
text = st.text(max_size=60)
values = st.one_of(
    text,
    st.sampled_from([EVC, LINE_1712, ORIENTATION, STOP_IT_NOW, "anonymous", "", "+32", "1"]),
    st.integers(-5, 10**12).map(str),
    st.sampled_from(["busy", "completed", "no-answer", "failed", "hangup", "#", "*", "1" * 50]),
)
forms = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
paths = st.sampled_from(
    ["/voice", "/voice/next", "/voice/recording", "/voice/whisper", "/voice/fallback", "/voice/x"]
)
states = st.one_of(st.none(), text, st.sampled_from(["", "x.y", "WyJ4Il0.abc"]))
VERBS = {"Say", "Play", "Gather", "Dial", "Record", "Redirect", "Hangup", "Pause"}


SHARED_KEY = "shared-key-secret"
# What a X-Twilio-Webhooks-Signature-Settings header may hold, from Twilio or a forger.
signing_settings = st.one_of(
    st.text(alphabet=string.printable.strip(), max_size=40),
    st.sampled_from(
        ["key=k1,algorithm=HMAC_SHA256", "algorithm=HMAC_SHA1", "algorithm=HMAC_SHA512", "=,"]
    ),
)


def test_any_request_gets_200_with_valid_twiml_or_403(monkeypatch):
    monkeypatch.setenv("TWILIO_SHARED_KEYS", SHARED_KEY)
    client = create_app(CONFIG, clock=Clock(brussels("2026-11-24 10:00"))).test_client()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        path=paths,
        form=forms,
        state=states,
        signed_with=st.sampled_from(["auth token", "shared key", "nothing"]),
        claimed=st.one_of(st.none(), signing_settings),
    )
    def throw(path, form, state, signed_with, claimed):
        # Twilio requests, and signs, URLs as they are on the wire: encoded.
        url = path + (f"?s={quote(state, safe='')}" if state is not None else "")
        full = "http://localhost" + url
        headers = {}
        if signed_with == "auth token":
            headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(full, form)
        elif signed_with == "shared key":
            headers["X-Twilio-Webhooks-Signature-Settings"] = "key=k1,algorithm=HMAC_SHA256"
            headers["X-Twilio-Signature"] = RequestValidator(SHARED_KEY).compute_signature(
                full, form, "HMAC_SHA256"
            )
        elif claimed is not None:  # a forger's settings, with no good signature
            headers["X-Twilio-Webhooks-Signature-Settings"] = claimed
        response = client.post(url, data=form, headers=headers)
        if signed_with != "nothing":
            assert response.status_code == 200
        elif claimed is None:
            assert response.status_code == 403
        else:  # 403, or the safe answer for an algorithm we do not know
            assert response.status_code in (200, 403)
        if response.status_code == 200:
            root = ET.fromstring(response.get_data(as_text=True))
            assert root.tag == "Response"
            assert {verb.tag for verb in root} <= VERBS

    throw()


def test_any_keys_at_any_time_keep_the_call_going():
    clock = Clock(brussels("2026-11-24 10:00"))
    app = create_app(CONFIG, clock=clock)

    @settings(max_examples=150, deadline=None)
    @given(
        keys=st.lists(st.text(max_size=20), min_size=1, max_size=6),
        at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    )
    def play(keys, at):
        clock.now = at.replace(tzinfo=BRUSSELS)
        for to in (ORIENTATION, LINE_1712, STOP_IT_NOW, EVC):
            c = Call(app, to)
            turn = c.start()  # the Call driver checks every document as Twilio would
            for key in keys:
                if turn.kind == "Gather":
                    turn = c.press(key)
                elif turn.kind == "Dial":
                    turn = c.dial_ends("busy")
                elif turn.kind == "Record":
                    turn = c.record_nothing()
            if turn.hung_up:
                # A call that ends has first said where to turn.
                assert any(n in turn.text for n in ("107", "106")), turn.text

    play()


FORM_PIECES = [
    "a",
    "b",
    "=",
    "&",
    "+",
    " ",
    "é",
    "%",
    "%2",
    "%26",
    "%3D",
    "%3d",
    "%2B",
    "%C3",
    "%A9",
]


@settings(max_examples=500, deadline=None)
@given(
    body=st.one_of(
        st.lists(st.sampled_from(FORM_PIECES), max_size=12).map("".join),
        st.lists(st.tuples(text, text), max_size=6).map(urlencode),
    )
)
def test_fields_are_read_as_the_standard_library_reads_them(body):
    # The fields are signed: read differently, a genuine call would be refused as forged.
    pairs = form_pairs(body.encode())
    assert pairs == parse_qsl(body, keep_blank_values=True)
    fields, expected = PostedFields(pairs), MultiDict(pairs)
    assert fields == expected.to_dict()  # each name's first value
    assert all(fields.getall(name) == expected.getlist(name) for name in expected)


@settings(max_examples=500, deadline=None)
@given(
    url=st.text(min_size=1, max_size=80),
    form=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=10),
    key=st.text(min_size=1, max_size=32),
)
def test_our_signature_is_twilios(url, form, key):
    """The direct HMAC of the hot path signs exactly as twilio-python's validator does."""
    fields = PostedFields(list(form.items()))
    expected = RequestValidator(key).compute_signature(url, fields)
    assert twilio_sha1(key.encode("utf-8"), url, fields) == expected

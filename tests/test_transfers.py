"""Every transfer reaches a person on the real Twilio platform: short numbers through the
carrier's trunk, a counsellor takes the call with a key (a voicemail never does), ring groups,
the number to dial when a transfer fails, and recording callbacks however Twilio signed them."""

import re
import xml.etree.ElementTree as ET

import pytest
from support.helpers import (
    CONFIG,
    EVC,
    EVC_SHOWS,
    LINE_1712,
    ORIENTATION,
    STOP_IT_NOW,
    STOP_IT_NOW_SHOWS,
    TEAM_EVC,
    Call,
    brussels,
    check,
    edit,
    metric,
    service_of,
    walk_call,
)

from ivr.app import create_app
from ivr.cli import main
from ivr.flow import Dial
from ivr.twilio import twiml
from ivr.twilio.links import RETRIES
from ivr.twilio.simulate import number_reached

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
BYOC = re.compile(r"^BY[0-9a-f]{32}$")
SIP = re.compile(r"^sip:[0-9+]+@[A-Za-z0-9.-]+(:\d+)?(;[a-z]+=[a-z0-9]+)*$")
COUNSELLORS_1712 = "+3220000003"


def dialable(target: ET.Element) -> bool:
    """What Twilio can dial: an E.164 <Number>, a <Number> through a BYOC trunk, a <Sip>."""
    text = (target.text or "").strip()
    if target.tag == "Number":
        return bool(E164.match(text)) or bool(BYOC.match(target.get("byoc") or ""))
    return target.tag == "Sip" and bool(SIP.match(text))


LINES = {LINE_1712: ["nl", "fr", "en"], ORIENTATION: ["fr", "nl", "de", "en"], EVC: ["fr"]}
LINES[STOP_IT_NOW] = ["fr"]
# Open and closed for every line and partner service: a weekday morning and afternoon, Stop it
# Now's Monday hours, evening (Awel), night, a Saturday, a public holiday, 11 July (1712).
MOMENTS = [
    "2026-11-23 10:00",
    "2026-11-23 14:30",
    "2026-11-23 20:00",
    "2026-11-24 03:00",
    "2026-11-28 17:00",
    "2026-12-25 10:00",
    "2027-07-12 10:00",
]


@pytest.mark.parametrize("at", MOMENTS)
def test_every_dial_of_every_path_is_something_twilio_can_dial(clock, at):
    clock.now = brussels(at)
    app = create_app(CONFIG, clock=clock)
    dials: list[ET.Element] = []

    def visit(turn, depth):
        for document in turn.documents:
            dials.extend(ET.fromstring(document).iter("Dial"))

    for to, languages in LINES.items():
        for lang in languages:
            walk_call(app, to, lang, visit)
    assert dials
    for dial in dials:
        targets = list(dial)
        assert targets, ET.tostring(dial)
        for target in targets:
            assert dialable(target), ET.tostring(target, encoding="unicode")
        assert dial.get("callerId") in (LINE_1712, ORIENTATION, EVC_SHOWS, STOP_IT_NOW_SHOWS)


def test_every_number_of_the_shipped_configuration_renders_dialable():
    app = create_app(CONFIG)
    config = service_of(app).config
    routes = [r for line in config.lines.values() for c in line.contacts.values() for r in c.routes]
    routes += [s.route for s in config.services.values() if not s.line]
    for route in routes:
        document = twiml.render([Dial((route,), EVC, 20, None)], None, config.voices)
        (target,) = ET.fromstring(document).find("Dial")
        assert dialable(target), document
        assert number_reached(target) == route.number
    short = [r for r in routes if not E164.match(r.number)]
    assert {r.number for r in short} == {"107", "106", "103", "102", "1813", "116000"}
    assert all(r.trunk is not None and r.trunk.name == "carrier" for r in short)


def test_the_short_number_goes_to_the_carrier_over_tls_from_ireland(call):
    c = call(EVC, at="2026-11-24 20:00")
    (target,) = c.turn.targets
    assert target.tag == "Sip"
    assert target.text == "sip:107@sip.carrier.example;transport=tls;region=ie1"
    assert target.get("username") is None  # no credentials in the environment


def test_trunk_credentials_come_from_the_environment(clock, monkeypatch, caplog):
    monkeypatch.setenv("IVR_TRUNK_CARRIER_USERNAME", "helpline")
    monkeypatch.setenv("IVR_TRUNK_CARRIER_PASSWORD", "s3cret-pass")
    app = create_app(CONFIG, clock=clock)
    clock.now = brussels("2026-11-24 20:00")
    c = Call(app, EVC)
    (target,) = c.start().targets
    assert (target.get("username"), target.get("password")) == ("helpline", "s3cret-pass")
    assert "s3cret-pass" not in caplog.text


# -- a transfer that fails: the caller hears the number to dial -----------------------------

SAY_THE_NUMBER = {
    "fr": "Nous n'avons pas pu vous mettre en relation avec Télé-Accueil. Raccrochez et "
    "composez le cent sept, jour et nuit",
    "nl": "We konden u niet doorverbinden met Tele-Onthaal. Leg in en bel zelf honderdzes, "
    "dag en nacht",
    "de": "Wir konnten Sie nicht mit Télé-Accueil verbinden. Legen Sie auf und wählen Sie "
    "selbst einhundertsieben, rund um die Uhr",
    "en": "We could not put you through to Télé-Accueil. Please hang up and dial one oh seven "
    "yourself, day and night",
}


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
@pytest.mark.parametrize("status", ["failed", "busy", "no-answer"])
def test_a_failed_transfer_is_followed_by_the_number_to_dial(call, app, lang, status):
    target = "tele-onthaal" if lang == "nl" else "tele-accueil"
    before = metric(app, "ivr_transfer_failures_total", line="orientation", target=target)
    c = call(ORIENTATION, at="2026-11-24 03:00", lang=lang)
    assert c.press("6").dialled == (["106"] if lang == "nl" else ["107"])
    turn = c.dial_ends(status)
    assert turn.text.startswith(SAY_THE_NUMBER[lang])
    assert "112" in turn.text and turn.hung_up  # then the step goes on: where to turn, goodbye
    after = metric(app, "ivr_transfer_failures_total", line="orientation", target=target)
    assert after == before + 1


def test_1712_closed_talk_now_fails_then_the_caller_hears_107(call):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("1")
    turn = c.dial_ends("failed")
    assert "Raccrochez et composez le cent sept, jour et nuit" in turn.text


def test_a_transfer_that_connects_is_not_counted_as_failed(call, app):
    before = metric(app, "ivr_transfer_failures_total", line="orientation", target="tele-accueil")
    c = call(ORIENTATION, at="2026-11-24 03:00")
    c.press("6")
    assert c.dial_ends("completed").hung_up
    after = metric(app, "ivr_transfer_failures_total", line="orientation", target="tele-accueil")
    assert after == before


# -- screening: a counsellor takes the call with a key ---------------------------------------


def test_a_counsellor_who_presses_nothing_leaves_the_caller_to_voicemail(call, app):
    before = metric(app, "ivr_transfers_total", line="1712", status="not taken")
    c = call(LINE_1712, at="2026-11-24 11:00", lang="fr")
    assert c.turn.dialled == [COUNSELLORS_1712]
    turn = c.counsellor_answers(press=None)
    assert turn.counsellor_heard[-1] == "Druk op een toets om dit gesprek aan te nemen."
    assert "Nos intervenants sont tous occupés" in turn.text and turn.kind == "Record"
    assert metric(app, "ivr_transfers_total", line="1712", status="not taken") == before + 1


def test_a_counsellor_who_presses_the_key_is_connected(call, app):
    before = metric(app, "ivr_calls_total", line="1712", outcome="connected")
    c = call(LINE_1712, at="2026-11-24 11:00", lang="fr")
    turn = c.counsellor_answers(press="1")
    assert turn.hung_up and turn.kind is None  # they talk; when the counsellor hangs up, so do we
    assert metric(app, "ivr_calls_total", line="1712", outcome="connected") == before + 1


def test_the_evc_team_not_taking_the_call_sends_the_caller_to_107(call):
    c = call(EVC, at="2026-11-24 11:00")
    turn = c.counsellor_answers(press=None)
    assert "Notre équipe est occupée" in turn.text
    assert turn.dialled == ["107"]


def test_a_phone_that_diverts_to_its_voicemail_is_not_a_counsellor(call):
    # Twilio reports such a leg `completed`; DialBridged says nobody took the caller.
    c = call(LINE_1712, at="2026-11-24 11:00", lang="fr")
    turn = c.dial_ends("completed", bridged=False)
    assert turn.kind == "Record"


def test_without_dial_bridged_the_status_decides(call):
    c = call(LINE_1712, at="2026-11-24 11:00", lang="fr")
    response = c.post(c.turn.waiting.get("action"), {"DialCallStatus": "completed"})
    assert "<Hangup" in response.get_data(as_text=True)


def test_partner_services_are_not_screened(call):
    c = call(EVC, at="2026-11-24 20:00")
    assert [target.get("url") for target in c.turn.targets] == [None]


def test_screening_can_be_turned_off_for_a_contact(config_copy, clock):
    path = config_copy / "ecoute-violences-conjugales.yaml"
    text = path.read_text().replace(
        "    placeholder: true", "    placeholder: true\n    screening: false"
    )
    path.write_text(text)
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 11:00")
    c = Call(app, EVC)
    c.start()
    turn = c.counsellor_answers(press=None)
    assert turn.counsellor_heard == ["Appel de la ligne Écoute Violences Conjugales, en français."]
    assert turn.hung_up  # no key asked: connected


# -- ring groups -------------------------------------------------------------------------------

GROUP = ["+3220000011", "+3220000012", "+3220000013"]


def ring_group(config_copy, clock, ring: str):
    path = config_copy / "ecoute-violences-conjugales.yaml"
    text = path.read_text().replace(
        'number: "+3220000001"', f"numbers: {GROUP}\n    ring: {ring}".replace("'", '"')
    )
    path.write_text(text)
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 11:00")
    return app


def test_a_ring_group_rung_together_is_taken_by_whoever_presses_the_key(config_copy, clock):
    app = ring_group(config_copy, clock, "together")
    c = Call(app, EVC)
    first = c.start()
    assert first.dialled == GROUP and len(first.documents[-1].split("<Dial")) == 2
    assert all(target.get("url") for target in first.targets)  # each phone is screened
    turn = c.counsellor_answers(press="1", phone=2)
    assert turn.hung_up
    c = Call(app, EVC)
    c.start()
    turn = c.counsellor_answers(press=None, phone=0)  # a voicemail picked up first
    assert "Notre équipe est occupée" in turn.text and turn.dialled == ["107"]


def test_a_ring_group_rung_in_order_tries_each_phone_then_its_on_failure(config_copy, clock):
    app = ring_group(config_copy, clock, "in order")
    c = Call(app, EVC)
    assert c.start().dialled == GROUP[:1]
    turn = c.dial_ends("no-answer")
    assert turn.dialled == GROUP[1:2] and turn.text == ""  # the caller hears it ring on
    turn = c.counsellor_answers(press=None)
    assert turn.dialled == GROUP[2:3]
    turn = c.dial_ends("busy")
    assert "Notre équipe est occupée" in turn.text and turn.dialled == ["107"]


def test_a_ring_group_rung_in_order_stops_at_the_one_who_takes_the_call(config_copy, clock):
    app = ring_group(config_copy, clock, "in order")
    c = Call(app, EVC)
    c.start()
    c.dial_ends("busy")
    turn = c.counsellor_answers(press="1")
    assert turn.hung_up and turn.dialled == []


# -- recording callbacks, however Twilio signed them --------------------------------------------


@pytest.mark.parametrize("with_fragment", [False, True])
def test_the_recording_callback_is_stored_whichever_way_twilio_signed_it(call, app, with_fragment):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    c.press("2")
    assert RETRIES in c.turn.waiting.get("recordingStatusCallback")
    c.signs_fragment = with_fragment
    c.leave_message(sid="RE" + "1" * 32)
    rows = service_of(app).store.messages.list()
    assert [row["recording_sid"] for row in rows] == ["RE" + "1" * 32]


def test_a_fragment_is_accepted_only_where_our_url_has_it(call):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    action = c.turn.waiting.get("action")
    c.signs_fragment = True
    assert c.post(action + RETRIES, {"Digits": "2"}).status_code == 403
    assert c.post(action + RETRIES, {"Digits": "2"}).status_code == 403
    record = c.press("2").waiting
    callback = record.get("recordingStatusCallback").split("#")[0]
    other = c.post(callback + "#rc=1", {"RecordingSid": "RE9", "RecordingStatus": "completed"})
    assert other.status_code == 403


# Twilio's connection overrides, as its page documents them (docs/twilio.md): each value's
# bounds in ms (rc: a count); `tt` bounds every attempt of one request, retries included.
OVERRIDE_BOUNDS = {"ct": (100, 10_000), "rt": (100, 15_000), "tt": (100, 15_000), "rc": (0, 5)}
RETRY_POLICIES = {"4xx", "5xx", "ct", "rt", "all"}


def test_the_retries_asked_of_twilio_fit_inside_its_15_s(call):
    from urllib.parse import parse_qs

    from ivr.twilio.webhooks import STORE_WAIT

    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    callback = c.press("2").waiting.get("recordingStatusCallback")
    fragment = parse_qs(callback.split("#", 1)[1], strict_parsing=True)
    assert {key: len(values) for key, values in fragment.items()} == dict.fromkeys(
        [*OVERRIDE_BOUNDS, "rp"], 1
    )
    given = {key: int(values[0]) for key, values in fragment.items() if key != "rp"}
    for key, (low, high) in OVERRIDE_BOUNDS.items():
        assert low <= given[key] <= high, key
    policies = set(fragment["rp"][0].split(","))
    assert policies <= RETRY_POLICIES and {"5xx", "ct", "rt"} <= policies
    # The worst case: every attempt takes its whole connect and read time, and still each
    # retry asked for happens before Twilio's total time (15 s) is over.
    attempt = given["ct"] + given["rt"]
    assert given["rc"] >= 1 and (1 + given["rc"]) * attempt <= given["tt"] <= 15_000
    # A callback that waits for the database, then answers, is not cut off and sent again.
    assert given["rt"] >= 1000 * STORE_WAIT + 1000


# -- ivr check: numbers Twilio cannot dial are refused --------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "services.yaml",
            '    number: "107"\n    via: carrier\n',
            '    number: "107"\n',
            "107 is a short number, which Twilio cannot dial itself",
        ),
        (
            "services.yaml",
            "    via: carrier\n",
            "    via: carier\n",
            "there is no trunk 'carier' in trunks.yaml; did you mean 'carrier'?",
        ),
        (
            "ecoute-violences-conjugales.yaml",
            'number: "+3220000001"',
            'number: "101"\n    via: carrier',
            "101 is an emergency number",
        ),
        (
            "ecoute-violences-conjugales.yaml",
            'number: "+3220000001"',
            'number: "1712"',
            "1712 is a short number, which Twilio cannot dial itself",
        ),
        (
            "trunks.yaml",
            "sip: sip.carrier.example",
            "sip: sip:107@sip.carrier.example",
            "is not a SIP host",
        ),
        ("trunks.yaml", "sip: sip.carrier.example", "byoc: BY123", "is not a BYOC trunk SID"),
        ("trunks.yaml", "transport: tls", "transport: tsl", "'transport' is for SIP trunks only"),
    ],
)
def test_check_refuses_what_twilio_cannot_dial(config_copy, capsys, file, old, new, message):
    path = config_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    code, out = check(config_copy, capsys)
    assert code == 1
    (line,) = [line for line in out if message in line]
    assert re.match(rf"^{re.escape(str(path))}:\d+: ", line), line
    number = int(line.split(":")[1])
    assert number > 0


def test_a_byoc_trunk_dials_the_number_through_the_operators_carrier(config_copy, clock):
    sid = "BY" + "0123456789abcdef" * 2
    path = config_copy / "trunks.yaml"
    text = path.read_text().replace("    sip: sip.carrier.example\n    transport: tls\n", "")
    path.write_text(text.replace("    region: ie1\n", f"    byoc: {sid}\n"))
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 20:00")
    (target,) = Call(app, EVC).start().targets
    assert (target.tag, target.text, target.get("byoc")) == ("Number", "107", sid)


def test_an_override_to_a_short_number_goes_through_its_trunk(app, capsys, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "coordinator")
    # Set before the call the test's clock makes (an override starts when it is set).
    at, evc = ["--at", "2026-11-24 09:00"], "ecoute-violences-conjugales"
    code = main(["override", evc, "open", "--to", "106", "--reason", "x", *at])
    assert code == 0, capsys.readouterr()
    (target,) = Call(app, EVC).start().targets
    assert target.tag == "Sip" and number_reached(target) == "106"
    assert target.get("url") is None  # a service's own system answers: not screened
    code = main(["override", evc, "open", "--to", "4455", "--reason", "x", *at])
    assert code == 2
    assert "not a number the router can dial" in capsys.readouterr().err


def test_the_team_phone_shows_the_line_caller_id_whichever_of_its_numbers_was_dialled(
    config_copy, clock
):
    # The public 0800 number at Twilio, and a Twilio number the carrier forwards it to.
    forwarded = "+3225550123"
    path = config_copy / "ecoute-violences-conjugales.yaml"
    path.write_text(path.read_text().replace('["+3280030030"]', f'["+3280030030", "{forwarded}"]'))
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 11:00")
    for dialled in (EVC, forwarded):
        turn = Call(app, dialled).start()
        assert turn.dialled == [TEAM_EVC]
        assert turn.waiting.get("callerId") == EVC_SHOWS


def test_a_line_without_caller_id_shows_the_number_the_caller_dialled(config_copy, clock):
    # 1712's numbers are geographic: Twilio may show either on the counsellors' phones.
    forwarded = "+3225550123"
    path = config_copy / "1712.yaml"
    edit(path, '["+3220001712"]', f'["+3220001712", "{forwarded}"]')
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 11:00")
    for dialled in (LINE_1712, forwarded):
        c = Call(app, dialled)
        c.start()
        turn = c.press("2")  # en français
        assert turn.dialled == [COUNSELLORS_1712]
        assert turn.waiting.get("callerId") == dialled


def test_a_sip_trunk_rung_together_with_other_phones_is_warned_about(config_copy, capsys):
    path = config_copy / "ecoute-violences-conjugales.yaml"
    path.write_text(
        path.read_text().replace(
            'number: "+3220000001"', 'numbers: ["+3220000011", "1712"]\n    via: carrier'
        )
    )
    code, out = check(config_copy, capsys)
    assert code == 0
    assert any("Enhanced Programmable SIP Features" in line for line in out)

"""What the phones a transfer rings show: a line's `caller_id:` where Twilio cannot show its
number (the two 0800 lines), a trunk's own where the carrier decides; never the caller's."""

import io

import pytest
from support.helpers import (
    CALLER,
    EVC,
    EVC_SHOWS,
    STOP_IT_NOW,
    STOP_IT_NOW_SHOWS,
    TEAM_EVC,
    Call,
    brussels,
    check,
    edit,
    line_of,
)

from ivr.app import create_app
from ivr.cli import main
from ivr.domain import model
from ivr.twilio.simulate import SimulationError, number_reached

EVC_FILE = "ecoute-violences-conjugales.yaml"
CALLER_ID = (
    'caller_id:\n  number: "+3220000800"   # PLACEHOLDER: a Brussels (02) number the helpline '
    "holds at Twilio\n  placeholder: true\n"
)
FIX = (
    'a Belgian geographic or mobile number the helpline holds at Twilio, such as caller_id: "02 '
    "555 01 23\" (docs/configuration.md, 'Caller ID')"
)
BYOC_SID = "BY" + "0123456789abcdef" * 2


def errors(config_copy, capsys) -> list[str]:
    code, out = check(config_copy, capsys)
    assert code == 1, out
    return [o for o in out if ": warning:" not in o][:-1]


@pytest.mark.parametrize(
    ("line", "shows", "at"),
    [(EVC, EVC_SHOWS, "2026-11-24 10:00"), (STOP_IT_NOW, STOP_IT_NOW_SHOWS, "2026-11-23 14:00")],
)
def test_the_teams_phone_shows_the_lines_caller_id_not_its_0800_number(call, line, shows, at):
    c = call(line, at=at)
    assert c.turn.kind == "Dial" and [t.tag for t in c.turn.targets] == ["Number"]
    assert c.turn.waiting.get("callerId") == shows
    assert shows not in (line, CALLER)


def test_107_through_the_trunk_shows_the_lines_caller_id_too(call):
    c = call(EVC, at="2026-11-24 22:00")
    assert c.turn.dialled == ["107"] and c.turn.targets[0].tag == "Sip"
    assert c.turn.waiting.get("callerId") == EVC_SHOWS


def test_twilio_in_the_simulation_refuses_a_leg_that_shows_an_0800_number(app, clock, monkeypatch):
    # As the router was: every leg showed the number dialled. Twilio's guidelines for Belgium:
    # no outbound call from a toll-free or national number.
    monkeypatch.setattr(model.Config, "caller_id", lambda self, line, targets, dialled: dialled)
    clock.now = brussels("2026-11-24 10:00")
    with pytest.raises(SimulationError, match="Twilio places no call from \\+3280030030"):
        Call(app, EVC).start()


def test_an_0800_line_without_caller_id_is_refused_at_its_numbers(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, CALLER_ID, "")
    assert errors(config_copy, capsys) == [
        f"{path}:{line_of(path, 'numbers:')}: 0800 30 030 is a toll-free number, which Twilio "
        "cannot show on the calls it places in Belgium (its guidelines for Belgium allow no "
        "outbound call from a toll-free or national number): the transfers to team would fail; "
        f"add 'caller_id:' with {FIX}"
    ]


def test_an_0800_line_that_puts_calls_through_only_by_the_carrier_needs_no_caller_id(
    config_copy, capsys
):
    # The carrier decides what its trunk presents (docs/twilio.md, the first calls).
    path = config_copy / EVC_FILE
    edit(path, CALLER_ID, "")
    edit(path, '    number: "+3220000001"', '    number: "1712"\n    via: carrier')
    code, out = check(config_copy, capsys)
    assert code == 0, out


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("0800 14 112", "a toll-free number"),
        ("070 24 52 45", "a premium-rate number"),
        ("0903 12 345", "a premium-rate number"),
        ("078 15 15 15", "a national (UAN) number"),
    ],
)
def test_a_caller_id_twilio_cannot_show_is_refused_with_the_fix(config_copy, capsys, written, kind):
    path = config_copy / EVC_FILE
    edit(path, '  number: "+3220000800"', f'  number: "{written}"')
    edit(path, "  placeholder: true\n\nwhen_open", "\nwhen_open")
    assert errors(config_copy, capsys) == [
        f"{path}:{line_of(path, written)}: caller_id: {written} is {kind}, which Twilio cannot "
        "show on the calls it places in Belgium (its guidelines for Belgium allow no outbound "
        "call from a toll-free or national number): the transfers that show it would fail; "
        f"give {FIX}"
    ]


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("+33 1 42 68 53 00", "is not a Belgian number"),
        ("02 000 00 21", "is a placeholder, no one's number"),
        ("107", None),
    ],
)
def test_a_caller_id_that_is_no_belgian_geographic_or_mobile_number_is_refused(
    config_copy, capsys, written, problem
):
    path = config_copy / EVC_FILE
    edit(path, CALLER_ID, f'caller_id: "{written}"\n')
    (message,) = errors(config_copy, capsys)
    assert message.startswith(f"{path}:{line_of(path, 'caller_id:')}: caller_id: ")
    assert (problem or "107 is a short number, which no phone shows as a caller") in message
    assert FIX in message


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("02 555 01 23", "+3225550123"),
        ("0470 99 98 88", "+32470999888"),
        ("04 220 12 34", "+3242201234"),
    ],
)
def test_a_geographic_or_mobile_caller_id_is_what_the_team_sees(
    config_copy, capsys, clock, written, shown
):
    path = config_copy / EVC_FILE
    edit(path, CALLER_ID, f'caller_id: "{written}"\n')
    code, out = check(config_copy, capsys)
    assert code == 0, out
    clock.now = brussels("2026-11-24 10:00")
    turn = Call(create_app(config_copy, clock=clock), EVC).start()
    assert turn.dialled == [TEAM_EVC]
    assert turn.waiting.get("callerId") == shown


def trunk_with_caller_id(config_copy, caller_id: str, byoc: bool = False):
    trunks = config_copy / "trunks.yaml"
    if byoc:
        edit(trunks, "    sip: sip.carrier.example\n    transport: tls\n    region: ie1\n", "")
        edit(trunks, "    placeholder: true", f"    byoc: {BYOC_SID}\n    placeholder: true")
    edit(trunks, "    placeholder: true", f'    placeholder: true\n    caller_id: "{caller_id}"')


@pytest.mark.parametrize("byoc", [False, True])
def test_a_trunks_caller_id_is_what_calls_through_it_show(config_copy, capsys, clock, byoc):
    trunk_with_caller_id(config_copy, "02 555 00 00", byoc)
    code, out = check(config_copy, capsys)
    assert code == 0, out
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 22:00")  # closed: 107, through the carrier
    turn = Call(app, EVC).start()
    assert [number_reached(t) for t in turn.targets] == ["107"]
    assert turn.targets[0].tag == ("Number" if byoc else "Sip")
    assert turn.waiting.get("callerId") == "+3225550000"
    clock.now = brussels("2026-11-24 10:00")  # open: the team, a phone Twilio dials itself
    assert Call(app, EVC).start().waiting.get("callerId") == EVC_SHOWS


def test_the_carrier_decides_so_a_trunks_caller_id_may_be_the_0800_number(config_copy, capsys):
    trunk_with_caller_id(config_copy, "0800 30 030")
    code, out = check(config_copy, capsys)
    assert code == 0, out


def test_a_trunks_caller_id_must_be_a_number(config_copy, capsys):
    trunk_with_caller_id(config_copy, "107")
    trunks = config_copy / "trunks.yaml"
    at = line_of(trunks, 'caller_id: "107"')
    assert errors(config_copy, capsys) == [
        f"{trunks}:{at}: trunk 'carrier': 107 is a short number, "
        "which no phone shows as a caller; give the number your carrier presents for the "
        "helpline"
    ]


def test_a_ring_group_through_a_trunk_shows_the_trunks_caller_id(config_copy, capsys, clock):
    trunk_with_caller_id(config_copy, "02 555 00 00", byoc=True)
    path = config_copy / EVC_FILE
    edit(path, 'number: "+3220000001"', 'numbers: ["1712", "116000"]\n    via: carrier')
    code, out = check(config_copy, capsys)
    assert code == 0, out
    clock.now = brussels("2026-11-24 10:00")
    turn = Call(create_app(config_copy, clock=clock), EVC).start()
    assert turn.dialled == ["1712", "116000"]
    assert turn.waiting.get("callerId") == "+3225550000"


def test_one_dial_of_a_trunk_and_a_phone_twilio_dials_shows_what_twilio_may_show():
    # `via:` is a contact's, so no group of the configuration mixes them; were one to, its one
    # <Dial> (one callerId) shows the line's caller ID, which Twilio accepts on its own legs.
    trunk = model.Trunk("carrier", byoc=BYOC_SID, caller_id="+3225550000")
    line = model.Line(
        "evc", "EVC", (EVC,), ("fr",), None, "open", "closed", {}, caller_id=EVC_SHOWS
    )
    config = model.Config({}, {}, {}, {})
    mixed = (model.Route(TEAM_EVC), model.Route("107", trunk))
    assert config.caller_id(line, mixed, EVC) == EVC_SHOWS
    assert config.caller_id(line, mixed[1:], EVC) == "+3225550000"
    assert config.caller_id(line, mixed[:1], EVC) == EVC_SHOWS


def test_new_line_on_an_0800_number_asks_what_the_team_sees_and_writes_it(
    config_copy, capsys, monkeypatch, clock
):
    answers = [
        "Écoute Ados",
        "",
        "0800 99 123",  # the number: toll-free
        "070 24 52 45",  # what the team sees: refused, national
        "02 555 01 23",
        "fr",
        "always",
        "0470 99 98 88",
        "1",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(a + "\n" for a in answers)))
    code = main(["new-line", "--config", str(config_copy)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (
        "0800 99 123 is a toll-free number, which Twilio cannot show on the calls it puts "
        "through: the Belgian geographic or mobile number the line holds at Twilio, to show "
        "instead (such as 02 555 01 23): 070 24 52 45\n  070 24 52 45 is a premium-rate number"
    ) in out
    written = (config_copy / "ecoute-ados.yaml").read_text(encoding="utf-8")
    assert 'numbers: ["+3280099123"]\ncaller_id: "+3225550123"\n' in written
    clock.now = brussels("2026-11-24 10:00")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    turn = Call(create_app(config_copy, clock=clock), "+3280099123").start()
    assert turn.dialled == ["+32470999888"] and turn.waiting.get("callerId") == "+3225550123"

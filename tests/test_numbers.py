"""Phone numbers written the ways Belgians write them: accepted, kept in one form, dialled."""

import pytest
from support.helpers import EVC, Call, brussels, check, edit, line_of

from ivr.app import create_app
from ivr.domain import phone, speech
from ivr.twilio import platform

EVC_FILE = "ecoute-violences-conjugales.yaml"
TEAM = 'number: "+3220000001"'


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("02 000 00 01", "+3220000001"),
        ("02/000.00.01", "+3220000001"),
        ("020000001", "+3220000001"),
        ("+32 2 000 00 01", "+3220000001"),
        ("+32 (0)2 000 00 01", "+3220000001"),
        ("0032 2 000 00 01", "+3220000001"),
        ("+32 0470 12 34 56", "+32470123456"),
        ("0470-12-34-56", "+32470123456"),
        ("0800 30 030", "+3280030030"),
        ("+3280030030", "+3280030030"),
        ("04 200 00 00", "+3242000000"),  # Liège: 04 and 8 digits, not a mobile
        ("0456 12 34 56", "+32456123456"),
        ("+1 212 555 0100", "+12125550100"),
        ("107", "107"),
        ("116 000", "116000"),
        ("112", "112"),
    ],
)
def test_normalise_keeps_one_form(written, kept):
    assert phone.normalise(written) == kept


@pytest.mark.parametrize(
    "written",
    [
        *("", "1o7", "12", "0470 12 34 56 78 90", "02 + 000", "tél."),
        # A digit missing or one too many: it would ring no one, or someone else.
        *("02 000 00 1", "+32 2 00 00 01", "0470 12 34 5", "02 000 00 011", "+3247011223"),
    ],
)
def test_normalise_refuses_what_is_not_a_number(written):
    assert phone.normalise(written) is None


@pytest.mark.parametrize(
    "written", ['"02 000 00 01"', "02 000 00 01", "020000001", '"+32 2 000 00 01"', "02/000.00.01"]
)
def test_a_contact_written_the_belgian_way_is_dialled_in_plus_32_form(
    config_copy, capsys, clock, written
):
    edit(config_copy / EVC_FILE, TEAM, f"number: {written}")
    code, out = check(config_copy, capsys)
    assert code == 0, out
    assert not [o for o in out if "+3220000001" in o and "placeholder" not in o], out
    clock.now = brussels("2026-11-24 10:00")
    assert Call(create_app(config_copy, clock=clock), EVC).start().dialled == ["+3220000001"]


def test_a_line_number_written_the_belgian_way_is_the_one_calls_arrive_on(config_copy, clock):
    edit(config_copy / EVC_FILE, '["+3280030030"]', '["0800 30 030"]')
    clock.now = brussels("2026-11-24 10:00")
    assert Call(create_app(config_copy, clock=clock), EVC).start().dialled == ["+3220000001"]


def test_a_service_number_written_the_belgian_way(config_copy, capsys):
    edit(config_copy / "services.yaml", 'number: "+3280098100"', "number: 0800 98 100")
    code, out = check(config_copy, capsys)
    assert code == 0, out


def one_error(config_copy, capsys) -> str:
    code, out = check(config_copy, capsys)
    assert code == 1, out
    errors = [o for o in out if ": warning:" not in o][:-1]
    assert len(errors) == 1, out
    return errors[0]


def test_a_number_that_cannot_be_read_is_one_error(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, TEAM, 'number: "02 000 00 0x"')
    assert one_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '0x')}: team: '02 000 00 0x' is not a phone number; write it "
        "as on a business card, such as 02 000 00 01, 0470 12 34 56 or +32 2 000 00 01 (a "
        "Belgian number has 9 digits with its 0, a mobile 10), or a short number such as 107"
    )


def test_a_short_number_as_a_line_number_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, '["+3280030030"]', '["1712"]')
    message = one_error(config_copy, capsys)
    assert message.startswith(
        f"{path}:{line_of(path, 'numbers:')}: 1712 is a short number, which Twilio never gives "
        "as the number dialled: write the Twilio number callers reach the line on"
    )


# -- Belgium's numbering plan, by libphonenumber ----------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "077 12 34 56",  # no Belgian number starts 077
        "02 012 34 56",  # nor a Brussels one 02 0 (but the placeholders, 02 000 ...)
        "+32 40 12 34 56",  # nor one of Liège 04 0
        "0800 01 234",  # nor a toll-free one 0800 0
    ],
)
def test_a_number_of_the_right_length_in_no_range_of_the_plan_is_refused(written):
    assert phone.normalise(written) is None


def test_a_contact_in_no_range_of_the_plan_is_one_error(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, TEAM, 'number: "077 12 34 56"')
    assert one_error(config_copy, capsys).startswith(
        f"{path}:{line_of(path, '077')}: team: '077 12 34 56' is not a phone number; write it "
        "as on a business card"
    )


@pytest.mark.parametrize(
    ("number", "kind", "shown"),
    [
        ("+3280030030", "a toll-free number", False),
        ("+3270245245", "a premium-rate number", False),  # 070
        ("+3290312345", "a premium-rate number", False),  # 0903
        ("+3278151515", "a national (UAN) number", False),  # 078
        ("+3225550123", "a geographic number", True),
        ("+32470123456", "a mobile number", True),
        ("+3220000001", "a placeholder", True),  # stands for a geographic number to come
        ("+33142685300", "a geographic number", True),  # not Belgium's rule
    ],
)
def test_the_type_of_a_number_says_whether_twilio_may_show_it(number, kind, shown):
    assert phone.kind(number) == kind
    assert platform.shows(number) is shown


@pytest.mark.parametrize(
    ("number", "written"),
    [
        ("+3280030030", "0800 30 030"),
        ("+3220000001", "02 000 00 01"),
        ("+32470112233", "0470 11 22 33"),
        ("+3242000000", "04 200 00 00"),
        ("+12125550100", "+1 212-555-0100"),
        ("107", "107"),
    ],
)
def test_operators_read_a_number_in_the_national_format(number, written):
    assert speech.written_number(number) == written


def test_the_emergency_numbers_are_those_of_the_short_number_data():
    assert [n for n in ("112", "101", "100", "107", "1712", "116000") if phone.is_emergency(n)] == [
        "112",
        "101",
        "100",
    ]


def test_a_short_number_belgium_does_not_have_is_warned_about(config_copy, capsys):
    path = config_copy / "services.yaml"
    edit(path, 'number: "116000"', 'number: "116 111"')
    code, out = check(config_copy, capsys)
    assert code == 0, out
    assert (
        f"{path}:{line_of(path, '116 111')}: warning: child-focus: 116111 is not one of "
        "Belgium's short numbers as libphonenumber knows them (its short-number data): check the "
        "number, and that your carrier routes it"
    ) in out

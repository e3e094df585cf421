"""Features an operator writes in YAML, followed through a call."""

from support.helpers import EVC, ORIENTATION, Call, brussels, edit

from ivr.app import create_app


def app_for(config_copy, clock, at: str):
    clock.now = brussels(at)
    return create_app(config_copy, clock=clock)


def test_multi_digit_keys(config_copy, clock):
    edit(
        config_copy / "orientation.yaml",
        """          "1": partner-violence
          "2": sexual-violence""",
        """          "11": partner-violence
          "12": sexual-violence""",
    )
    edit(config_copy / "orientation.yaml", '"3": children', '"30": children')
    app = app_for(config_copy, clock, "2026-11-24 10:00")
    c = Call(app, ORIENTATION)
    c.start()
    turn = c.press("1")  # français
    assert turn.waiting.get("numDigits") is None
    assert turn.waiting.get("finishOnKey") == "#"
    assert "SOS Viol" in c.press("12").text


def test_a_dated_exception_closes_the_line_for_an_afternoon(config_copy, clock):
    edit(
        config_copy / "ecoute-violences-conjugales.yaml",
        "  public_holidays: closed\n",
        "  public_holidays: closed\n"
        "  exceptions:\n"
        "    - dates: 2026-12-24\n"
        "      hours: 14:00-24:00\n"
        "      status: closed\n"
        "      reason: Réveillon\n"
        "    - dates: 2026-12-26\n"
        "      hours: 10:00-12:00\n"
        "      status: open\n"
        "      reason: Permanence du samedi\n",
    )
    app = app_for(config_copy, clock, "2026-12-24 13:59")
    assert Call(app, EVC).start().dialled == ["+3220000001"]
    clock.now = brussels("2026-12-24 14:00")
    assert Call(app, EVC).start().dialled == ["107"]
    clock.now = brussels("2026-12-26 11:00")  # a Saturday, after Christmas
    assert Call(app, EVC).start().dialled == ["+3220000001"]


def test_changed_hours_change_what_callers_hear(config_copy, clock):
    edit(
        config_copy / "ecoute-violences-conjugales.yaml",
        "mon-fri: 09:00-19:00",
        "mon-fri: 08:30-20:00\n    sat: 10:00-13:00",
    )
    app = app_for(config_copy, clock, "2026-11-24 20:30")
    text = Call(app, EVC).start().text
    assert "du lundi au vendredi de 8 h 30 à 20 h et le samedi de 10 h à 13 h" in text

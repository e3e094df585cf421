"""What the board says a call does is what the call does.

Every shipped line, in each language its callers speak, under each kind of override, at
moments when it is open, closed, on a holiday and in the evening: the board's words for where
a call goes (and, for a menu, each key) must name the number the simulated call then rings,
the voicemail it records, or the end it comes to. And `ivr status` must say the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.helpers import CONFIG, Call, brussels, number_reached, service_of

from ivr.console import board
from ivr.domain import model, speech

MOMENTS = {
    "open": "2026-11-24 10:00",  # a Tuesday: 1712 and EVC open (the information line always)
    "closed": "2026-11-28 15:00",  # a Saturday
    "evening": "2026-11-24 21:00",
    "holiday": "2026-12-25 11:00",
}
OPEN_AT = {"stop-it-now": "2026-11-25 17:30"}  # Wednesday evening
# Each kind of override an operator sets: (open, where calls go, starting in minutes).
OVERRIDES = {
    "none": None,
    "closed": (False, None, 0),
    "open": (True, None, 0),
    "closed to a service": (False, "tele-onthaal", 0),
    "closed to another service": (False, "tele-accueil", 0),
    "open to a number": (True, "+32470112233", 0),
    "planned": (False, "tele-onthaal", 60),
}
LINES = ("1712", "ecoute-violences-conjugales", "stop-it-now", "orientation")


def written(number: str) -> set[str]:
    """The ways the board may write a number for people to read it."""
    return (
        {speech.written_number(number), number}
        if not number.startswith("+")
        else {speech.written_number(number)}
    )


def expected_words(config, line: model.Line, turn) -> tuple[str, set[str]]:
    """What the board must name for where the call waits now: the numbers its <Dial>
    rings (by one of the ways they are written), or the kind of place."""
    if turn.waiting is None:
        return "end", set()
    if turn.waiting.tag == "Record":
        return "voicemail", set()
    if turn.waiting.tag != "Dial":
        return "menu", set()
    numbers = {number_reached(target) for target in turn.targets}
    others = [
        other
        for other in config.lines.values()
        if other.id != line.id and numbers & {n for c in other.contacts.values() for n in c.numbers}
    ]
    if others:  # into another of our lines: named as the line
        return "line", {others[0].name}
    return "dial", numbers


def says(text: str, kind: str, names: set[str], lang: str) -> bool:
    if kind == "dial":
        return all(any(w in text for w in written(n)) for n in names)
    if kind == "line":
        return all(name in text for name in names)
    if kind == "voicemail":
        return board.translate("voicemail", lang) in text
    if kind == "end":
        return "107, 112, 101" in text
    return True


def set_override(store, line: str, kind: str, now):
    spec = OVERRIDES[kind]
    if spec is None:
        return
    is_open, to, later = spec
    store.overrides.set(
        model.Override(
            line,
            is_open,
            now + timedelta(hours=3),
            forward_to=to,
            reason="test",
            starts_at=now + timedelta(minutes=later) if later else None,
        ),
        operator="test",
        now=now,
    )


@pytest.mark.parametrize("line_id", LINES)
def test_the_board_names_where_each_call_goes(app, clock, line_id):
    service = service_of(app)
    config = service.config
    line = config.lines[line_id]
    wrong = []
    for moment, at in MOMENTS.items():
        at = OPEN_AT.get(line_id, at) if moment == "open" else at
        for kind in OVERRIDES:
            clock.now = brussels(at)
            for o in service.store.overrides.in_force_or_planned(clock.now):
                service.store.overrides.clear(
                    o.line, operator="test", reason="test", now=clock.now, number=o.id
                )
            set_override(service.store, line_id, kind, clock.now)
            rows = {
                page: board.board(service, clock.now, page, only=line_id)[0]
                for page in ("fr", "nl")
            }
            for lang in line.languages:
                wrong += _check(app, config, line, lang, rows, f"{moment}/{kind}")
    assert not wrong, "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"


def _check(app, config, line, lang, rows, case) -> list[str]:
    """The call of a caller speaking `lang`, against the board's row in each page language."""

    def begin():
        c = Call(app, line.numbers[0])
        turn = c.start()
        if len(line.languages) > 1:
            turn = c.press(str(line.languages.index(lang) + 1))
        return c, turn

    c, turn = begin()
    reached = {None: expected_words(config, line, turn)}
    if reached[None][0] == "menu":
        for key in sorted({o.split(" ", 1)[0] for row in rows.values() for o in row.options}):
            if not key.isdigit():
                continue
            c, first = begin()
            after = c.press(key)
            again = after.waiting is not None and after.waiting.get("action") == (
                first.waiting.get("action") if first.waiting is not None else None
            )
            if not again:
                reached[key] = expected_words(config, line, after)
    wrong = []
    for page, row in rows.items():
        where = f"{case} {line.id} caller {lang} page {page}"
        kind, names = reached[None]
        if kind != "menu":
            if not says(row.goes, kind, names, page):
                wrong.append(f"{where}: the call reaches {kind} {sorted(names)}; says {row.goes!r}")
            continue
        options = {o.split(" ", 1)[0]: o for o in row.options}
        if not options:
            wrong.append(f"{where}: the call asks for a key; the board says {row.goes!r}")
        for key, (kind, names) in reached.items():
            if key is None:
                continue
            option = options.get(key, "")
            if not says(option, kind, names, page):
                wrong.append(f"{where}: key {key} reaches {kind} {sorted(names)}; says {option!r}")
    return wrong


def test_the_board_and_ivr_status_say_the_same_routes(capsys, app, clock):
    """One description: `ivr status` and the board come from the same walk of the call."""
    from ivr.flow import describe
    from ivr.flow.status import line_status

    service = service_of(app)
    clock.now = brussels(MOMENTS["evening"])
    for line in service.config.lines.values():
        stops = describe.route(service.config, line, clock.now)
        status = line_status(service.config, line, clock.now)
        assert status.destination == describe.Words(service.config, line).route(stops)
    assert CONFIG.is_dir()


def test_an_instruction_no_renderer_knows_gives_the_safe_answer(app, monkeypatch):
    """A kind of instruction the TwiML renderer does not know is never dropped in silence:
    the renderer refuses it, and the caller gets the safe answer (112, 101, 107)."""
    from dataclasses import dataclass

    from support.helpers import EVC, EVC_SHOWS, assert_safe_answer

    from ivr.flow.actions import Say
    from ivr.twilio import twiml

    @dataclass(frozen=True)
    class Unknown:
        pass

    with pytest.raises(twiml.UnknownInstruction):
        twiml.render([Unknown()], links=None, voices={})

    def perform(self, flow, line, state):
        flow.out.append(Unknown())
        return state.next_action()

    monkeypatch.setattr(Say, "perform", perform)
    turn = Call(app, EVC).start()
    assert_safe_answer(turn.documents[-1], EVC_SHOWS)

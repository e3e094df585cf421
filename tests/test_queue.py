"""Callers wait in Twilio's queue for a counsellor on duty (issue 21), end to end: signed
webhooks as Twilio drives them (`ivr.twilio.simulate`), the REST stand-in placing the
counsellors' legs and holding the queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import CALLER, LINE_1712, TOKEN, Call, add_operator, metric, service_of

from ivr.twilio.simulate import Counsellor

PHONES = {"ana": "0470 11 11 11", "bo": "0470 22 22 22", "cy": "0470 33 33 33"}


class Desk:
    """The app with the REST stand-in, its counsellors, and callers who wait."""

    def __init__(self, app, twilio, clock):
        self.app, self.twilio, self.clock = app, twilio, clock
        self.service = service_of(app)
        self.store = self.service.store
        self.sids = 0
        self.answered = 0

    def on_duty(self, name: str, languages=None, lines=("1712",)) -> None:
        add_operator(self.store, name, "counsellor", at=self.clock.now)
        self.store.duty.start(name, list(lines), PHONES[name], languages, now=self.clock.now)

    def caller(self, lang: str = "fr") -> Call:
        self.sids += 1
        c = Call(self.app, LINE_1712, sid="CA" + f"{self.sids:032x}")
        c.exchange = self.twilio
        c.start()
        c.press(str(["nl", "fr", "en"].index(lang) + 1))
        return c

    def offers(self) -> list[Counsellor]:
        """A round of the queue thread, and the counsellors' phones it rang since the last."""
        assert self.service.queue.thread.fresh(10)
        new = self.twilio.placed[self.answered :]
        self.answered = len(self.twilio.placed)
        return [Counsellor(self.app, placed, self.twilio, token=TOKEN) for placed in new]

    def ringing(self) -> list[str]:
        return [placed["To"] for placed in self.twilio.placed[self.answered :]]


@pytest.fixture
def desk(private_app, twilio, clock):
    return Desk(private_app, twilio, clock)


def test_three_callers_two_counsellors(desk):
    desk.on_duty("ana")
    desk.clock.now += timedelta(seconds=1)
    desk.on_duty("bo")
    callers = [desk.caller() for _ in range(3)]
    for c in callers:
        assert c.turn.kind == "Enqueue" and c.queue == "1712-fr"
    # Each heard their place in line, and 112 and 101, in French.
    assert "Vous êtes le prochain" in " ".join(callers[0].wait_heard)
    assert "position 3" in " ".join(callers[2].wait_heard)
    assert "112" in " ".join(callers[2].wait_heard) and "101" in " ".join(callers[2].wait_heard)
    offers = desk.offers()
    # Two counsellors, three callers: two offers, longest idle first; never the caller's number.
    assert [o.placed["To"] for o in offers] == ["+32470111111", "+32470222222"]
    assert all(o.placed["From"] == LINE_1712 for o in offers)
    assert all(CALLER not in str(o.placed) for o in offers)
    assert desk.offers() == []  # asked again: no more offers than callers waiting
    ana, bo = (o.answers("1") for o in offers)
    # Said in the line's own language, as a transfer's whisper is.
    assert "Oproep via de lijn 1712, in het Frans." in " ".join(ana.heard)
    assert ana.caller is callers[0] and bo.caller is callers[1]
    # The third hears that it is first in line now.
    callers[2].wait(30)
    assert "Vous êtes le prochain" in " ".join(callers[2].wait_heard)
    assert desk.offers() == []  # both are busy
    # ana hangs up: her caller's call ends; she is not ready for a minute, then offered the third.
    ended = ana.hangs_up()
    assert ended.hung_up
    assert desk.store.duty.shift("ana", now=desk.clock.now)["state"] == "not ready"
    assert desk.offers() == []
    desk.clock.now += timedelta(seconds=61)
    callers[2].wait(30)
    [again] = desk.offers()
    assert again.placed["To"] == "+32470111111"
    again.answers("1")
    assert again.caller is callers[2]
    assert again.hangs_up().hung_up
    assert bo.hangs_up().hung_up
    assert metric(desk.app, "ivr_offers_total", line="1712", result="taken") >= 3
    assert nothing_of_the_caller(desk.store)


def test_nobody_takes_it_and_max_wait_leads_to_on_failure(desk):
    desk.on_duty("ana")
    c = desk.caller()
    [offer] = desk.offers()
    offer.refuses("no-answer")
    # Skipped a while: no new offer to her; the caller waits on, then past max_wait (300 s)
    # hears the message prompt within one wait document (under 30 s).
    assert desk.offers() == []
    assert desk.store.duty.shift("ana", now=desk.clock.now)["state"] == "skipped"
    seconds = 0
    while c.waiting_in_queue and seconds < 400:
        turn = c.wait(25)
        seconds += 25
    assert 300 <= seconds < 330
    assert turn.kind == "Record"  # on_failure: the message
    assert "occupés" in turn.text


def test_a_key_leaves_a_message(desk):
    desk.on_duty("ana")
    c = desk.caller()
    # The first document says 112 and 101; the next the keys, each under 30 s.
    assert "112" in " ".join(c.wait_heard) and "tapez 1" not in " ".join(c.wait_heard)
    c.wait(25)
    assert "tapez 1" in " ".join(c.wait_heard)
    turn = c.press_waiting("1")
    assert turn.kind == "Record"
    assert "Laissez-nous un message" in turn.text
    c.leave_message()
    assert len(desk.store.messages.list()) == 1


def test_a_key_puts_the_caller_through_to_the_24_7_line(desk):
    desk.on_duty("ana")
    c = desk.caller()
    turn = c.press_waiting("2")
    assert turn.kind == "Dial" and "107" in turn.dialled


def test_a_hang_up_while_waiting_leaves_only_a_count(desk):
    desk.on_duty("ana")
    c = desk.caller()
    before = metric(desk.app, "ivr_calls_total", line="1712", outcome="hung up waiting")
    c.hang_up_waiting()
    after = metric(desk.app, "ivr_calls_total", line="1712", outcome="hung up waiting")
    assert after == before + 1
    assert desk.twilio.queues["1712-fr"] == []
    assert desk.store.messages.list() == []
    # The counsellor who answers the offer meanwhile hears that nobody waits, and is free.
    [offer] = desk.offers()  # rung before the caller hung up
    offer.answers("1")
    assert "wacht niet meer" in " ".join(offer.heard)
    assert desk.store.duty.shift("ana", now=desk.clock.now)["state"] == "free"
    assert nothing_of_the_caller(desk.store)


def nothing_of_the_caller(store) -> bool:
    """No row of any table holds the caller's number or their CallSid."""
    from sqlalchemy import select

    from ivr.store import metadata

    with store.engine.connect() as conn:
        rows = [
            str(tuple(row))
            for table in metadata.sorted_tables
            for row in conn.execute(select(table))
        ]
    text = " ".join(rows)
    return CALLER not in text and "CA" + f"{1:032x}" not in text


def test_a_dutch_caller_is_offered_only_to_a_dutch_speaker(desk):
    desk.on_duty("ana", ["fr"])
    desk.on_duty("bo", ["nl"])
    c = desk.caller("nl")
    assert c.queue == "1712-nl"
    assert "volgende" in " ".join(c.wait_heard)
    [offer] = desk.offers()
    assert offer.placed["To"] == "+32470222222"
    offer.answers("1")
    assert "in het Nederlands" in " ".join(offer.heard)


def test_a_refused_offer_goes_to_the_next(desk):
    desk.on_duty("ana")
    desk.clock.now += timedelta(seconds=1)
    desk.on_duty("bo")
    c = desk.caller()
    [first] = desk.offers()
    assert first.placed["To"] == "+32470111111"
    first.answers(press=None)  # a voicemail: hears the offer, presses nothing
    c.wait(25)
    [second] = desk.offers()
    assert second.placed["To"] == "+32470222222"
    second.answers("1")
    assert second.caller is c
    assert metric(desk.app, "ivr_offers_total", line="1712", result="refused") >= 1


def test_nobody_on_duty_in_the_callers_language_rings_the_yaml_number(desk):
    desk.on_duty("ana", ["nl"])
    c = desk.caller("fr")
    assert c.turn.kind == "Dial" and c.turn.dialled == ["+3220000003"]


def test_without_rest_credentials_the_yaml_numbers_ring(app, call, clock):
    add_operator(service_of(app).store, "ana", "counsellor", at=clock.now)
    service_of(app).store.duty.start("ana", ["1712"], PHONES["ana"], now=clock.now)
    c = call(LINE_1712)
    assert c.turn.kind == "Dial" and c.turn.dialled == ["+3220000003"]


def test_a_shift_over_is_nobody_on_duty(desk):
    add_operator(desk.store, "ana", "counsellor", at=desk.clock.now)
    desk.store.duty.start("ana", ["1712"], PHONES["ana"], now=desk.clock.now, hours=1)
    assert desk.caller().turn.kind == "Enqueue"
    desk.clock.now += timedelta(hours=1, seconds=1)
    c = desk.caller()
    assert c.turn.kind == "Dial" and c.turn.dialled == ["+3220000003"]


def test_what_operators_are_told_of_a_queue(app):
    """Nobody on duty: the transfer to the team, as before; someone on duty: the queue, its
    keys and what follows max_wait."""
    from conftest import brussels

    from ivr.flow import describe

    config = service_of(app).config
    line = config.lines["1712"]
    at = brussels("2026-11-24 10:00")
    words = describe.Words(config, line)
    nobody = words.route(describe.route(config, line, at))
    assert "waiting in line" not in nobody and "02 000 00 03" in nobody
    someone = words.route(describe.route(config, line, at, duty=lambda line_id, lang: True))
    assert "waiting in line for the counsellors on duty" in someone
    assert "1 → voicemail" in someone and "if nobody takes the call → voicemail" in someone
    assert "2 → " in someone and "107" in someone


def test_the_expected_wait_is_a_rounded_range_and_callers_waiting_a_gauge(desk):
    desk.on_duty("ana")
    first, second = desk.caller(), desk.caller()
    second.average_wait = 150  # the queue's average (AvgQueueTime), not this caller's
    second.wait(30)
    heard = " ".join(second.wait_heard)
    assert "position 2" in heard and "de 2 à 4 minutes" in heard
    assert "150" not in heard
    # 112 and 101 are said in the first wait document, not in every one.
    assert "112" not in heard
    assert metric(desk.app, "ivr_callers_waiting", line="1712", language="fr") == 2
    first.hang_up_waiting()
    second.hang_up_waiting()


def test_ivr_call_plays_a_wait_in_line(capsys):
    from ivr.cli import main

    argv = ["call", "1712", "--at", "2026-11-24 10:30", "--lang", "fr", "--on-duty"]
    assert main([*argv, "--queue-result", "nobody"]) == 0
    out = capsys.readouterr().out
    assert "waits in line for a counsellor on duty (queue 1712-fr)" in out
    assert "after 300 s in line" not in out and "after 275 s in line" in out
    assert "hears: Nos intervenants sont tous occupés" in out  # on_failure, after max_wait
    assert main([*argv, "--queue-result", "2"]) == 0
    assert "transferred to 107" in capsys.readouterr().out
    assert main(argv[:-1]) == 0  # nobody on duty: the counsellors' number, as today
    assert "transferred to 02 000 00 03" in capsys.readouterr().out


def test_a_line_open_with_nobody_on_duty_stands_out(desk):
    # One rule sets the gauge, at each round of each worker's database thread.
    assert desk.service.upkeep.thread.fresh(5)
    assert metric(desk.app, "ivr_nobody_on_duty", line="1712") == 1
    desk.on_duty("ana")
    assert desk.service.upkeep.thread.fresh(5)
    assert metric(desk.app, "ivr_nobody_on_duty", line="1712") == 0
    assert metric(desk.app, "ivr_nobody_on_duty", line="stop-it-now") == 0  # closed on Tuesdays


def test_who_is_on_duty_not_read_lately_queues_nobody_the_yaml_numbers_ring(desk, monkeypatch):
    """The queue thread cannot read the shifts (its database away): they may have ended
    since, so after a while a caller is not queued for counsellors who may be gone."""
    desk.on_duty("ana")
    assert desk.caller().turn.kind == "Enqueue"
    real = desk.store.duty.on_duty

    def away(*args, **kwargs):
        raise OSError("the database is not answering")

    monkeypatch.setattr(desk.store.duty, "on_duty", away)
    desk.clock.now += timedelta(seconds=31)
    c = desk.caller()
    assert c.turn.kind == "Dial" and c.turn.dialled == ["+3220000003"]
    monkeypatch.setattr(desk.store.duty, "on_duty", real)
    desk.offers()  # a round that reads them again
    assert desk.caller().turn.kind == "Enqueue"


def test_a_key_pressed_while_waiting_that_cannot_be_kept_keeps_the_caller_in_line(
    desk, monkeypatch
):
    desk.on_duty("ana")
    c = desk.caller()

    def away(*args, **kwargs):
        raise OSError("the database is not answering")

    monkeypatch.setattr(desk.store.duty, "choose", away)
    turn = c.press_waiting("2")  # to the 24/7 line: the choice cannot reach the queue's end
    assert c.waiting_in_queue and turn.kind != "Leave"
    assert "112" in " ".join(c.wait_heard) or c.wait_heard

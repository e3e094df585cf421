"""The router's answers: a routing decision of `ivr.flow`, and its TwiML, each worked out once.

Every time rule of a schedule or an override falls on a whole minute (`ivr.domain.schedule.minute`),
and an answer holds nothing of one caller: the number dialled is one of our lines', the keys pressed
and the transfer's result are bounded. So within one minute, for the same overrides, the same
question gets the same answer, and it is kept: the key of `decide`'s cache names exactly what the
answer depends on, and it is emptied when the configuration changes. (benchmarks/RESULTS.md measures
what the caches buy.)"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ivr import flow
from ivr.domain import schedule
from ivr.twilio import twiml

CACHE_SIZE = 4096


@dataclass(frozen=True)
class Decision:
    """One answer of the router, and what it counts for the metrics and statistics."""

    instructions: tuple
    outcome: tuple | None
    transfers: tuple
    menu_failures: tuple
    failed_transfers: tuple = ()
    queue_results: tuple = ()  # line, language, how a wait in a queue ended
    # Its TwiML, by the base URL of its links and whether it may hold the trunks' credentials,
    # made on first use: kept with the decision, so finding the document costs no more than
    # finding the decision.
    documents: dict = field(default_factory=dict, compare=False)


class Answers:
    def __init__(self, live, clock, trunk_credentials=None, keep: bool = True):
        self.live = live
        self.clock = clock
        self.trunk_credentials = trunk_credentials or {}
        self.size = CACHE_SIZE if keep else 0  # 0: nothing is kept (to measure what it buys)
        self._config = None
        self._decided: dict = {}
        self._rendered: dict = {}

    def _fresh(self, config) -> None:
        """Decisions and documents of another configuration are not this one's."""
        if config is not self._config:
            self._config = config
            self._decided, self._rendered = {}, {}

    def decide(
        self, config, how: str, subject, digits=None, dial=None, dialled=None, token=None, duty=None
    ):
        """What to answer a new call on a line (`how` = "answer", `subject` its id), or a call
        coming back with a state ("resume"; `token`, the state as it came, keys it cheaper).
        `duty`: who is on duty (`CallFlow`'s); an answer that asked it is not kept."""
        self._fresh(config)
        now = self.clock()
        live = self.live
        if how == "resume":
            digits = flow.clean_digits(digits)
        dialled = dialled if dialled in config.line_by_number else None
        version, overrides = live.overrides_now()
        minute = schedule.minute(now)  # the answer holds for the minute (ivr.domain.schedule)
        key = (how, token or subject, digits, dial, dialled, minute, version)
        decision = self._decided.get(key)
        if decision is None:
            call_flow = flow.CallFlow(config, now, overrides, dialled, duty=duty)
            if how == "answer":
                instructions = call_flow.answer(config.lines[subject])
            else:
                instructions = call_flow.resume(subject, digits=digits, dial=dial)
            decision = Decision(
                tuple(instructions),
                call_flow.outcome,
                tuple(call_flow.transfers),
                tuple(call_flow.menu_failures),
                tuple(call_flow.failed_transfers),
                tuple(call_flow.queue_results),
            )
            if call_flow.volatile:
                return decision
            if len(self._decided) >= self.size:
                self._decided.clear()
            if self.size:
                self._decided[key] = decision
        return decision

    def document(self, config, decision: Decision, links, trusted: bool = False) -> str:
        """The TwiML of a decision, on these links' base URL; with the trunks' credentials
        only when `trusted` (the request's signature was verified)."""
        key = (links.base, trusted)
        xml = decision.documents.get(key)
        if xml is None:
            xml = self._render(config, decision.instructions, links, trusted)
            if self.size:
                decision.documents[key] = xml
        return xml

    def render(self, config, instructions, links, trusted: bool = False) -> str:
        """TwiML for these instructions (the safe answer, a whisper); the same are asked for
        again and again, so documents are kept, by base URL, trust and instructions."""
        self._fresh(config)
        key = (links.base, trusted, tuple(instructions))
        xml = self._rendered.get(key)
        if xml is None:
            xml = self._render(config, instructions, links, trusted)
            if len(self._rendered) >= self.size:
                self._rendered.clear()
            if self.size:
                self._rendered[key] = xml
        return xml

    def _render(self, config, instructions, links, trusted: bool) -> str:
        credentials = self.trunk_credentials if trusted else None
        xml = twiml.render(instructions, links, config.voices, credentials)
        ET.fromstring(xml)  # Twilio plays its own error on invalid XML: never send any
        return xml

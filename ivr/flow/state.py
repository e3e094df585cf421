"""Where a call stands between two requests, carried (signed) in the URLs Twilio requests: a
caller's `CallState`, and a coordinator's on the phone console, `ConsoleState`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ivr.domain.model import DEFAULT_LANGUAGE

# Events of the documents run on the phone that answers a transfer, not on the caller's call.
ANSWERING_EVENTS = frozenset({"whisper", "screen", "taken"})
# Events of a caller's wait in a queue: Twilio's wait documents ("wait") and a key pressed in
# one ("wait-key"), requested apart from the call's own documents (`/voice/wait`).
WAITING_EVENTS = frozenset({"wait", "wait-key"})


@dataclass(frozen=True)
class CallState:
    line: str
    step: str
    pc: int = 0
    lang: str = DEFAULT_LANGUAGE
    invalid: int = 0
    silence: int = 0
    # What the request carrying this state reports: go (just continue), digits (a menu was
    # answered), silence (nothing was pressed), dial (a transfer ended), recorded (and kept;
    # "not kept" when the request could keep it nowhere, never carried in a URL), enter;
    # to the person who answers a transfer: whisper, screen (asked to take the call), taken.
    event: str = "go"
    # Which phone of a ring group rung in order is being tried.
    attempt: int = 0

    def go(self, step: str) -> CallState:
        """Into another step; the menu counters start again."""
        return CallState(self.line, step, 0, self.lang)

    def next_action(self) -> CallState:
        return replace(self, pc=self.pc + 1, event="go", invalid=0, silence=0, attempt=0)

    def expecting(self, event: str, **changes) -> CallState:
        return replace(self, event=event, **changes)


@dataclass(frozen=True)
class ConsoleState:
    """Where a call to the phone console stands (`ivr.console.phone`). Signed by the same codec
    as a caller's state, and bound to its CallSid; `operator` is the coordinator whose phone it
    was given to."""

    step: str  # pin, line, action, until, confirm
    operator: str
    line: str = ""
    action: str = ""
    # The end the coordinator heard, as a UTC minute (YYYYMMDDHHMM): what they confirm is what
    # they heard, however long they took to press 1.
    until: str = ""
    tries: int = 0

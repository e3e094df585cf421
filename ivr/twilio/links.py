"""The URLs we hand to Twilio, and the call state they carry.

A call's whole state travels in its URLs (`?s=`), signed so that nobody can forge one: any
worker of any instance can serve the next request of any call. A caller's state and a
coordinator's on the phone console are signed apart (a token of one is never read as the
other), and the console's is bound to its call. The signing keys are a list,
newest first: the newest signs, each one is accepted, so changing the key drops no call in
progress. URLs are absolute, as other TwiML providers want them too.
"""

from __future__ import annotations

from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer

from ivr import flow

# Twilio's connection overrides for the callbacks no caller waits on (recording, call status):
# a 5xx, a connection or a read timeout is tried again. Twilio stops every attempt of one
# request at `tt`, at most 15 s, so the retries asked for must fit in it even when each
# attempt takes its whole connect and read time: 3 x (1.5 s + 3 s) = 13.5 s. The read time is
# twice what the callbacks wait for the database (webhooks.STORE_WAIT, 1.5 s); a test holds
# these to the bounds Twilio documents (docs/twilio.md).
CONNECT_MS = 1500
READ_MS = 3000
TOTAL_MS = 15000
RETRY_COUNT = 2
RETRIES = f"#ct={CONNECT_MS}&rt={READ_MS}&tt={TOTAL_MS}&rc={RETRY_COUNT}&rp=5xx,ct,rt"
# Our tokens are about 100 characters; anything much longer is not one of ours.
MAX_TOKEN = 400
# A console state also holds its CallSid and the coordinator's and line's names.
MAX_CONSOLE_TOKEN = 600
CACHE_SIZE = 4096


class StateCodec:
    """A caller's `CallState`, or a console call's `ConsoleState`, <-> the signed token of our
    URLs."""

    def __init__(self, keys: tuple[str, ...]):
        # itsdangerous takes its keys oldest first and signs with the last one.
        self.signer = URLSafeSerializer(list(reversed(keys)), salt="ivr.call-state")
        # The salt the phone console's tokens had before they came here: a console call in
        # progress while the service is updated goes on.
        self.console_signer = URLSafeSerializer(
            list(reversed(keys)), salt="ivr.domain.phone-console"
        )
        self._decoded: dict[str, flow.CallState | None] = {}

    def encode(self, state: flow.CallState) -> str:
        return self.signer.dumps(
            [
                state.line,
                state.step,
                state.pc,
                state.lang,
                state.invalid,
                state.silence,
                state.event,
                state.attempt,
            ]
        )

    def decode(self, token: str) -> flow.CallState | None:
        """None for a token that is not ours (or not any more)."""
        if len(token) > MAX_TOKEN:
            return None
        # A state holds nothing of one caller, so every caller at the same point of a line
        # brings the same token back: each is checked and decoded once. The cache is bounded
        # in entries, and each key in length.
        try:
            return self._decoded[token]
        except KeyError:
            pass
        try:
            line, step, pc, lang, invalid, silence, event, *rest = self.signer.loads(token)
            # A state signed before ring groups had no `attempt`: the first phone.
            attempt = int(rest[0]) if rest else 0
            state = flow.CallState(
                str(line),
                str(step),
                int(pc),
                str(lang),
                int(invalid),
                int(silence),
                str(event),
                attempt,
            )
        except (BadSignature, ValueError, TypeError):
            state = None
        if len(self._decoded) >= CACHE_SIZE:
            self._decoded.clear()
        self._decoded[token] = state
        return state

    def encode_console(self, state: flow.ConsoleState, call_sid: str) -> str:
        """A console state, bound to the call (Twilio's CallSid) it was given in."""
        return self.console_signer.dumps(
            [
                call_sid,
                state.step,
                state.operator,
                state.line,
                state.action,
                state.until,
                state.tries,
            ]
        )

    def decode_console(self, token: str, call_sid: str) -> flow.ConsoleState | None:
        """None for a token that is not a console state of ours, or of another call. (Not
        cached: a console token holds its call and its coordinator, and serves one call.)"""
        if not token or len(token) > MAX_CONSOLE_TOKEN:
            return None
        try:
            call, step, operator, line, action, until, tries = self.console_signer.loads(token)
            state = flow.ConsoleState(
                str(step), str(operator), str(line), str(action), str(until), int(tries)
            )
        except (BadSignature, ValueError, TypeError):
            return None
        return state if call == call_sid else None


class Links:
    """The absolute URLs of one request's answer (`ivr.twilio.twiml.Links`), on its base URL."""

    __slots__ = ("base", "codec")

    def __init__(self, base: str, codec: StateCodec):
        self.base = base
        self.codec = codec

    def state(self, state: flow.CallState) -> str:
        # The answering phone's own requests (its screening key) go to the whisper webhook.
        path = "/voice/whisper" if state.event in flow.ANSWERING_EVENTS else "/voice/next"
        if state.event in flow.WAITING_EVENTS:  # a caller waiting in a queue (its wait URL)
            path = "/voice/wait"
        return f"{self.base}{path}?s={self.codec.encode(state)}"

    def recording(self, state: flow.CallState) -> str:
        # The fragment asks Twilio to retry when we answer 5xx or time out (RETRIES).
        return f"{self.base}/voice/recording?s={self.codec.encode(state)}{RETRIES}"

    def whisper(self, state: flow.CallState) -> str:
        return f"{self.base}/voice/whisper?s={self.codec.encode(state)}"

    def offer(self, token: str, event: str) -> str:
        """The counsellor's leg of an offer (`ivr.twilio.queueing`): its random token, and
        what the request reports (answer, take, joined, status)."""
        return f"{self.base}/voice/offer?o={quote(token)}&e={event}"

    def audio(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        return f"{self.base}/audio/{quote(path)}"

"""The phone console's webhooks: a coordinator calls the console's number (`console.yaml`) and,
after a PIN, closes, opens or redirects a line until a time (`ivr.console.phone` says what
is heard).

A call to the console's number from a phone `console.yaml` does not list gets the safe answer, as a
wrong number does: nothing of the console is said. The PIN is checked, and the override set, by the
database thread (`ivr.runtime.database_work`) within a bounded wait: when the database does not
answer, the coordinator hears so and the call ends. The call's state travels in its URLs as a
caller's does, signed by the same codec (`ivr.twilio.links.StateCodec`), and bound to its
CallSid and the coordinator's phone."""

from __future__ import annotations

import logging
import threading
import xml.etree.ElementTree as ET
from datetime import timedelta

from flask import Blueprint
from werkzeug.security import check_password_hash, generate_password_hash

from ivr import metrics
from ivr.console import phone as phone_console
from ivr.console.phone import CLEAR, ConsoleFlow, ConsoleState, DutyView
from ivr.flow import clean_digits
from ivr.store.throttle import Limit
from ivr.twilio import safe, twiml
from ivr.twilio.links import Links, StateCodec
from ivr.twilio.webhooks import CALL_SID, Hook, safe_response, twiml_response, webhook

log = logging.getLogger("ivr.console.phone_calls")
bp = Blueprint("phone_console", __name__)
PATH = "/voice/console"
# Wrong PINs of one account within LOCK_WINDOW, over all its calls, before the console
# refuses it until the window is over.
MOST_WRONG_PINS = 5
LOCK_WINDOW = timedelta(minutes=15)
# Checking a PIN (scrypt) and setting an override take the database thread a moment.
DATABASE_WAIT = 3.0
# Checked when the account has no PIN, so that it takes as long as a wrong PIN and a caller
# spoofing a coordinator's number does not learn which accounts have one.
_NO_PIN = generate_password_hash("no account has this PIN", method="scrypt")


class ConsoleLinks(Links):
    """The links of a console call's answer: every question leads back here, its state bound
    to this call; a recorded console prompt is served as a line's is."""

    __slots__ = ("call",)

    def __init__(self, base: str, codec: StateCodec, call: str):
        super().__init__(base, codec)
        self.call = call

    def state(self, state: ConsoleState) -> str:
        return f"{self.base}{PATH}?s={self.codec.encode_console(state, self.call)}"


def is_console_call(hook: Hook) -> bool:
    console = hook.config.phone_console
    return console is not None and hook.dialled_number() in console.numbers


def coordinator(hook: Hook) -> str | None:
    """The coordinator whose phone this is (Twilio's `From`), None for anyone else. The
    number itself is never written anywhere."""
    console = hook.config.phone_console
    if console is None:
        return None
    return console.coordinators.get(hook.fields.get("From", "").strip())


def withheld(hook: Hook) -> bool:
    """Whether the call's caller ID is withheld (Twilio's `From` is then no number:
    'anonymous', 'restricted', empty...)."""
    from ivr.domain import phone

    number = phone.normalise(hook.fields.get("From", "").strip())
    return number is None or not phone.is_e164(number)


def answer(hook: Hook):
    """A new call to the console's number (from `ivr.twilio.webhooks.incoming`)."""
    operator = coordinator(hook)
    if operator is None and withheld(hook):
        # Said why (the console knows its callers by their number), then the safe answer: a
        # caller who dialled this number by mistake still hears where to turn.
        log.warning("call=%s to the phone console with its caller ID withheld", hook.call_sid())
        metrics.SAFE_ANSWERS.labels("console caller ID withheld").inc()
        config = hook.config
        lang = config.phone_console.language
        answer_ = safe.safe_answer(
            hook.dialled_number(),
            lang,
            config.route_for,
            lambda dialled, route: config.caller_id(None, (route,), dialled),
        )
        return speak(hook, flow_of(hook).withheld() + answer_)
    if operator is None:
        log.warning("call=%s to the phone console from a phone it does not list", hook.call_sid())
        return safe_response(hook, "unknown number")
    log.info("call=%s phone console: %s calls", hook.call_sid(), operator)
    return speak(hook, flow_of(hook).answer(operator))


@bp.post(PATH)
@webhook
def next_step(hook: Hook):
    state = read_state(hook)
    if state is None:
        return answer(hook) if is_console_call(hook) else safe_response(hook, "unknown number")
    digits = hook.fields.get("Digits", "")
    if state.step == "pin":
        outcome = check_pin(hook, state, digits)
        view = duty_view(hook, state) if outcome == "right" else None
        if outcome == "right" and view is None:
            outcome = "away"
        # Their lines are read only once the PIN is right: a wrong one adds no wait.
        lines_for = state if outcome == "right" else None
        return speak(hook, flow_of(hook, lines_for).after_pin(state, outcome, view))
    if state.step == "duty" or (state.step == "line" and clean_digits(digits) == "*"):
        return on_duty(hook, state, digits)
    console_flow = flow_of(hook, state)
    if state.line not in (console_flow.mine or ()) and state.step != "line":
        return speak(hook, console_flow.lines(state))
    if state.step == "line":
        return speak(hook, console_flow.on_line(state, digits))
    if state.step == "action":
        instructions, asked = console_flow.on_action(state, digits)
        if asked == CLEAR:
            outcome = clear(hook, state)
            # A flow of its own, made after the change: it sees the override gone.
            instructions = flow_of(hook, state).after(state, outcome)
        return speak(hook, instructions)
    if state.step == "until":
        return speak(hook, console_flow.on_until(state, digits))
    if state.step == "confirm":
        instructions, wanted = console_flow.on_confirm(state, digits)
        if wanted is not None:
            outcome = set_override(hook, state, wanted)
            # A flow of its own, made after the change: it sees the override just set.
            instructions = flow_of(hook, state).after(state, outcome)
        return speak(hook, instructions)
    return speak(hook, console_flow.lines(state))


def read_state(hook: Hook) -> ConsoleState | None:
    """The state of this console call, if it is ours, of this very call, and the phone is
    still the coordinator's it was given to."""
    if hook.config.phone_console is None:
        return None
    sid = hook.fields.get("CallSid", "")
    if not CALL_SID.fullmatch(sid):
        return None
    state = hook.service.codec.decode_console(hook.state_token(), sid)
    if state is None or coordinator(hook) != state.operator:
        return None
    return state


# The lines each coordinator changed by phone lately, by name: what they hear when the
# database does not answer in time (the change itself is checked again in the database).
_KNOWN_LINES: dict[str, set[str]] = {}


def lines_of(hook: Hook, operator: str) -> set[str]:
    """The lines `operator` hears and changes on the phone: those their grants make them
    coordinator of (`ivr.console.access`)."""
    from ivr.console import access

    def read(store, now) -> set[str]:
        return access.changeable_lines(access.holder(store, operator), hook.config)

    done, found = in_database(hook, read)
    if done:
        _KNOWN_LINES[operator] = found
        return found
    return _KNOWN_LINES.get(operator, set())


def flow_of(hook: Hook, state: ConsoleState | None = None) -> ConsoleFlow:
    service = hook.service
    lines = lines_of(hook, state.operator) if state is not None else set()
    return ConsoleFlow(
        hook.config.phone_console, hook.config, service.clock(), service.live.overrides, lines
    )


def speak(hook: Hook, instructions: list):
    links = ConsoleLinks(hook.links.base, hook.service.codec, hook.fields.get("CallSid", ""))
    xml = twiml.render(instructions, links, hook.config.voices)
    ET.fromstring(xml)  # never invalid XML to Twilio
    return twiml_response(xml)


def in_database(hook: Hook, job, publish: bool = False) -> tuple[bool, object]:
    """Runs `job(store, now)` on the database thread, waiting a bounded time: (done, result).
    A job not begun when the wait ends never runs: what the coordinator is told ("not
    available") stays true. With `publish`, this worker's overrides are read again right
    after, so that what the coordinator hears next follows the change (other workers
    follow at their next refresh, within seconds)."""
    service = hook.service
    result: list = []
    gate = threading.Lock()
    withdrawn = False

    def run() -> None:
        with gate:
            if withdrawn:
                return
            now = service.clock()
            outcome = job(service.store, now)
            if publish:
                service.live.publish_overrides(service.store.overrides.in_force_or_planned(now))
            result.append(outcome)

    done = service.upkeep.ask(run, DATABASE_WAIT)
    if not done:
        # Begun already (the gate is held): it is finishing, wait for it a little more.
        if gate.acquire(timeout=DATABASE_WAIT):
            withdrawn = True
            gate.release()
    return bool(result), (result[0] if result else None)


def mine(store, hook: Hook, operator: str, line_id: str) -> bool:
    from ivr.console import access

    return access.may_change(access.holder(store, operator), hook.config, line_id)


def may_use(row) -> bool:
    """Whether an account (a row of `store.operators`) may use the phone console now: an
    active one with a PIN (a counsellor's opens the duty menu alone)."""
    return bool(row and row["active"] and row.get("pin_hash"))


def may_override(row) -> bool:
    """Whether the account may change overrides by phone: a coordinator's."""
    return may_use(row) and row["role"] == "coordinator"


def check_pin(hook: Hook, state: ConsoleState, digits: str) -> str:
    """right, wrong, locked or away (the database did not answer)."""
    pin = "".join(c for c in digits if c.isdigit())[:16]
    # Wrong PINs are counted under a name of their own: a wrong password on the web console
    # does not lock the phone, nor the reverse. Counted before the PIN is checked, in one
    # atomic step: calls at the same moment on several workers get no more checks than that.
    limit = Limit(
        f"phone:{state.operator}",
        MOST_WRONG_PINS,
        state.operator,
        f"{MOST_WRONG_PINS} wrong phone console PINs within {LOCK_WINDOW.seconds // 60} minutes",
    )

    def check(store, now) -> str:
        counted = store.throttle.count((limit,), LOCK_WINDOW, now, refusal="PIN refused")
        if counted is None:
            return "locked"
        row = store.operators.get(name=state.operator)
        usable = may_use(row)
        if check_password_hash(row["pin_hash"] if usable else _NO_PIN, pin) and usable and pin:
            store.throttle.forgive(counted)
            return "right"
        if not usable:
            log.warning(
                "phone console: console.yaml lists %s, who has no active account with a PIN "
                "(ivr operators list; ivr operators pin NAME)",
                state.operator,
            )
        store.throttle.failed(at=now, who=state.operator, detail="wrong phone console PIN")
        return "locked" if counted.count >= MOST_WRONG_PINS else "wrong"

    done, outcome = in_database(hook, check)
    if not done:
        return "away"
    metrics.CONSOLE_PINS.labels(outcome).inc()
    if outcome != "right":
        log.warning("call=%s phone console: %s, PIN %s", hook.call_sid(), state.operator, outcome)
    return outcome


def set_override(hook: Hook, state: ConsoleState, wanted: phone_console.Wanted) -> str:
    from ivr.console import overrides

    def set_it(store, now) -> str:
        if not may_override(store.operators.get(name=state.operator)):
            return "refused"  # disabled, or no longer a coordinator, since the PIN
        if not mine(store, hook, state.operator, wanted.line):
            return "refused"  # not one of their lines (no longer, or never)
        try:
            overrides.set_override(
                store,
                hook.config,
                line_id=wanted.line,
                kind=wanted.kind,
                to=wanted.to,
                starts=None,
                until=wanted.until,
                reason="set by phone",
                operator=state.operator,
                now=now,
            )
        except overrides.Overlapping:
            return "overlap"
        except overrides.Refused as exc:
            log.warning("call=%s phone console refused: %s", hook.call_sid(), exc)
            return "refused"
        return "done"

    done, outcome = in_database(hook, set_it, publish=True)
    log.info(
        "call=%s phone console: %s %s %s: %s",
        hook.call_sid(),
        state.operator,
        wanted.kind,
        wanted.line,
        outcome if done else "database away",
    )
    return outcome if done else "away"


def clear(hook: Hook, state: ConsoleState) -> str:
    from ivr.console import overrides

    def clear_it(store, now) -> str:
        if not may_override(store.operators.get(name=state.operator)):
            return "refused"
        if not mine(store, hook, state.operator, state.line):
            return "refused"
        cleared = overrides.clear(store, state.line, operator=state.operator, now=now)
        return "cleared" if cleared else "nothing_to_clear"

    done, outcome = in_database(hook, clear_it, publish=True)
    return outcome if done else "away"


# -- on duty by phone ------------------------------------------------------------------------


class PhoneAccount:
    """The account calling, as `ivr.console.access` and `ivr.console.shifts` ask of one."""

    def __init__(self, row: dict, grants=()):
        self.id, self.name, self.role = row["id"], row["name"], row["role"]
        self.grants = tuple(grants)  # what it sees (ivr.console.access)

    @property
    def coordinator(self) -> bool:
        return self.role == "coordinator"


def _view(hook: Hook, store, now, row) -> DutyView:
    from ivr.console import access, shifts

    config = hook.config
    account = PhoneAccount(row, store.grants.of(row["id"]))
    seen = access.visible_lines(account, config)
    last = shifts.remembered(store, account.name, now)
    lines = [line for line in (last or {}).get("lines", []) if line in seen]
    if not lines:  # never on duty yet: the lines they may see that have a queue step
        every = sorted(seen, key=lambda i: config.lines[i].name.lower())
        lines = [i for i in every if shifts.has_team(config.lines[i])] or every
    refused = None
    try:
        shifts.answering_phone(hook.fields.get("From", ""))
    except shifts.Refused:
        refused = "phone_refused"  # the number itself is never said nor written
    return DutyView(
        coordinator=account.coordinator,
        shift=store.duty.shift(account.name, now=now),
        lines=tuple(lines),
        refused=refused,
        hours=int(shifts.SHIFT_HOURS),
    )


def duty_view(hook: Hook, state: ConsoleState) -> DutyView | None:
    """The caller's duty as the menu says it; None when the database did not answer or the
    account may no longer use the console."""

    def read(store, now):
        row = store.operators.get(name=state.operator)
        return _view(hook, store, now, row) if may_use(row) else None

    done, view = in_database(hook, read)
    return view if done else None


def on_duty(hook: Hook, state: ConsoleState, digits: str):
    view = duty_view(hook, state)
    if view is None:
        return speak(hook, flow_of(hook, state).after_duty(state, "away", None))
    if state.step != "duty":  # star, from the lines: the duty menu
        return speak(hook, flow_of(hook, state).duty(state, view))
    instructions, wanted = flow_of(hook, state).on_duty_key(state, digits, view)
    if wanted is None:
        return speak(hook, instructions)
    outcome, view = do_duty(hook, state, wanted)
    if view is None:
        return speak(hook, flow_of(hook, state).after_duty(state, "away", None))
    return speak(hook, flow_of(hook, state).after_duty(state, outcome, view))


def do_duty(hook: Hook, state: ConsoleState, wanted: str) -> tuple[str, DutyView | None]:
    """Starts, renews, ends the caller's shift, or makes them ready again, on the phone they
    call from: (the console prompt saying how it went, the duty as it is then)."""
    from ivr.console import shifts

    def change(store, now):
        row = store.operators.get(name=state.operator)
        if not may_use(row):
            return "away", None
        account = PhoneAccount(row, store.grants.of(row["id"]))
        view = _view(hook, store, now, row)
        if wanted == phone_console.START:
            try:
                shifts.start(
                    store,
                    hook.config,
                    account,
                    lines=view.lines,
                    phone_number=hook.fields.get("From", ""),
                    languages=(shifts.remembered(store, account.name, now) or {}).get("languages"),
                    now=now,
                )
                outcome = "duty_started"
            except shifts.Refused:
                outcome = "phone_refused"
        elif wanted == phone_console.RENEW:
            outcome = "duty_renewed" if shifts.renew(store, account, now=now) else "duty_over"
        elif wanted == phone_console.STOP:
            outcome = "duty_stopped" if shifts.stop(store, account, now=now) else "duty_over"
        else:
            outcome = "duty_is_ready" if shifts.ready(store, account, now=now) else "duty_over"
        return outcome, _view(hook, store, now, row)

    done, result = in_database(hook, change)
    log.info(
        "call=%s phone console: %s duty %s: %s",
        hook.call_sid(),
        state.operator,
        wanted,
        result[0] if done and result else "database away",
    )
    return result if done and result else ("away", None)

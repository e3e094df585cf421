"""`queue`: the caller waits in Twilio's queue of the line and their language for a counsellor
on duty (issue 21), hearing their place in line; a key takes them elsewhere (a message, the
24/7 line); after `max_wait`, `on_failure`. With nobody on duty for their language (or no
Twilio REST API to ring anyone), the call goes on as the line's YAML numbers ring today: a
transfer to the team (`timeout`, then `on_failure`), or the step `on_nobody`.

The flow knows nobody's shift: whoever answers the request gives `CallFlow` a `duty`
(`duty(line_id, language) -> bool`, someone on duty who can be rung), and a decision that asked
it is not kept for the minute (`CallFlow.volatile`). The offers to counsellors are made
elsewhere (`ivr.runtime.queue_work`), from what Twilio's wait requests report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ivr.flow.actions.base import Action, Lead
from ivr.flow.actions.transfer import NOT_ANSWERED, dial_ended, failed, put_through
from ivr.flow.instructions import Enqueue, Gather, Hangup, Leave, Pause, Speak
from ivr.flow.wording import LINE_PLACEHOLDERS, text

# Each wait document is short, so that Twilio asks again (and `max_wait` is enforced, and the
# position said) within 30 s: what it says, then this long for a key, then a pause.
KEY_SECONDS = 8
PAUSE_SECONDS = 2
# 112 and 101 are said in the first wait document, then every this long.
EMERGENCY_EVERY = 180
WAIT_PROMPTS = {"queue_first", "queue_position", "queue_wait"}


def queue_name(line_id: str, lang: str) -> str:
    """Twilio's queue of a line's callers in one language (`<Dial><Queue>` takes the first
    caller waiting, so one queue a line and language); at most 64 characters."""
    return re.sub(r"[^\w-]", "-", f"{line_id}-{lang}")[:64]


def wait_range(average: int) -> tuple[int, int] | None:
    """The expected wait as a rounded range of minutes, from the queue's average (Twilio's
    AvgQueueTime, not this caller's): None under a minute."""
    if average < 60:
        return None
    low = max(1, average // 60)
    return low, low + max(2, low // 2)


@dataclass(frozen=True)
class Queue(Action):
    to: str  # the team: the contact whose phones ring when nobody is on duty
    max_wait: int = 600
    on_failure: str | None = None  # nobody took the call by max_wait (or its transfer failed)
    on_nobody: str | None = None  # None: the team's YAML numbers ring, as a transfer would
    timeout: int = 30  # how long those ring
    prompt: str | None = None  # what the keys while waiting do
    options: dict[str, str] = field(default_factory=dict)  # a key while waiting -> step

    keyword = "queue"
    waits_for_duty = True
    settings = frozenset({"max_wait", "on_failure", "on_nobody", "timeout", "prompt", "options"})
    waits = True

    @classmethod
    def read(cls, f, refs) -> Queue:
        to = f.text("queue") or ""
        refs.transfers.append((f.line("queue"), to))
        refs.put_through.append((f.line("queue"), "queue", to))
        steps = {}
        for key in ("on_failure", "on_nobody"):
            steps[key] = f.text(key, required=False)
            if steps[key]:
                refs.steps.append((f.line(key), steps[key]))
        prompt = f.text("prompt", required=False)
        if prompt:
            refs.prompts.append((f.line("prompt"), prompt, LINE_PLACEHOLDERS))
        options = {}
        if f.has("options"):
            from ivr.flow.actions.menu import _read_options

            options = _read_options(f, refs)
            if options and not prompt:
                f.r.error(
                    f.line("options"),
                    "the keys of a queue need 'prompt:', the prompt that tells callers "
                    "what each key does",
                )
        return cls(
            to,
            max_wait=f.number("max_wait", 600, 30, 3600),
            on_failure=steps["on_failure"],
            on_nobody=steps["on_nobody"],
            timeout=f.number("timeout", 30, 5, 600),
            prompt=prompt,
            options=options,
        )

    # -- a call reaching it --------------------------------------------------------------

    def perform(self, flow, line, state):
        if not flow.someone_on_duty(line, state.lang):
            return self._nobody(flow, line, state)
        queue = queue_name(line.id, state.lang)
        flow.out.append(
            Enqueue(queue, state.expecting("wait"), state.expecting("queued", invalid=0))
        )
        return None

    def _nobody(self, flow, line, state):
        """As today: the team's numbers ring (or `on_nobody`)."""
        if self.on_nobody:
            return state.go(self.on_nobody)
        return put_through(flow, line, state, self.to, self.timeout, self.on_failure)

    def answer(self, flow, line, state, digits, dial):
        if state.event == "dial":  # the team's numbers, rung when nobody was on duty
            return dial_ended(flow, line, state, dial, self.to, self.on_failure)
        if state.event != "queued" or dial is None:
            return state
        # How the wait ended (Twilio's QueueResult, as `DialResult.from_queue` reads it).
        flow.queue_results.append((line.id, state.lang, dial.status))
        if dial.bridged:
            flow.ended(line, state, "connected")
            flow.out.append(Hangup())
            return None
        if dial.status == "canceled":  # hung up while waiting: counted, nothing more
            flow.ended(line, state, "hung up waiting")
            return None
        if dial.status == "failed":  # the queue failed (full, an error): as if nobody
            return self._nobody(flow, line, state)
        if digits in self.options:  # the caller's key while waiting
            return state.go(self.options[digits])
        return failed(state, self.on_failure)  # max_wait: nobody took the call in time

    # -- the wait documents (Twilio's waitUrl), and a key pressed in one -----------------

    def wait(self, flow, line, state, position: int, queue_time: int, average: int) -> list:
        """What a caller waiting hears, one short document: their place in line (and the
        expected wait as a range), 112 and 101 at first and now and then, the keys; or
        `<Leave>` once `max_wait` is reached."""
        if queue_time >= self.max_wait:
            return [Leave()]
        said: list[Speak] = []
        if position <= 1:
            said += text(flow, line, state, "queue_first")
        else:
            said += _filled(flow, line, state, "queue_position", position=position)
        waits = wait_range(average)
        if waits and position > 1:
            said += _filled(flow, line, state, "queue_wait", low=waits[0], high=waits[1])
        # 112 and 101 at first and now and then; the keys in the documents between, so that
        # none runs past 30 s (max_wait is only looked at when Twilio asks for the next).
        again = queue_time >= EMERGENCY_EVERY and queue_time % EMERGENCY_EVERY < 30
        emergency = queue_time < 10 or again
        if emergency:
            said += text(flow, line, state, "emergency")
        if self.prompt and self.options and not emergency:
            said += text(flow, line, state, self.prompt)
            keys = {len(key) for key in self.options}
            digits = keys.pop() if len(keys) == 1 else None
            key_state = replace(state, event="wait-key")
            return [Gather(tuple(said), key_state, digits, KEY_SECONDS), Pause(PAUSE_SECONDS)]
        return [*said, Pause(KEY_SECONDS)]

    def key(self, flow, line, state, digits: str) -> tuple[list, str | None]:
        """A key pressed while waiting: `<Leave>` and the choice to carry to the `<Enqueue>`'s
        action, or None when the key leads nowhere (the caller waits on)."""
        if digits in self.options:
            return [Leave()], digits
        return text(flow, line, state, "invalid_choice"), None

    # -- for the checks and operators ----------------------------------------------------

    def leads(self) -> tuple[Lead, ...]:
        # Waiting in line or not, the caller is put through to the team (on duty, or its
        # YAML numbers), or goes on to on_failure / on_nobody.
        leads = [
            Lead(ends=f"be put through to '{self.to}'", to=self.to),
            Lead(step=self.on_failure),
        ]
        if self.on_nobody:
            leads.append(Lead(step=self.on_nobody))
        # A key is pressed in a wait document, the first of which says 112 and 101.
        heard = ("emergency", self.prompt) if self.prompt else ("emergency",)
        leads += [Lead(step=target, heard=heard) for target in dict.fromkeys(self.options.values())]
        return tuple(leads)

    def describe(self, probe, line, state, out):
        """Nobody on duty (the probe knows no shift, unless given them): described as the
        transfer to the team it is. In the queue: the counsellors on duty, then each key and
        what follows `max_wait`."""
        if not any(isinstance(item, Enqueue) for item in out):
            if self.on_nobody:
                return probe.describe_from(state.go(self.on_nobody))
            from ivr.flow.actions.transfer import Transfer

            return Transfer(self.to, self.timeout, self.on_failure).describe(
                probe, line, state, out
            )
        queued = state.expecting("queued")
        choices = [(key, probe.after(queued, digits=key, dial=LEFT)) for key in self.options]
        choices.append((probe.NOBODY, probe.after(queued, dial=LEFT)))
        return probe.stop("queue", state, choices=choices)


# How a wait ended by `<Leave>` reads (a key, or max_wait).
LEFT = replace(NOT_ANSWERED, status="no-answer")


def _filled(flow, line, state, key: str, **values) -> list[Speak]:
    """A wait prompt with its own placeholders ({position}, {low}, {high}) filled."""
    prompt = flow.config.prompt(state.lang, line.id, key)
    if prompt is None:
        return []
    filled = {k: str(v) for k, v in values.items()}
    return [Speak(prompt.text.format_map(_Or(filled)), state.lang)]


class _Or(dict):
    def __missing__(self, key: str) -> str:
        return ""

"""What the configuration compiles into: lines, their steps, partner services.

Plain immutable data, built once by `ivr.config` and read by `ivr.flow` on every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ivr.domain import languages, phone
from ivr.domain.schedule import Schedule

# The language of a caller we know nothing of yet (`ivr.domain.languages`).
DEFAULT_LANGUAGE = languages.DEFAULT
# A step name that every line has: says where to turn (107, 112, 101), then hangs up.
END = "end"
# Where a line that speaks several languages starts: the caller chooses one.
LANGUAGE = "language"
# Where a call starts on a line an operator closed with `--to`: a transfer there, and if it
# fails, the line's closed path (`ivr.flow.CallFlow.actions`).
REDIRECT = "redirect"


class Action:
    """One action of a line's step. The types (say, menu, transfer, voicemail, referral,
    goto) are in `ivr.flow.actions`, one module each: how each is read, performed, answered
    and described lives there, not here."""

    __slots__ = ()


@dataclass(frozen=True)
class Trunk:
    """A carrier connection for numbers Twilio cannot dial itself (Belgian short numbers),
    named once in `config/trunks.yaml`. Either a SIP trunk of the carrier, dialled with
    `<Sip>sip:NUMBER@HOST</Sip>` (its username and password come from the environment, never
    from YAML), or a Twilio BYOC trunk, dialled with `<Number byoc="BY...">`."""

    name: str
    sip_host: str | None = None  # host[:port] of the carrier's SIP endpoint
    transport: str | None = None  # udp, tcp or tls, for SIP
    region: str | None = None  # where Twilio sends SIP from (ie1: Ireland), else the US
    byoc: str | None = None  # the BYOC trunk's SID, BY followed by 32 hexadecimal digits
    placeholder: bool = False
    # What the far end is shown on the calls made through this trunk, instead of the line's
    # caller ID: the carrier decides what it accepts and presents.
    caller_id: str | None = None


@dataclass(frozen=True)
class Route:
    """One number and how Twilio reaches it: straight (E.164) or through a trunk."""

    number: str
    trunk: Trunk | None = None


# How the phones of a contact with several numbers ring.
TOGETHER, IN_ORDER = "together", "in order"


@dataclass(frozen=True)
class Contact:
    """Who answers a line: one phone, or a ring group of several."""

    routes: tuple[Route, ...]
    ring: str = TOGETHER
    # The person who picks up hears the whisper and presses a key to take the call: a phone
    # that diverts to its own voicemail never takes a caller.
    screening: bool = True
    placeholder: bool = False

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(route.number for route in self.routes)


@dataclass(frozen=True)
class Retention:
    """How long a line keeps the messages callers leave: some days after a counsellor is done
    with one, and at most so many days whatever happened to it."""

    days_after_done: int = 30
    days_at_most: int = 90


@dataclass(frozen=True)
class Line:
    id: str
    name: str
    numbers: tuple[str, ...]
    languages: tuple[str, ...]  # the first is the default
    schedule: Schedule
    when_open: str
    when_closed: str
    steps: dict[str, tuple[Action, ...]]
    contacts: dict[str, Contact] = field(default_factory=dict)
    source: str = ""
    retention: Retention = field(default_factory=lambda: Retention())
    # The number the phones Twilio rings for this line show (`Config.caller_id`): one the
    # helpline holds at Twilio that Twilio may show, for a line whose own numbers it may not
    # (toll-free 0800, national 070/078). None: the number the caller dialled.
    caller_id: str | None = None
    # Whose line it is (`organisation:`): that organisation's accounts see it in the console
    # and its key seals its messages. None: the line is an organisation of its own.
    organisation: str | None = None
    # Who is mailed when a caller leaves a message (`notify:`), and reminded of those waiting.
    notify: tuple[str, ...] = ()

    @property
    def owner(self) -> str:
        """The organisation whose accounts see this line and whose keys seal its messages:
        its `organisation:`, or the line itself."""
        return self.organisation or self.id

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Service:
    """A partner service a line can refer callers to, from `config/services.yaml`."""

    id: str
    route: Route
    languages: tuple[str, ...]
    schedule: Schedule
    line: str | None = None  # one of our own lines: a transfer goes straight into its flow
    placeholder: bool = False
    # The service to refer a caller to instead, by the caller's language (nl: tele-onthaal).
    instead: dict[str, str] = field(default_factory=dict)
    # Languages it does not speak whose callers the operator refers to it all the same, for
    # want of a service that speaks them (`ivr check` then says nothing of it).
    also_for: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        """The number callers are told to dial (and the one we dial, by `route`)."""
        return self.route.number

    def for_language(self, language: str, services: dict[str, Service]) -> Service:
        """The service a caller speaking `language` is referred to: Tele-Onthaal 106 in Dutch
        where the line names Télé-Accueil 107. Kept when nothing speaks the language."""
        if language in self.languages:
            return self
        return services.get(self.instead.get(language, ""), self)

    def answers(self, at) -> bool:
        """Whether a transfer now reaches someone. Our own lines always route the caller on
        (their team in its hours, 107 otherwise), whatever their team's hours."""
        return self.line is not None or self.schedule.is_open(at)


@dataclass(frozen=True)
class Voice:
    language: str  # the <Say language=...> code, such as fr-BE
    voice: str | None = None  # such as Polly.Isabelle-Neural


@dataclass(frozen=True)
class Override:
    """An operator's decision for a line, for a while: from `starts_at` (None: from whenever it
    was set) until `until`, it wins over every schedule rule; then it expires by itself.

    `forward_to` is a partner service's id (services.yaml) or a number with a route
    (`Config.override_route`). On an open line, transfers to the line's contacts ring it
    instead of their phones; on a closed line, callers are put straight through to it (after
    the language choice), and if that fails they take the line's closed path.

    Several overrides of one line may be set, planned one after the other, never overlapping
    (`ivr.store.overrides`); `id` is the store's number for one.
    """

    line: str
    open: bool
    until: datetime
    forward_to: str | None = None
    reason: str = ""
    operator: str = ""
    starts_at: datetime | None = None
    id: int | None = None

    def in_force(self, at: datetime) -> bool:
        """Whether it decides for its line at `at`: in [starts_at, until)."""
        return (self.starts_at is None or self.starts_at <= at) and at < self.until

    def overlaps(self, other: Override) -> bool:
        """Whether the two would be in force at some same instant (for one line)."""
        return (
            self.line == other.line
            and (self.starts_at is None or self.starts_at < other.until)
            and (other.starts_at is None or other.starts_at < self.until)
        )


@dataclass(frozen=True)
class Prompt:
    text: str
    audio: str | None = None  # a recording to play instead: a path under prompts/audio/, or a URL


# The section of a prompts file that every line speaks.
SHARED = "shared"
# The section of a prompts file that the coordinators' phone console speaks.
CONSOLE = "console"


def line_prompt(texts: dict[str, dict[str, Prompt]], line_id: str, key: str) -> Prompt | None:
    """In one language's prompts, the line's own wording first, then the shared one."""
    return texts.get(line_id, {}).get(key) or texts.get(SHARED, {}).get(key)


@dataclass(frozen=True)
class PhoneConsole:
    """The coordinators' phone console (`console.yaml`): the number(s) they call, the language
    it speaks, the phones it answers (by the coordinator whose phone it is; any other caller
    gets nothing of it), and where it can send a line's callers."""

    numbers: tuple[str, ...]
    language: str
    coordinators: dict[str, str]  # phone number -> the coordinator's account name
    redirect_to: str | None = None  # a service id


@dataclass
class Config:
    lines: dict[str, Line]
    services: dict[str, Service]
    prompts: dict[str, dict[str, dict[str, Prompt]]]  # language -> section -> key -> prompt
    voices: dict[str, Voice]
    version: str = ""
    audio_dir: str = ""  # where recorded prompts are, served at /audio/
    phone_console: PhoneConsole | None = None
    # The lines' numbers Twilio may show on the calls it places (not an 0800 or other
    # national number, by its rules for Belgium: `ivr.twilio.platform.shows`, applied when
    # the configuration is loaded).
    shown: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.line_by_number = {n: line for line in self.lines.values() for n in line.numbers}
        # How each number the configuration names is reached; an override that sends calls
        # to one of them (`--to 106`) is dialled the same way.
        self.routes: dict[str, Route] = {}
        for line in self.lines.values():
            for contact in line.contacts.values():
                self.routes.update((r.number, r) for r in contact.routes)
        self.routes.update((s.number, s.route) for s in self.services.values() if not s.line)

    def route_for(self, number: str) -> Route | None:
        """How Twilio reaches `number`: as the configuration says, straight for any other
        E.164 number, None for a number nothing here can dial."""
        route = self.routes.get(number)
        if route is None and phone.is_e164(number):
            route = Route(number)
        return route

    def override_route(self, to: str) -> Route | None:
        """How Twilio reaches what an override sends calls to (`Override.forward_to`): a
        partner service named by its id, or a number (`route_for`). None for what no override
        may name: an emergency number, one of our own lines (the call would come back in, or
        go round), a number nothing here can dial."""
        service = self.services.get(to)
        if service is not None:
            return None if service.line else service.route
        if phone.is_emergency(to) or to in self.line_by_number:
            return None
        return self.route_for(to)

    def caller_id(self, line: Line | None, targets: tuple[Route, ...], dialled: str | None) -> str:
        """What the phones of one `<Dial>` from `line` show, never the caller's number.

        Legs all through a carrier's trunk show the trunk's own `caller_id` when it has one:
        the carrier decides what it presents. Otherwise the line's `caller_id`, else the
        number the caller dialled (Twilio allows the called number) when Twilio may show it,
        else the line's first number. One `<Dial>` shows one number: a ring group that mixes
        a trunk with phones Twilio dials itself shows what those phones may show (the line's),
        since Twilio refuses their legs otherwise; `ivr check` warns about such a group."""
        if targets and all(route.trunk is not None for route in targets):
            trunk_id = next((r.trunk.caller_id for r in targets if r.trunk.caller_id), None)
            if trunk_id:
                return trunk_id
        if line is not None and line.caller_id:
            return line.caller_id
        if dialled and (line is None or dialled in self.shown):
            return dialled
        return line.numbers[0] if line is not None else (dialled or "")

    def organisation_of(self, line_id: str) -> str:
        """The organisation of a line (`Line.owner`); a line no longer configured, by its id."""
        line = self.lines.get(line_id)
        return line.owner if line is not None else line_id

    def service_by_number(self, number: str) -> Service | None:
        return next((s for s in self.services.values() if s.number == number), None)

    def prompt(self, language: str, line_id: str, key: str) -> Prompt | None:
        """The line's own wording first, then the shared one."""
        return line_prompt(self.prompts.get(language, {}), line_id, key)

    def console_prompt(self, language: str, key: str) -> Prompt | None:
        """What the phone console says, in its own section: never a line's wording."""
        return self.prompts.get(language, {}).get(CONSOLE, {}).get(key)

    def service_text(self, language: str, service_id: str, key: str) -> str | None:
        prompt = self.prompts.get(language, {}).get("services", {}).get(f"{service_id}.{key}")
        return prompt.text if prompt else None

    def service_for(self, service_id: str, language: str) -> Service:
        """The service a caller speaking `language` is referred to (`Service.for_language`)."""
        return self.services[service_id].for_language(language, self.services)

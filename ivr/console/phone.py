"""The coordinators' phone console, as a call flow: a coordinator calls the console's number
from a phone `console.yaml` lists, enters a PIN, and closes, opens or sends elsewhere a line
until a time, or hears how the lines stand. Pure: no Flask, no I/O; the webhooks
(`ivr.console.phone_calls`) check the PIN and set the override it asks for, then say how it went.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ivr.domain import model, speech
from ivr.domain.schedule import next_time_of_day
from ivr.flow import Gather, Hangup, Speak, clean_digits
from ivr.flow.status import line_status

# Wrong PINs in a row on one call before it ends (the webhooks also count them per account).
PIN_TRIES = 3
MAX_LINES = 9  # one key each
MINUTE = "%Y%m%d%H%M"  # how the end travels in the state
# The kinds of override, as `ivr.console.overrides` names them.
CLOSE, OPEN, REDIRECT, CLEAR = "closed", "open", "redirect", "clear"

TEXT = {
    "fr": {
        "pin": "Console des lignes. Entrez votre code, puis dièse.",
        "wrong pin": "Ce code n'est pas le bon.",
        "locked": "Trop d'essais. Réessayez dans un quart d'heure. Au revoir.",
        "tries": "Trop d'essais pour cet appel. Au revoir.",
        "past": "Cette heure est déjà passée.",
        "away": "La console n'est pas disponible pour le moment. Réessayez plus tard. Au revoir.",
        "line": "Pour {name}, tapez {key}.",
        "all": "Pour entendre l'état de toutes les lignes, tapez 0.",
        "open": "{name} est ouverte.",
        "closed": "{name} est fermée.",
        "override": "Une dérogation est en cours jusqu'à {until}.",
        "actions": "Pour fermer la ligne, tapez 1. Pour l'ouvrir, tapez 2.",
        "redirect": "Pour envoyer ses appels vers {service}, tapez 3.",
        "clear": "Pour lever la dérogation, tapez 9. Pour revenir aux lignes, tapez étoile.",
        "until": "Jusqu'à quelle heure ? Tapez l'heure en quatre chiffres, par exemple 1 8 0 0, "
        "puis dièse ; 0 0 0 0 pour minuit.",
        "not a time": "Ce n'est pas une heure.",
        "confirm close": "{name} sera fermée jusqu'à {until}.",
        "confirm open": "{name} sera ouverte jusqu'à {until}.",
        "confirm redirect": "Les appels de {name} iront vers {service} jusqu'à {until}.",
        "confirm": "Pour confirmer, tapez 1. Pour recommencer, tapez étoile.",
        "done": "C'est fait.",
        "cleared": "La dérogation est levée.",
        "nothing to clear": "Il n'y a pas de dérogation en cours.",
        "overlap": "Ce n'est pas possible : une autre dérogation de cette ligne est prévue pendant "
        "ce temps. Levez-la d'abord, dans la console web.",
        "refused": "Ce n'est pas possible par téléphone. Utilisez la console web.",
        "goodbye": "Au revoir.",
    },
    "nl": {
        "pin": "Lijnconsole. Geef uw code in, gevolgd door hekje.",
        "wrong pin": "Die code klopt niet.",
        "locked": "Te veel pogingen. Probeer het over een kwartier opnieuw. Tot ziens.",
        "tries": "Te veel pogingen voor deze oproep. Tot ziens.",
        "past": "Dat uur is al voorbij.",
        "away": "De console is nu niet beschikbaar. Probeer het later opnieuw. Tot ziens.",
        "line": "Voor {name}, druk {key}.",
        "all": "Om de toestand van alle lijnen te horen, druk 0.",
        "open": "{name} is open.",
        "closed": "{name} is gesloten.",
        "override": "Er loopt een afwijking tot {until}.",
        "actions": "Om de lijn te sluiten, druk 1. Om ze te openen, druk 2.",
        "redirect": "Om haar oproepen naar {service} te sturen, druk 3.",
        "clear": "Om de afwijking op te heffen, druk 9. Terug naar de lijnen: druk ster.",
        "until": "Tot hoe laat? Geef het uur in vier cijfers, bijvoorbeeld 1 8 0 0, gevolgd door "
        "hekje; 0 0 0 0 voor middernacht.",
        "not a time": "Dat is geen uur.",
        "confirm close": "{name} wordt gesloten tot {until}.",
        "confirm open": "{name} wordt geopend tot {until}.",
        "confirm redirect": "De oproepen van {name} gaan naar {service} tot {until}.",
        "confirm": "Om te bevestigen, druk 1. Om opnieuw te beginnen, druk ster.",
        "done": "Het is gebeurd.",
        "cleared": "De afwijking is opgeheven.",
        "nothing to clear": "Er loopt geen afwijking.",
        "overlap": "Dat kan niet: er is in die tijd al een andere afwijking voor deze lijn "
        "gepland. Hef die eerst op, in de webconsole.",
        "refused": "Dat kan niet via de telefoon. Gebruik de webconsole.",
        "goodbye": "Tot ziens.",
    },
    "de": {
        "pin": "Leitungskonsole. Geben Sie Ihren Code ein, dann die Raute.",
        "wrong pin": "Dieser Code stimmt nicht.",
        "locked": "Zu viele Versuche. Versuchen Sie es in einer Viertelstunde wieder. "
        "Auf Wiederhören.",
        "tries": "Zu viele Versuche für diesen Anruf. Auf Wiederhören.",
        "past": "Diese Uhrzeit ist schon vorbei.",
        "away": "Die Konsole ist im Moment nicht verfügbar. Versuchen Sie es später. "
        "Auf Wiederhören.",
        "line": "Für {name} drücken Sie {key}.",
        "all": "Um den Stand aller Leitungen zu hören, drücken Sie 0.",
        "open": "{name} ist geöffnet.",
        "closed": "{name} ist geschlossen.",
        "override": "Eine Ausnahme gilt bis {until}.",
        "actions": "Um die Leitung zu schließen, drücken Sie 1. Um sie zu öffnen, drücken Sie 2.",
        "redirect": "Um ihre Anrufe zu {service} zu schicken, drücken Sie 3.",
        "clear": "Um die Ausnahme aufzuheben, drücken Sie 9. Zurück zu den Leitungen: Stern.",
        "until": "Bis wann? Geben Sie die Uhrzeit mit vier Ziffern ein, zum Beispiel 1 8 0 0, "
        "dann die Raute; 0 0 0 0 für Mitternacht.",
        "not a time": "Das ist keine Uhrzeit.",
        "confirm close": "{name} wird bis {until} geschlossen.",
        "confirm open": "{name} wird bis {until} geöffnet.",
        "confirm redirect": "Die Anrufe von {name} gehen bis {until} zu {service}.",
        "confirm": "Zum Bestätigen drücken Sie 1. Um neu zu beginnen, drücken Sie Stern.",
        "done": "Erledigt.",
        "cleared": "Die Ausnahme ist aufgehoben.",
        "nothing to clear": "Es gilt keine Ausnahme.",
        "overlap": "Das geht nicht: in dieser Zeit ist schon eine andere Ausnahme für diese "
        "Leitung geplant. Heben Sie sie zuerst in der Webkonsole auf.",
        "refused": "Das geht nicht per Telefon. Nutzen Sie die Webkonsole.",
        "goodbye": "Auf Wiederhören.",
    },
    "en": {
        "pin": "Lines console. Enter your code, then the hash key.",
        "wrong pin": "That code is not right.",
        "locked": "Too many tries. Try again in a quarter of an hour. Goodbye.",
        "tries": "Too many tries for this call. Goodbye.",
        "past": "That time has already passed.",
        "away": "The console is not available right now. Please try later. Goodbye.",
        "line": "For {name}, press {key}.",
        "all": "To hear how all the lines stand, press 0.",
        "open": "{name} is open.",
        "closed": "{name} is closed.",
        "override": "An override runs until {until}.",
        "actions": "To close the line, press 1. To open it, press 2.",
        "redirect": "To send its calls to {service}, press 3.",
        "clear": "To end the override, press 9. To go back to the lines, press star.",
        "until": "Until what time? Enter it in four digits, for example 1 8 0 0, then the hash "
        "key; 0 0 0 0 for midnight.",
        "not a time": "That is not a time.",
        "confirm close": "{name} will be closed until {until}.",
        "confirm open": "{name} will be open until {until}.",
        "confirm redirect": "Calls to {name} will go to {service} until {until}.",
        "confirm": "To confirm, press 1. To start again, press star.",
        "done": "Done.",
        "cleared": "The override has ended.",
        "nothing to clear": "There is no override running.",
        "overlap": "That cannot be done: another override of this line is planned for that time. "
        "Clear it first, in the web console.",
        "refused": "That cannot be done by phone. Use the web console.",
        "goodbye": "Goodbye.",
    },
}


@dataclass(frozen=True)
class ConsoleState:
    """Where a console call stands, carried (signed) in its URLs like a caller's."""

    step: str  # pin, line, action, until, confirm
    operator: str
    line: str = ""
    action: str = ""
    # The end the coordinator heard, as a UTC minute (YYYYMMDDHHMM): what they confirm is what
    # they heard, however long they took to press 1.
    until: str = ""
    tries: int = 0


@dataclass(frozen=True)
class Wanted:
    """An override a coordinator confirmed: its line, kind (CLOSE, OPEN, REDIRECT), where it
    sends calls (a service id, for REDIRECT) and its end."""

    line: str
    kind: str
    to: str
    until: datetime


class ConsoleFlow:
    """Answers one request of a console call, at one instant."""

    def __init__(self, console: model.PhoneConsole, config: model.Config, now, overrides):
        self.console = console
        self.config = config
        self.now = now
        self.overrides = overrides
        self.lang = console.language
        self.out: list = []

    # -- the steps -----------------------------------------------------------------------

    def answer(self, operator: str) -> list:
        return self._ask(ConsoleState("pin", operator), ["pin"], digits=None)

    def after_pin(self, state: ConsoleState, outcome: str) -> list:
        """`outcome`: right, wrong, locked (too many tries), away (the database)."""
        if outcome == "right":
            return self.lines(state)
        if outcome in ("locked", "away"):
            return self._end(outcome)
        if state.tries + 1 >= PIN_TRIES:
            return self._end("tries")
        self._say("wrong pin")
        return self._ask(replace(state, tries=state.tries + 1), ["pin"], digits=None)

    def lines(self, state: ConsoleState) -> list:
        keys = [
            self._text("line", name=line.name, key=key)
            for key, line in enumerate(self._lines(), start=1)
        ]
        keys.append(self._text("all"))
        return self._ask(replace(state, step="line", line="", action=""), keys, digits=1)

    def on_line(self, state: ConsoleState, digits: str) -> list:
        key = clean_digits(digits)
        choices = self._lines()
        if key == "0":
            for line in choices:
                self._line_status(line)
            return self.lines(state)
        if not key.isdigit() or not 1 <= int(key) <= len(choices):
            return self.lines(state)
        return self.actions(replace(state, line=choices[int(key) - 1].id))

    def actions(self, state: ConsoleState) -> list:
        line = self.config.lines[state.line]
        self._line_status(line)
        keys = [self._text("actions")]
        if self._redirect_service():
            keys.append(self._text("redirect", service=self._service_name()))
        keys.append(self._text("clear"))
        return self._ask(replace(state, step="action"), keys, digits=1)

    def on_action(self, state: ConsoleState, digits: str) -> tuple[list, str | None]:
        """The next instructions, and CLEAR when the webhooks must end the override first."""
        key = clean_digits(digits)
        chosen = {"1": CLOSE, "2": OPEN}
        if self._redirect_service():
            chosen["3"] = REDIRECT
        if key == "*":
            return self.lines(state), None
        if key == "9":
            return [], CLEAR
        if key not in chosen:
            return self.actions(state), None
        return self._ask(replace(state, step="until", action=chosen[key]), ["until"], None), None

    def on_until(self, state: ConsoleState, digits: str) -> list:
        at = self.until(state, clean_digits(digits))
        if at is None:
            self._say("not a time")
            return self._ask(state, ["until"], digits=None)
        state = replace(state, step="confirm", until=at.astimezone(UTC).strftime(MINUTE))
        line = self.config.lines[state.line]
        spoken = self._spoken_until(line, at)
        what = {CLOSE: "confirm close", OPEN: "confirm open", REDIRECT: "confirm redirect"}
        self._say(what[state.action], name=line.name, until=spoken, service=self._service_name())
        return self._ask(state, ["confirm"], digits=1)

    def on_confirm(self, state: ConsoleState, digits: str) -> tuple[list, Wanted | None]:
        """The override the webhooks must set, once the coordinator pressed 1."""
        try:
            until = datetime.strptime(state.until, MINUTE).replace(tzinfo=UTC)
        except ValueError:
            until = None
        if clean_digits(digits) != "1" or until is None:
            return self.actions(replace(state, step="action", action="", until="")), None
        if until <= self.now:
            self._say("past")
            return self.actions(replace(state, step="action", action="", until="")), None
        to = self._redirect_service() if state.action == REDIRECT else ""
        return [], Wanted(state.line, state.action, to or "", until)

    def after(self, state: ConsoleState, outcome: str) -> list:
        """What the coordinator hears once the webhooks did what was asked: done, cleared,
        nothing to clear, overlap, refused, away (the database)."""
        if outcome == "away":
            return self._end("away")
        self._say(outcome)
        return self.actions(replace(state, step="action", action="", until=""))

    # -- how it is said ----------------------------------------------------------------------

    def until(self, state: ConsoleState, hhmm: str) -> datetime | None:
        """The next time it is `hhmm` at the line (today, or tomorrow if that is past):
        0000 is the coming midnight. (Not '#' alone: Twilio does not call back for it.)"""
        if len(hhmm) != 4 or not hhmm.isdigit():
            return None
        hours, minutes = int(hhmm[:2]), int(hhmm[2:])
        if hours > 23 or minutes > 59:
            return None
        timezone = self.config.lines[state.line].schedule.timezone
        return next_time_of_day(self.now, timezone, hours, minutes)

    def _spoken_until(self, line: model.Line, at: datetime) -> str:
        return speech.spoken_moment(at, self.now, line.schedule, self.lang)

    def _line_status(self, line: model.Line) -> None:
        s = line_status(self.config, line, self.now, self.overrides)
        self._say("open" if s.open else "closed", name=line.name)
        if s.overridden and s.changes_at is not None:
            self._say("override", until=self._spoken_until(line, s.changes_at))

    def _lines(self) -> list[model.Line]:
        return sorted(self.config.lines.values(), key=lambda li: li.name.lower())[:MAX_LINES]

    def _redirect_service(self) -> str | None:
        return self.console.redirect_to

    def _service_name(self) -> str:
        sid = self.console.redirect_to or ""
        return self.config.service_text(self.lang, sid, "name") or sid

    def _text(self, said: str, **values) -> Speak:
        return Speak(TEXT[self.lang][said].format(**values), self.lang)

    def _say(self, said: str, **values) -> None:
        self.out.append(self._text(said, **values))

    def _ask(self, state: ConsoleState, keys: list, digits: int | None) -> list:
        said = [self._text(k) if isinstance(k, str) else k for k in keys]
        self.out.append(Gather(tuple(said), state, digits, 10 if digits is None else 6))
        self.out.append(Speak(TEXT[self.lang]["goodbye"], self.lang))
        self.out.append(Hangup())
        return self.out

    def _end(self, key: str) -> list:
        self._say(key)
        self.out.append(Hangup())
        return self.out

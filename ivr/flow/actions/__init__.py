"""The action types a line's steps are made of: one module each, listed once here.

Each type is a frozen dataclass (`base.Action`) holding how it is read from YAML (`read`),
performed in a call (`perform`), how Twilio's report back is answered (`answer`), where it can
lead (`leads`, for the graph checks) and how it is described to an operator (`describe`).
`ivr.config` reads steps through `REGISTRY`; the interpreter, the graph checks, the board and
`ivr status` only ever call these methods. A new action type is a module here and a row of
`REGISTRY` (docs/development.md, "Adding an action type").
"""

from ivr.flow.actions.base import Action, Lead
from ivr.flow.actions.end import End
from ivr.flow.actions.goto import Goto
from ivr.flow.actions.language import LANGUAGE_TRIES, LanguageChoice
from ivr.flow.actions.menu import Menu
from ivr.flow.actions.queue import Queue
from ivr.flow.actions.referral import REFERRAL_RING, Referral
from ivr.flow.actions.say import Say
from ivr.flow.actions.transfer import SCREEN_SECONDS, Transfer, whisper_and_screen
from ivr.flow.actions.voicemail import Voicemail, not_kept, recorded

# The action types an operator writes, by their keyword in a line's steps.
REGISTRY: dict[str, type[Action]] = {
    kind.keyword: kind for kind in (Say, Menu, Transfer, Queue, Voicemail, Referral, Goto)
}

__all__ = [
    "LANGUAGE_TRIES",
    "REFERRAL_RING",
    "REGISTRY",
    "SCREEN_SECONDS",
    "Action",
    "End",
    "Goto",
    "LanguageChoice",
    "Lead",
    "Menu",
    "Queue",
    "Referral",
    "Say",
    "Transfer",
    "Voicemail",
    "not_kept",
    "recorded",
    "whisper_and_screen",
]

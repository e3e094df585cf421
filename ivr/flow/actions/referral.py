"""`referral`: a partner service's number and hours, and while it answers, when the line
offers it, a key that puts the caller through."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.actions.base import Action, Lead
from ivr.flow.actions.transfer import dial_ended, put_through
from ivr.flow.instructions import Gather, Redirect
from ivr.flow.wording import service_text

# Seconds a referral's "press 1 to be put through" lets the service ring.
REFERRAL_RING = 20
PUT_THROUGH_KEY = "1"


@dataclass(frozen=True)
class Referral(Action):
    service: str
    offer_transfer: bool = True

    keyword = "referral"
    settings = frozenset({"offer_transfer"})
    waits = True  # for "press 1" (one that only tells the number is counted the same)

    @classmethod
    def read(cls, f, refs) -> Referral:
        service = f.text("referral") or ""
        refs.services.append((f.line("referral"), service))
        referral = cls(service, f.flag("offer_transfer", True))
        if referral.offer_transfer:
            refs.put_through.append((f.line("referral"), "referral", service))
        return referral

    def perform(self, flow, line, state):
        service = flow.config.service_for(self.service, state.lang)
        flow.referred.append(service.id)
        schedule = service.schedule
        open_now = service.answers(flow.now)
        always = schedule.always_open and not schedule.exceptions
        said = service_text(flow, line, state, service, "referral_always" if always else "referral")
        if not open_now:
            said += service_text(flow, line, state, service, "referral_closed")
        if self.offer_transfer and open_now:
            said += service_text(flow, line, state, service, "referral_offer")
            flow.out.append(Gather(tuple(said), state.expecting("digits"), 1, 5))
            flow.out.append(Redirect(state.next_action()))
            return None
        flow.out.extend(said)
        return state.next_action()

    def answer(self, flow, line, state, digits, dial):
        if state.event == "digits":
            if digits == PUT_THROUGH_KEY:
                service = flow.config.service_for(self.service, state.lang)
                return put_through(flow, line, state, service.id, REFERRAL_RING, None)
            return state.next_action()
        if state.event == "dial":
            return dial_ended(flow, line, state, dial, self.service, None)
        return state

    def leads(self) -> tuple[Lead, ...]:
        go_on = Lead()
        if not self.offer_transfer:
            return (go_on,)
        return (Lead(ends=f"be put through to '{self.service}'", to=self.service), go_on)

    def describe(self, probe, line, state, out):
        """Told of the service, with the key that puts them through and what else follows."""
        through = probe.after(state.expecting("digits"), digits=PUT_THROUGH_KEY)
        otherwise = probe.after(state.next_action())
        return probe.stop(
            "referral", state, choices=[(PUT_THROUGH_KEY, through), (probe.NO_KEY, otherwise)]
        )

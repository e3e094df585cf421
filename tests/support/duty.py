"""For the duty tests: shifts on the store's duty (`store.duty`, ivr/store/duty.py), or, on a
branch where it has not landed yet, a small stand-in in memory with the same API."""

from __future__ import annotations

from datetime import datetime, timedelta

STATES = ("free", "offered", "busy", "not ready", "skipped")


class FakeDuty:
    """What `ivr.store.duty.Duty` answers, in memory: shifts by name."""

    def __init__(self):
        self.shifts: dict[str, dict] = {}
        self.last_shift: dict[str, dict] = {}
        self.next_id = 1

    def start(self, name, lines, phone, languages=None, *, now: datetime, hours=8) -> dict:
        shift = self.shifts.get(name)
        if shift is not None and shift["ends_at"] > now:
            shift.update(lines=list(lines), phone=phone, ends_at=now + timedelta(hours=hours))
            if languages:
                shift["languages"] = list(languages)
            return dict(shift)
        shift = {
            "id": self.next_id,
            "name": name,
            "lines": list(lines),
            "phone": phone,
            "languages": list(languages or []),
            "started_at": now,
            "ends_at": now + timedelta(hours=hours),
            "state": "free",
            "ready_at": None,
        }
        self.next_id += 1
        self.shifts[name] = shift
        self.last_shift[name] = shift
        return dict(shift)

    def stop(self, name, *, now) -> bool:
        shift = self.shifts.pop(name, None)
        return shift is not None and shift["ends_at"] > now

    def renew(self, name, *, now, hours=8):
        shift = self.shifts.get(name)
        if shift is None or shift["ends_at"] <= now:
            return None
        shift["ends_at"] = now + timedelta(hours=hours)
        return dict(shift)

    def ready(self, name, *, now):
        shift = self.shifts.get(name)
        if shift is None or shift["ends_at"] <= now:
            return None
        shift.update(state="free", ready_at=None)
        return dict(shift)

    def on_duty(self, *, now, line=None) -> list[dict]:
        return [
            dict(s)
            for s in sorted(self.shifts.values(), key=lambda s: s["started_at"])
            if s["ends_at"] > now and (line is None or line in s["lines"])
        ]

    def free_for(self, line, language, *, now):
        return [
            s
            for s in self.on_duty(now=now, line=line)
            if s["state"] == "free" and (not s["languages"] or language in s["languages"])
        ]

    def last(self, name):
        shift = self.last_shift.get(name)
        return dict(shift) if shift else None

    # -- for the tests -------------------------------------------------------------------------

    def set_state(self, name, state, ready_at=None):
        self.shifts[name].update(state=state, ready_at=ready_at)


def duty_of(store):
    """The store's duty, or the stand-in hung on it when the store has none yet."""
    if getattr(store, "duty", None) is None:
        store.duty = FakeDuty()
    return store.duty


def set_state(store, name: str, state: str, now: datetime, ready_at=None) -> None:
    """A counsellor's state as the queue leaves it (busy on a call, not ready after one)."""
    duty = store.duty
    if isinstance(duty, FakeDuty):
        duty.set_state(name, state, ready_at)
        return
    raise NotImplementedError("set the state through the real store's own API")

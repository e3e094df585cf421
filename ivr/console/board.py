"""The status board: for every line, open or closed now and why, where a call goes, the next
change, its override, and the transfers that failed; and the last refused configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prometheus_client.parser import text_string_to_metric_families

from ivr import metrics, model
from ivr.console import overrides
from ivr.console.words import holiday_name, translate
from ivr.flow import MAX_STEPS_PER_REQUEST


@dataclass(frozen=True)
class LineBoard:
    id: str
    name: str
    open: bool
    why: str
    goes: str
    options: list[str]  # what each key of a menu does
    changes_at: datetime | None
    overridden: bool
    override: overrides.Shown | None
    planned: list[overrides.Shown]  # the line's overrides that start later
    failing: list[tuple[str, int]]


def board(service, now: datetime, lang: str) -> list[LineBoard]:
    config = service.config
    store = service.store
    in_force = overrides.in_force(store, now)
    active = {o.line: o for o in in_force if o.in_force(now)}
    listed = overrides.listed(store, now)
    shown = {
        s.line: s for s in listed if s.line in active and s.key == f"{s.line}:{active[s.line].id}"
    }
    failing = failed_transfers(service.settings.metrics_folder)
    rows = []
    for line in sorted(config.lines.values(), key=lambda li: li.name.lower()):
        s = overrides.status(config, line, now, in_force)
        override = active.get(line.id)
        step = line.when_open if s.open else line.when_closed
        words, options = goes(config, line, step, override, lang)
        rows.append(
            LineBoard(
                id=line.id,
                name=line.name,
                open=s.open,
                why=why(line, now, override, lang),
                goes=words,
                options=options,
                changes_at=s.changes_at,
                overridden=s.overridden,
                override=shown.get(line.id),
                planned=[s for s in listed if s.line == line.id and s.planned],
                failing=sorted(failing.get(line.id, {}).items()),
            )
        )
    return rows


def why(line: model.Line, now: datetime, override, lang: str) -> str:
    """Why the line is open or closed now, in the page's language."""
    if override is not None:
        return translate(
            "override by %(who)s: %(reason)s",
            lang,
            who=override.operator or "?",
            reason=override.reason,
        )
    reason = line.schedule.status(now).reason
    if reason.startswith("exception: "):
        return translate("exception: %(reason)s", lang, reason=reason.removeprefix("exception: "))
    if reason.startswith("closed today: "):
        day = line.schedule.local(now).date()
        named = holiday_name(line.schedule, day, lang)
        return translate("closed today: %(name)s", lang, name=named)
    return translate(reason, lang)  # weekly hours, always open, outside weekly hours


def goes(config, line: model.Line, step: str, override, lang: str) -> tuple[str, list[str]]:
    """Where a call from `step` goes, in words ('→ Télé-Accueil 107'); for a menu, what each
    key does ('1 → Télé-Accueil 107')."""
    found = first_stop(config, line, step, override, lang)
    if not isinstance(found, tuple):
        return found, []
    menu, at = found
    options = [
        f"{key} "
        + (
            "→ " + translate("hears it again", lang)
            if target == at
            else _words(first_stop(config, line, target, override, lang, depth=1), lang)
        )
        for key, target in menu.options.items()
    ]
    ending = first_stop(config, line, menu.on_failure, override, lang, depth=1)
    options.append(translate("no key", lang) + " " + _words(ending, lang))
    return "→ " + translate("menu", lang), options


def _words(found, lang: str) -> str:
    return "→ " + translate("a menu", lang) if isinstance(found, tuple) else found


def first_stop(config, line, step: str, override, lang: str, depth: int = 0):
    """The words of the first place a call from `step` waits, or (the menu, its step)."""
    for _ in range(MAX_STEPS_PER_REQUEST):
        if step == model.END:
            return "→ " + translate("told where to turn (107, 112, 101)", lang)
        for action in line.steps.get(step, ()):
            if isinstance(action, model.Goto):
                step = action.step
                break
            if isinstance(action, model.Transfer):
                return "→ " + transfer_target(config, line, action.to, override, lang)
            if isinstance(action, model.Voicemail):
                return "→ " + translate("voicemail", lang)
            if isinstance(action, model.Referral):
                target = service_words(config, action.service, lang)
                return "→ " + translate("told to call %(target)s", lang, target=target)
            if isinstance(action, model.Menu):
                return (action, step)
        else:
            step = model.END
    return "→ " + translate("a loop of steps", lang)


def transfer_target(config, line, to: str, override, lang: str) -> str:
    if to in line.contacts:
        if override is not None and override.forward_to:
            service = config.service_by_number(override.forward_to)
            if service is not None:
                return service_words(config, service.id, lang)
            return override.forward_to
        return f"{to} {', '.join(line.contacts[to].numbers)}"
    return service_words(config, to, lang)


def service_words(config, service_id: str, lang: str) -> str:
    """'Télé-Accueil 107'; one of our own lines by its name."""
    service = config.services[service_id]
    if service.line and service.line in config.lines:
        return config.lines[service.line].name
    name = config.service_text(lang, service_id, "name") or service_id
    return f"{name} {service.number}"


def failed_transfers(folder: str) -> dict[str, dict[str, int]]:
    """Transfers that did not connect since the service started, by line and target (every
    worker's, from the metrics)."""
    body, _ = metrics.exposition(folder)
    failed: dict[str, dict[str, int]] = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        if family.name != "ivr_transfer_failures":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.value > 0:
                line, target = sample.labels.get("line", "?"), sample.labels.get("target", "?")
                by_line = failed.setdefault(line, {})
                by_line[target] = by_line.get(target, 0) + int(sample.value)
    return failed

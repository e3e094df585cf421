"""The status board: for every line, open or closed now and why, where a call goes, the next
change, its override, and the transfers that failed; and the last refused configuration."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from prometheus_client.parser import text_string_to_metric_families

from ivr import metrics
from ivr.console import overrides
from ivr.console.catalogue import N_
from ivr.console.words import holiday_name, language_name, translate
from ivr.domain import model
from ivr.flow import describe

# What `Schedule.status` says of a line open or closed by its hours alone.
HOURS = (N_("weekly hours"), N_("always open"), N_("outside weekly hours"))


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


def board(
    service, now: datetime, lang: str, only: str | None = None, lines: set[str] | None = None
) -> list[LineBoard]:
    """Every line's row (of `lines`, those an account sees: `ivr.console.access`), or only the
    line `only`'s."""
    config = service.config
    store = service.store
    in_force = overrides.in_force(store, now)
    active = {o.line: o for o in in_force if o.in_force(now)}
    listed = named(config, overrides.listed(store, now), lang)
    shown = {
        s.line: s for s in listed if s.line in active and s.key == f"{s.line}:{active[s.line].id}"
    }
    failing = failed_transfers(service.settings.metrics_folder)
    rows = []
    for line in sorted(config.lines.values(), key=lambda li: li.name.lower()):
        if only is not None and line.id != only:
            continue
        if lines is not None and line.id not in lines:
            continue
        s = overrides.status(config, line, now, in_force)
        override = active.get(line.id)
        words, options = goes(config, line, s.route, lang)
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
                failing=[
                    (failed_target(config, line, target, lang), count)
                    for target, count in sorted(failing.get(line.id, {}).items())
                ],
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
    return translate(reason, lang)  # one of HOURS


def goes(config, line: model.Line, stops, lang: str) -> tuple[str, list[str]]:
    """Where a call goes, in the page's language ('→ Télé-Accueil 107'), from the call
    flow's own description (`ivr.flow.describe`); for a menu, what each key does."""
    words = describe.Words(
        config,
        line,
        tr=lambda text, **values: translate(text, lang, **values),
        names=(lang,),
        language_name=lambda code: language_name(code, lang),
    )
    head, options = words.outline(stops)
    return "→ " + head, options


def destination(config, to: str | None, lang: str, line: model.Line | None = None) -> str:
    """Where an override sends calls, as the console names it: a service by its name and
    number ('Tele-Onthaal 106'), a number as Belgians write it ('0470 11 22 33')."""
    if not to:
        return ""
    words = describe.Words(
        config, line, tr=lambda text, **values: translate(text, lang, **values), names=(lang,)
    )
    service = config.services.get(to) or config.service_by_number(to)
    return words.service_name(service.id) if service is not None else words.number(to)


def named(config, shown: list[overrides.Shown], lang: str) -> list[overrides.Shown]:
    """The overrides with where they send calls named (`destination`)."""
    return [
        replace(s, to=destination(config, s.to, lang, config.lines.get(s.line))) if s.to else s
        for s in shown
    ]


def failed_target(config, line: model.Line, target: str, lang: str) -> str:
    """A transfer's target as the metrics count it (a partner service's id, a contact of the
    line, an override's number), in the board's words."""
    if target in config.services:
        return destination(config, target, lang, line)
    if target == "override":
        return translate("the override's number", lang)
    return target  # a contact, by its name in the line's file


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

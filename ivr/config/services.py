"""Reads `services.yaml`: the partner services a line refers callers to."""

from __future__ import annotations

from ivr.config.fields import Fields, named_entries, or_list
from ivr.config.numbers import Routes
from ivr.config.reading import Mapping, Reader, line_of
from ivr.config.schedules import TIMEZONE, read_schedule
from ivr.domain import languages as registry
from ivr.domain import model
from ivr.domain.schedule import Schedule

SERVICES_FILE = "services.yaml"
SERVICE_KEYS = {
    "number",
    "via",
    "languages",
    "schedule",
    "line",
    "placeholder",
    "instead",
    "also_for",
}


def read_services(r: Reader, data, routes: Routes) -> dict[str, model.Service]:
    services: dict[str, model.Service] = {}
    insteads: list[tuple[str, int, str, str]] = []  # service, line, language, other service
    needs = "indented settings: number, languages, schedule"
    for sid, item, _ in named_entries(r, data, "services", "service", needs):
        errors = r.errors
        f = Fields(r, item, f"service '{sid}'", SERVICE_KEYS)
        number = f.text("number") or ""
        placeholder = f.flag("placeholder", False)
        languages = f.languages()
        sched_map = f.mapping("schedule", required=not f.has("line"))
        schedule = None
        if sched_map is not None:
            schedule = read_schedule(
                r, sched_map, f"the schedule of '{sid}'", languages[0], f.line("schedule")
            )
        elif f.has("line"):
            schedule = Schedule(TIMEZONE, always_open=True)  # replaced by the line's
        instead = {}
        for lang, other in (f.mapping("instead", required=False) or {}).items():
            ln = line_of(item["instead"], lang)
            if not registry.known(lang):
                r.error(ln, f"'{lang}' is not a language code; use " + ", ".join(registry.codes()))
            elif lang in languages:
                r.error(ln, f"'{sid}' speaks {lang} itself; remove this line")
            else:
                instead[lang] = str(other)
                insteads.append((sid, ln, lang, str(other)))
        also_for = []
        seq = f.sequence("also_for", required=False)
        for lang, ln in zip(seq or [], (seq.item_lines if seq else []), strict=True):
            if not registry.known(lang):
                r.error(ln, f"'{lang}' is not a language code; use " + ", ".join(registry.codes()))
            elif lang in languages:
                r.error(ln, f"'{sid}' speaks {lang} itself; remove it from 'also_for'")
            elif lang in instead:
                r.error(
                    ln,
                    f"callers in {lang} are sent to '{instead[lang]}' instead (under 'instead:'); "
                    "keep one of the two",
                )
            else:
                also_for.append(lang)
        route = None
        if number:
            route = routes.read(
                r,
                f.line("number"),
                number,
                sid,
                via=f.text("via", required=False),
                via_line=f.line("via"),
                placeholder=placeholder,
                dialled=not f.has("line"),
            )
        # A service with a mistake of its own is left out, as one that cannot be read: what
        # the lines do with it is not checked, so nothing follows from the mistake.
        if route is not None and r.errors == errors:
            if schedule is not None and languages:
                services[sid] = model.Service(
                    id=sid,
                    route=route,
                    languages=tuple(languages),
                    schedule=schedule,
                    line=f.text("line", required=False),
                    placeholder=placeholder,
                    instead=instead,
                    also_for=tuple(also_for),
                )
    written = set(data["services"]) if isinstance(data, Mapping) else set()
    for _sid, ln, lang, other in insteads:
        if other not in services and other in written:
            continue  # written, but not read: its own error is said
        if other not in services:
            r.error(
                ln,
                f"there is no service '{other}'; " + or_list(other, services, "the services are"),
            )
        elif lang not in services[other].languages:
            r.error(ln, f"'{other}' does not speak {lang}; add {lang} to its languages")
    return services

"""Checks what no single file can show: numbers two lines share, references between files,
transfers that lead back to their own line, our own numbers dialled (the prompts each line
speaks are `prompt_checks`')."""

from __future__ import annotations

from ivr.config.fields import closest, or_list
from ivr.config.lines import LineReader, looks_like_a_copy
from ivr.config.numbers import CALLER_ID_FIX, Routes
from ivr.config.prompt_checks import check_line_prompts
from ivr.config.prompts import SERVICE_TEXTS
from ivr.config.reading import Reader, line_of, place
from ivr.config.services import SERVICES_FILE
from ivr.domain import model, phone
from ivr.twilio import platform


class Unread(set):
    """What could not be read, and whose own error is said: nothing that names it is reported
    again. The set holds files (prompts by language, voices.yaml, services.yaml); `services`
    the services written in services.yaml that could not be read."""

    services: set[str] = frozenset()


def check_lines(readers, services, prompts, prompt_readers, unreadable, routes) -> None:
    """What each line names elsewhere, and what the lines do to one another."""
    seen_numbers: dict[str, str] = {}
    first: dict[str, LineReader] = {}  # number -> the line file that has it
    for lr, line in readers:
        for number in line.numbers:
            if number in seen_numbers:
                _same_number(number, lr, first[number])
                continue
            seen_numbers[number] = line.id
            first[number] = lr
        _check_references(lr, line, services, prompts, unreadable)
        _check_caller_id(lr, line, services)
        check_line_prompts(lr, line, prompts, prompt_readers, unreadable)
    _check_transfer_loops(readers, services)
    _check_own_numbers_dialled(routes, seen_numbers, services)


def _same_number(number: str, lr: LineReader, first: LineReader) -> None:
    """Said once, in the file that is likely a copy (its name is not its id), naming the
    other."""
    copy, other = (first, lr) if looks_like_a_copy(first, lr) else (lr, first)
    copy.r.error(
        line_of(copy.data, "numbers"),
        f"{number} is also a number of line '{other.data.get('id')}' "
        f"({place(other.r.file, line_of(other.data, 'numbers'))}): calls to a number reach one "
        "line; remove it from one of the two",
    )


def check_services_lines(r: Reader, services, lines) -> None:
    """The services that are our own lines name lines that exist."""
    for sid, service in services.items():
        if service.line and service.line not in lines:
            r.error(1, f"service '{sid}' names line '{service.line}', which does not exist")


def _check_references(lr: LineReader, line: model.Line, services, prompts, unreadable) -> None:
    if SERVICES_FILE in unreadable:
        return  # services.yaml could not be read: said once, there
    for ln, target in lr.refs.transfers:
        if target in line.contacts or target in lr.broken_contacts:
            continue
        if target in unreadable.services:
            continue
        if target in services:
            continue
        guess = closest(target, [*line.contacts, *services])
        lr.r.error(
            ln,
            f"'{target}' is neither a contact of this line nor a service of services.yaml; "
            + (
                f"did you mean '{guess}'?"
                if guess
                else "contacts: " + (", ".join(sorted(line.contacts)) or "(none)")
            ),
        )
    for ln, target in lr.refs.services:
        if target not in services and target not in unreadable.services:
            lr.r.error(
                ln,
                f"there is no service '{target}' in services.yaml; "
                + or_list(target, services, "the services are"),
            )
    for ln, target in lr.refs.transfers + lr.refs.services:
        service = services.get(target)
        if not service or target in line.contacts:
            continue
        unspoken = []
        for lang in line.languages:
            if lang in service.instead and service.instead[lang] not in services:
                continue  # the service meant for this language has its own error
            chosen = service.for_language(lang, services)
            if lang not in chosen.languages and lang not in chosen.also_for:
                unspoken.append(lang)
            section = prompts.get(lang, {}).get("services", {})
            for key in SERVICE_TEXTS:
                if lang in unreadable:
                    break
                if lang in prompts and f"{chosen.id}.{key}" not in section:
                    lr.r.error(
                        ln,
                        f"prompts/{lang}.yaml has no '{key}' for '{chosen.id}' under "
                        "'services:'; callers in that language are told about it",
                    )
        if unspoken:
            lr.r.warn(
                ln,
                f"callers in {', '.join(unspoken)} are sent to '{target}', which answers in "
                f"{', '.join(service.languages)}; if another service speaks their language, "
                f"name it under 'instead:' of '{target}' in services.yaml",
                kind="language",
            )


def _check_caller_id(lr: LineReader, line: model.Line, services) -> None:
    """A line whose number Twilio may not show (0800, 070, 078: its guidelines for Belgium)
    and that puts callers through to phones Twilio dials itself needs a `caller_id:`, or
    every such transfer fails. Legs through a carrier's trunk are the carrier's to allow."""
    hidden = [n for n in line.numbers if not platform.shows(n)]
    if not hidden or line.caller_id or lr.data.get("caller_id") is not None:
        return  # a caller_id written but refused has its own error
    dialled: list[str] = []
    for _, _, target in lr.refs.put_through:
        contact = line.contacts.get(target)
        if contact is not None:
            if any(route.trunk is None for route in contact.routes):
                dialled.append(target)
            continue
        for lang in line.languages:
            chosen = _service_for(services, target, lang)
            if chosen is not None and not chosen.line and chosen.route.trunk is None:
                dialled.append(chosen.id)
    if not dialled:
        return
    number = hidden[0]
    lr.r.error(
        line_of(lr.data, "numbers"),
        f"{phone.written(number)} is {phone.kind(number)}, which Twilio cannot show on the "
        "calls it places in Belgium (its guidelines for Belgium allow no outbound call from a "
        f"toll-free or national number): the transfers to {', '.join(dict.fromkeys(dialled))} "
        f"would fail; add 'caller_id:' with {CALLER_ID_FIX}",
    )


def _check_own_numbers_dialled(routes: Routes, our_numbers: dict[str, str], services) -> None:
    """A contact or a service that rings one of our own lines' numbers: Twilio would bring
    the call back into this router, and the person answering would hear that line's whole
    call flow instead of the caller (a transfer inside the counsellor's whisper)."""
    for r, ln, number, what in routes.dialled:
        owner = our_numbers.get(number)
        if owner is None:
            continue
        if r.path.name == SERVICES_FILE:
            fix = f"write 'line: {owner}' under this service so that callers go into that line"
        else:
            named = [sid for sid, service in services.items() if service.line == owner]
            fix = (
                f"to send callers into that line, transfer to the service '{named[0]}'"
                if named
                else f"to send callers into that line, transfer to a service of services.yaml "
                f"with 'line: {owner}'"
            )
        r.error(
            ln,
            f"{what}: {number} is the number of our own line '{owner}': Twilio would bring the "
            "call back into this router, and whoever answers would hear that line's whole call "
            f"instead of the caller; {fix}",
        )


def _service_for(services, service_id: str, lang: str) -> model.Service | None:
    service = services.get(service_id)
    return service.for_language(lang, services) if service is not None else None


def _lines_entered(line: model.Line, kind: str, target: str, services):
    """The lines a transfer or a referral's "press 1" puts callers straight into (services that
    are our own lines), for each language of `line`, as `ivr.flow` does: {line id: languages}."""
    entered: dict[str, list[str]] = {}
    for lang in line.languages:
        to = target
        if kind == "referral":  # the referral names the service, then transfers to it
            chosen = _service_for(services, target, lang)
            to = chosen.id if chosen else target
        if to in line.contacts:
            continue
        chosen = _service_for(services, to, lang)
        if chosen is not None and chosen.line:
            entered.setdefault(chosen.line, []).append(lang)
    return entered


def _check_transfer_loops(readers, services) -> None:
    """A transfer into one of our own lines runs that line's flow, without a phone call; a
    line that leads back to itself that way would pass callers round forever."""
    # line id -> (line entered, languages, reader, file line, kind, target)
    edges: dict[str, list] = {line.id: [] for _, line in readers}
    for lr, line in readers:
        for ln, kind, target in lr.refs.put_through:
            for other, langs in _lines_entered(line, kind, target, services).items():
                if other in edges:
                    edges[line.id].append((other, langs, lr, ln, kind, target))
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path, todo = [start], [iter(edges[start])]
        while todo:
            edge = next(todo[-1], None)
            if edge is None:
                done.add(path.pop())
                todo.pop()
                continue
            other, langs, lr, ln, kind, target = edge
            if other in path:
                cycle = path[path.index(other) :]
                _report_loop(lr, ln, kind, target, other, langs, cycle, services)
            elif other not in done:
                path.append(other)
                todo.append(iter(edges[other]))


def _report_loop(lr, ln, kind, target, other, langs, cycle, services) -> None:
    """Reported at the transfer or referral that closes the loop."""
    how = "this transfer" if kind == "transfer" else "pressing 1 after this referral"
    if services[target].line == other:
        into = f"puts callers straight into line '{other}' (service '{target}' is that line)"
    else:
        into = (
            f"puts callers in {', '.join(langs)} straight into line '{other}' (through "
            f"'instead:' of service '{target}' in services.yaml)"
        )
    fix = (
        "transfer to a contact, or to a service that is not one of our lines"
        if kind == "transfer"
        else "refer them to a service that is not one of our lines, or write "
        "'offer_transfer: false' to only tell them the number"
    )
    round_trip = " → ".join([cycle[-1], *cycle])  # from here, round, and back here
    lr.r.error(
        ln,
        f"{how} {into}, which leads back here: {round_trip}; callers would go round and "
        f"round: {fix}",
    )

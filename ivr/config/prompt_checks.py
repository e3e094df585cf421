"""Checks the prompts against the lines that say them: each prompt a line says exists in each
of its languages and can be filled, the router's own prompts are there, the phone console's
are there in its language, and each section of a prompts file belongs to a line. A misspelled
name is said once, where it is misspelled."""

from __future__ import annotations

from ivr.config.fields import closest
from ivr.config.prompts import (
    BUILTIN_PROMPTS,
    SERVICE_TEXTS,
    format_problem,
    placeholders,
)
from ivr.config.reading import Mapping, Reader, line_of, place
from ivr.domain import model
from ivr.flow.wording import CONSOLE_PROMPTS

SERVICES_SECTION = "services"


def check_prompt_sections(prompts, prompt_readers, line_ids, unreadable) -> None:
    """A section named after no line: a misspelled line id (an error, read as that line's
    from here on, so that its prompts are not said to be missing), or prompts nobody hears."""
    for lang, texts in prompts.items():
        if lang in unreadable:
            continue
        r = prompt_readers[lang]
        for section in list(texts):
            if section in (model.SHARED, SERVICES_SECTION, model.CONSOLE) or section in line_ids:
                continue
            at = line_of(r.data, section)
            guess = closest(section, [i for i in line_ids if i not in texts])
            if guess:
                r.error(
                    at,
                    f"there is no line '{section}'; did you mean '{guess}'? (a line's own "
                    "prompts are under its id)",
                )
                texts[guess] = texts[section]
            else:
                r.warn(
                    at,
                    f"no line has the id '{section}', so no caller hears these prompts; put "
                    "them under the id of the line that says them: " + ", ".join(sorted(line_ids)),
                )


def check_line_prompts(lr, line: model.Line, prompts, prompt_readers, unreadable) -> None:
    """The prompts `line` says, in each of its languages."""
    missing: dict[str, tuple[list[str], list[int]]] = {}  # key -> languages, lines said on
    for lang in line.languages:
        if lang not in prompts:
            lr.r.error(
                line_of(lr.data, "languages"),
                f"there is no prompts/{lang}.yaml for language '{lang}'",
            )
            continue
        if lang in unreadable:
            continue  # prompts/<lang>.yaml could not be read: said once, there
        texts = prompts[lang]
        for ln, key, allowed in lr.refs.prompts:
            prompt = model.line_prompt(texts, line.id, key)
            if prompt is None:
                langs, lines = missing.setdefault(key, ([], []))
                langs += [lang] if lang not in langs else []
                lines += [ln] if ln not in lines else []
                continue
            section = line.id if key in texts.get(line.id, {}) else model.SHARED
            at = prompt_line(prompt_readers[lang], section, key)
            problem = format_problem(prompt.text, allowed)
            unknown = placeholders(prompt.text) - allowed
            if problem:
                prompt_readers[lang].error(at, f"prompt '{key}' {problem}")
            elif unknown:
                prompt_readers[lang].error(
                    at,
                    f"prompt '{key}' uses {{{', '.join(sorted(unknown))}}}, which nothing fills; "
                    "the placeholders are: " + ", ".join(f"{{{p}}}" for p in sorted(allowed)),
                )
    for lang in line.languages:
        keys = [key for key, (langs, _) in missing.items() if lang in langs]
        if len(keys) > 1 and line.id not in prompts.get(lang, {line.id: None}):
            # No section for the line at all: that is the one thing to say.
            lr.r.error(
                missing[keys[0]][1][0],
                f"prompts/{lang}.yaml has no section '{line.id}:', so {len(keys)} prompts this "
                f"line says are missing there: {', '.join(keys)}; add the section, with them",
            )
            for key in keys:
                missing[key][0].remove(lang)
    said = {key for _, key, _ in lr.refs.prompts}
    for key, (langs, lines) in missing.items():
        if langs:
            _missing(lr, line, key, langs, lines, said, prompts, prompt_readers)


def _missing(lr, line, key, langs, lines, said, prompts, prompt_readers) -> None:
    """Said once for every language and every step that says it. Missing in some languages
    only: those prompts files are wrong, at the name most like it if they have one. Missing
    in every language, which all have the same name like it: the line's file is."""
    where = place(lr.r.file, lines[0]) + (f" and {len(lines) - 1} more" if len(lines) > 1 else "")
    readable = [lang for lang in line.languages if lang in prompts and lang in prompt_readers]
    guesses = {
        lang: closest(key, [k for k in prompts[lang].get(line.id, {}) if k not in said])
        for lang in langs
    }
    if len(langs) < len(readable):
        for lang in [lang for lang in langs if guesses[lang]]:
            r = prompt_readers[lang]
            r.error(
                prompt_line(r, line.id, guesses[lang]),
                f"line '{line.id}' says prompt '{key}' ({where}), which the other languages "
                f"have and this file has not; did you mean '{key}'?",
            )
        langs = [lang for lang in langs if not guesses[lang]]
        if not langs:
            return
    files = ", ".join(f"prompts/{lang}.yaml" for lang in langs)
    others = f" (said on {len(lines) - 1} more line{'s' if len(lines) > 2 else ''})"
    others = others if len(lines) > 1 else ""
    alike = {guesses[lang] for lang in langs}
    if len(alike) == 1 and None not in alike and len(langs) > 1:
        fix = f"did you mean '{alike.pop()}'?"
    elif len(alike) == 1 and None not in alike:
        guess, lang = alike.pop(), langs[0]
        at = place(prompt_readers[lang].file, prompt_line(prompt_readers[lang], line.id, guess))
        fix = (
            f"it has '{guess}' ({at}), which this line never says: one of the two names is "
            "misspelled; write them alike"
        )
    else:
        available = {
            k for lang in langs for s in (line.id, model.SHARED) for k in prompts[lang].get(s, {})
        }
        guess = closest(key, available)
        fix = f"did you mean '{guess}'?" if guess else f"add it under '{line.id}:' or 'shared:'"
    lr.r.error(lines[0], f"prompt '{key}' is missing in {files}{others}; {fix}")


def prompt_line(r: Reader, section: str, key: str) -> int:
    data = r.data
    if isinstance(data, Mapping) and isinstance(data.get(section), Mapping):
        return line_of(data[section], key)
    return line_of(data, section)


def check_shared_prompts(prompts, prompt_readers, services, unreadable) -> None:
    for lang, texts in prompts.items():
        r = prompt_readers[lang]
        if lang in unreadable:
            continue
        shared = texts.get(model.SHARED, {})
        for key in BUILTIN_PROMPTS:
            if key in shared:
                continue
            guess = closest(key, [k for k in shared if k not in BUILTIN_PROMPTS])
            if guess:
                r.error(
                    prompt_line(r, model.SHARED, guess),
                    f"'shared:' needs the prompt '{key}', which the router speaks itself; did "
                    f"you mean '{key}' here?",
                )
            else:
                r.error(
                    line_of(r.data, model.SHARED),
                    f"'shared:' needs the prompt '{key}', which the router speaks itself",
                )
        # The router's own prompts, shared or a line's own wording of them.
        for section, section_texts in texts.items():
            if section in (SERVICES_SECTION, model.CONSOLE):
                continue
            for key, allowed in BUILTIN_PROMPTS.items():
                if key not in section_texts:
                    continue
                text = section_texts[key].text
                problem = format_problem(text, allowed)
                if problem:
                    r.error(prompt_line(r, section, key), f"prompt '{key}' {problem}")
                elif placeholders(text) - allowed:
                    r.error(
                        prompt_line(r, section, key),
                        f"prompt '{key}' uses a placeholder nothing fills; the placeholders are: "
                        + ", ".join(f"{{{p}}}" for p in sorted(allowed)),
                    )
        _check_service_texts(r, texts.get(SERVICES_SECTION, {}), services, lang)


def _check_service_texts(r: Reader, service_texts, services, lang: str) -> None:
    """Each service that speaks `lang` has its name and what it does in this language."""
    written = {key.split(".")[0] for key in service_texts}
    for sid, service in services.items():
        if lang not in service.languages:
            continue
        lacking = [key for key in SERVICE_TEXTS if f"{sid}.{key}" not in service_texts]
        if not lacking:
            continue
        needs = " and ".join(f"'{key}:'" for key in lacking)
        message = f"'services:' needs '{sid}:' with {needs} in this language"
        at = line_of(r.data, SERVICES_SECTION)
        guess = closest(sid, [name for name in written if name not in services])
        if guess:
            at = prompt_line(r, SERVICES_SECTION, guess)
            message += (
                f"; '{guess}' here is no service of services.yaml: one of the two names is "
                "misspelled; write them alike"
            )
        r.error(at, message)


def check_console_prompts(console_reader, console, prompts, prompt_readers, unreadable) -> None:
    """The phone console's prompts (`console:`): in the language console.yaml gives it, each
    one it says; in every prompts file that has them, none it never says, each one fillable."""
    for lang, texts in prompts.items():
        if lang in unreadable or model.CONSOLE not in texts:
            continue
        r = prompt_readers[lang]
        section = texts[model.CONSOLE]
        speaks = console is not None and console.language == lang
        for key, prompt in section.items():
            at = prompt_line(r, model.CONSOLE, key)
            allowed = CONSOLE_PROMPTS.get(key)
            if allowed is None:
                guess = closest(key, [k for k in CONSOLE_PROMPTS if k not in section])
                hint = (
                    f"did you mean '{guess}'?"
                    if guess
                    else "its prompts are: " + ", ".join(CONSOLE_PROMPTS)
                )
                message = f"the phone console says no prompt '{key}'; {hint}"
                if speaks and guess:
                    r.error(at, message)  # and the prompt it meant is not said to be missing
                else:
                    r.warn(at, message)
                continue
            problem = format_problem(prompt.text, allowed)
            unknown = placeholders(prompt.text) - allowed
            if problem:
                r.error(at, f"prompt '{key}' {problem}")
            elif unknown:
                fills = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
                r.error(
                    at,
                    f"prompt '{key}' uses {{{', '.join(sorted(unknown))}}}, which nothing fills; "
                    f"its placeholders are: {fills}",
                )
    if console is None or console_reader is None:
        return
    lang, data = console.language, console_reader.data
    at = line_of(data.get("phone_console") if isinstance(data, Mapping) else data, "language")
    if lang not in prompts:
        console_reader.error(
            at, f"there is no prompts/{lang}.yaml for '{lang}', the language the console speaks"
        )
        return
    if lang in unreadable:
        return
    r, section = prompt_readers[lang], prompts[lang].get(model.CONSOLE)
    if section is None:
        console_reader.error(
            at,
            f"the phone console speaks '{lang}', but prompts/{lang}.yaml has no section "
            "'console:'; add it with what the console says (prompts/fr.yaml has one to "
            "translate): " + ", ".join(CONSOLE_PROMPTS),
        )
        return
    misspelled = {k for k in section if k not in CONSOLE_PROMPTS}
    for key in CONSOLE_PROMPTS:
        if key in section:
            continue
        if closest(key, misspelled) is None:
            r.error(
                line_of(r.data, model.CONSOLE),
                f"'console:' needs the prompt '{key}', which the phone console speaks in "
                f"'{lang}' (console.yaml)",
            )

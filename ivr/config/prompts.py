"""Reads the prompts (`prompts/<language>.yaml`) and voices, and what a prompt's placeholders
may be."""

from __future__ import annotations

import string
from pathlib import Path

from ivr.config.fields import Fields, closest, or_list
from ivr.config.reading import Mapping, Reader, line_of
from ivr.domain import languages, model
from ivr.flow.wording import LINE_PLACEHOLDERS, REFERRAL_PLACEHOLDERS
from ivr.twilio.voices import SOURCES, VOICES

AUDIO_DIR = "audio"
VOICES_FILE = "voices.yaml"
# Prompts the code itself speaks, in the `shared:` section of every language.
BUILTIN_PROMPTS = {
    "goodbye": LINE_PLACEHOLDERS,
    "invalid_choice": LINE_PLACEHOLDERS,
    "voicemail_thanks": LINE_PLACEHOLDERS,
    "voicemail_not_kept": LINE_PLACEHOLDERS,
    "referral": REFERRAL_PLACEHOLDERS,
    "referral_always": REFERRAL_PLACEHOLDERS,
    "referral_closed": REFERRAL_PLACEHOLDERS,
    "referral_offer": REFERRAL_PLACEHOLDERS,
    "transfer_failed": REFERRAL_PLACEHOLDERS,
    "language_option": {"key"},
    "whisper": {"line", "language"},
    "screen": {"line", "language"},
    # A caller waiting in a queue (issue 21), and the counsellor joined to an empty one.
    "queue_first": LINE_PLACEHOLDERS,
    "queue_position": LINE_PLACEHOLDERS | {"position"},
    "queue_wait": LINE_PLACEHOLDERS | {"low", "high"},
    "queue_gone": {"line", "language"},
}
SERVICE_TEXTS = ("name", "about")


def read_prompts(r: Reader, data, prompts_dir: Path) -> dict[str, dict[str, model.Prompt]]:
    """`key: text`, or `key: {text: ..., audio: file.mp3}` for a recorded prompt."""
    sections: dict[str, dict[str, model.Prompt]] = {}
    if not isinstance(data, Mapping):
        r.error(getattr(data, "line", 1), "a prompts file holds 'shared:' and one section a line")
        return sections
    for line in r.cut_by_comment:
        r.warn(
            line,
            "callers hear this text only up to ' #': in YAML, a space and # start a comment; "
            "if the # is part of the text, put the whole text in double quotes",
            kind="cut by a comment",
        )
    for written, texts in data.items():
        if not isinstance(texts, Mapping):
            r.error(line_of(data, written), f"'{written}' must hold 'key: text' lines")
            continue
        section = written
        guess = closest(written, [s for s in (model.SHARED, "services") if s not in data])
        if guess and written not in (model.SHARED, "services"):
            r.error(
                line_of(data, written), f"there is no section '{written}'; did you mean '{guess}'?"
            )
            section = guess  # read as meant: its prompts are not said to be missing
        flat = {}
        for key, value in texts.items():
            ln = line_of(texts, key)
            if section == "services" and isinstance(value, Mapping):
                for sub, sub_text in value.items():
                    flat[f"{key}.{sub}"] = model.Prompt(str(sub_text))
            elif isinstance(value, str | int):
                flat[key] = model.Prompt(str(value))
            elif isinstance(value, Mapping):
                f = Fields(r, value, f"prompt '{key}'", {"text", "audio"})
                text = f.text("text") or ""
                audio = f.text("audio", required=False)
                if audio and not audio.startswith("https://"):
                    if ".." in audio or not _is_file(prompts_dir / AUDIO_DIR / audio):
                        r.error(
                            f.line("audio"),
                            f"there is no audio file {prompts_dir / AUDIO_DIR / audio}; put the "
                            f"recording there, or give an https:// address",
                        )
                if audio and placeholders(text):
                    r.warn(
                        f.line("audio"),
                        f"prompt '{key}' has placeholders, but a recording says the same thing "
                        "every time: it will not follow changes of hours or numbers",
                    )
                flat[key] = model.Prompt(text, audio)
            else:
                r.error(ln, f"prompt '{key}' must be a text")
        sections[section] = flat
    return sections


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the system, or with a null in it
        return False


def format_problem(text: str, allowed: set[str]) -> str | None:
    """Why the router could not fill the prompt `text` (a `str.format_map` template, filled
    with words for the placeholders `allowed`), in an operator's words; None when it can.
    Placeholders nothing fills are left to the caller, which names them."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return (
            "has a '{' or a '}' without its pair: a placeholder is written {hours}; to say a "
            "brace, write it twice, {{ or }}"
        )
    if any(name not in allowed for name, _, _ in fields):
        return None
    for name, spec, conversion in fields:
        # Never formatted with its spec: {hours:>999999999} would take a gigabyte.
        if conversion:
            return (
                f"writes {{{name}!{conversion}}}, but a placeholder takes nothing after its name "
                f"(the router fills it with words): write {{{name}}} without '!{conversion}'"
            )
        if spec:
            return (
                f"writes {{{name}:{spec}}}, but a placeholder takes nothing after its name "
                f"(the router fills it with words): write {{{name}}} without ':{spec}'"
            )
    try:
        text.format_map({name: f"({name})" for name in allowed})
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        return f"cannot be filled ({exc}); write each placeholder as a name in braces, {{hours}}"
    return None


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"{"}


def read_voices(r: Reader, data) -> dict[str, model.Voice]:
    voices: dict[str, model.Voice] = {}
    m = data.get("voices") if isinstance(data, Mapping) else None
    if not isinstance(m, Mapping):
        r.error(getattr(data, "line", 1), "the file must start with 'voices:'")
        return voices
    for lang, item in m.items():
        line = line_of(m, lang)
        if not languages.known(lang):
            r.error(
                line,
                f"'{lang}' is not a language code; "
                + or_list(lang, languages.codes(), "use one of"),
            )
            continue
        if not isinstance(item, Mapping):
            r.error(line, f"'{lang}' needs 'language:' and 'voice:'")
            continue
        f = Fields(r, item, f"the voice for '{lang}'", {"language", "voice"})
        say_language = f.text("language") or ""
        voice = f.text("voice", required=False)
        # A variant of the language the registry speaks it in (fr-FR for fr, as fr-BE).
        family = languages.get(lang).say_language.split("-")[0]
        if say_language and say_language.split("-")[0] != family:
            r.error(f.line("language"), f"'{say_language}' is not a variant of '{lang}'")
            continue
        problem = voice_problem(say_language, voice) if say_language else None
        if problem:
            documented = any(code.lower() == say_language.lower() for code in VOICES)
            at = line if not voice else f.line("voice")
            r.error(at if documented else f.line("language"), problem)
            continue
        voices[lang] = model.Voice(say_language, voice)
    return voices


def voice_problem(language: str, voice: str | None) -> str | None:
    """Why Twilio would not speak `language` with `voice` (None: its default voice, man), in an
    operator's words, with the page that says so; None when it documents the pair. Language
    codes are compared as BCP 47 has them, whatever their case (en-gb, en-GB)."""
    voices = [
        v for code, names in VOICES.items() if code.lower() == language.lower() for v in names
    ]
    if not voices:
        family = language.split("-")[0].lower()
        known = [code for code in VOICES if code.split("-")[0].lower() == family]
        return (
            f"Twilio documents no voice for '{language}' ({SOURCES[1]}); write language: "
            + " or ".join(known or VOICES)
        )
    if voice in voices:
        return None
    spoken_by = [code for code, names in VOICES.items() if (voice or "man") in names]
    if voice is None:
        what = "without 'voice:' Twilio speaks with its default voice, man, which does not"
    elif not spoken_by:
        what = f"'{voice}' is not a voice Twilio documents: it does not"
    else:
        what = f"voice '{voice}' does not"
    where = f"; Twilio documents it for {', '.join(spoken_by)}" if spoken_by else ""
    source = SOURCES[0] if (voice or "man") in ("man", "woman") else SOURCES[1]
    return (
        f"{what} speak {language}{where} ({source}); for {language}, write voice: "
        + " or ".join(voices[:3])
    )

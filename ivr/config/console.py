"""Reads `console.yaml`: the phone console, the number coordinators (and counsellors given a
PIN for their shifts) call and the phones they may call it from."""

from __future__ import annotations

from ivr.config.fields import Fields
from ivr.config.reading import Mapping, Reader, line_of
from ivr.domain import languages, model, phone

CONSOLE_FILE = "console.yaml"
CONSOLE_KEYS = {"numbers", "language", "coordinators", "counsellors", "redirect_to"}


def read_console(r: Reader, data, services: dict, lines: dict) -> model.PhoneConsole | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("phone_console"), Mapping):
        r.error(getattr(data, "line", 1), "the file must start with 'phone_console:'")
        return None
    m = data["phone_console"]
    f = Fields(r, m, "the phone console", CONSOLE_KEYS)
    ok = True
    numbers = []
    seq = f.sequence("numbers")
    for written, ln in zip(seq or [], (seq.item_lines if seq else []), strict=True):
        number = phone.normalise(str(written))
        if number is None or not phone.is_e164(number):
            r.error(ln, f"'{written}' is not a Twilio number; write it as +32 and the number")
            ok = False
        elif any(number in line.numbers for line in lines.values()):
            r.error(ln, f"{number} is a line's number; the console needs a number of its own")
            ok = False
        else:
            numbers.append(number)
    language = f.text("language", required=False, default=model.DEFAULT_LANGUAGE)
    if not languages.known(language):
        r.error(f.line("language"), f"'{language}' is not one of {', '.join(languages.codes())}")
        ok = False
    # The phones it answers, by account: coordinators (overrides and their shift), and
    # counsellors given a PIN for their shift alone (issue 21).
    coordinators: dict[str, str] = {}
    for key, who in (("coordinators", "coordinator"), ("counsellors", "counsellor")):
        written = f.mapping(key, required=key == "coordinators") or {}
        for name, number_written in written.items():
            ln = line_of(written, name)
            number = phone.normalise(str(number_written))
            if number is None or not phone.is_e164(number):
                r.error(
                    ln,
                    f"{name}: '{number_written}' is not a phone number; write the phone this "
                    f"{who} calls from, such as 0470 12 34 56",
                )
                ok = False
            elif number in coordinators:
                r.error(
                    ln,
                    f"{name} and {coordinators[number]} have the same phone: give each their own",
                )
                ok = False
            else:
                coordinators[number] = str(name)
    redirect_to = f.text("redirect_to", required=False)
    if redirect_to and redirect_to not in services:
        r.error(
            f.line("redirect_to"),
            f"there is no service '{redirect_to}' in services.yaml; the services are: "
            + ", ".join(sorted(services)),
        )
        ok = False
    if not ok:
        return None
    return model.PhoneConsole(tuple(numbers), language, coordinators, redirect_to)

"""The console's gettext catalogues: Babel's extraction (with babel.cfg, as `make translations`
runs it) finds every text the console shows, and each has its French and Dutch, neither empty
nor fuzzy, with the placeholders of its English."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from support.helpers import ROOT

from ivr.console import catalogue

POT = catalogue.FOLDER / f"{catalogue.DOMAIN}.pot"


def extracted() -> Catalog:
    """What `make translations` would put in the template now."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found = Catalog()
    for path, line, text, comments, context in extract_from_dir(
        ROOT / "ivr", method_map, options_map
    ):
        found.add(text, None, [(f"ivr/{path}", line)], auto_comments=comments, context=context)
    return found


def read(path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def texts(catalog: Catalog) -> set:
    return {(m.id, m.context) for m in catalog if m.id}


def test_every_text_of_the_console_has_its_french_and_dutch():
    found = extracted()
    assert len(texts(found)) > 150  # the extraction still finds them
    # ... in each place the console's texts are written
    places = {path for message in found for path, _ in message.locations}
    for where in (
        "ivr/console/board.py",
        "ivr/console/security.py",
        "ivr/flow/describe.py",
        "ivr/cli/calls.py",
        "ivr/templates/console/base.html",
        "ivr/templates/console/try.html",
    ):
        assert where in places
    problems = []
    for lang in catalogue.TRANSLATED:
        translated = read(catalogue.po_file(lang))
        assert not translated.fuzzy, f"{lang}: the catalogue's header is marked fuzzy"
        for message in found:
            if not message.id:
                continue
            entry = translated.get(message.id, message.context)
            strings = () if entry is None else entry.string
            strings = (strings,) if isinstance(strings, str) else strings
            if entry is None:
                problems.append(f"{lang}: missing {message.id!r}")
            elif not all(strings):
                problems.append(f"{lang}: not translated {message.id!r}")
            elif entry.fuzzy:
                problems.append(f"{lang}: fuzzy {message.id!r}")
    assert not problems, "run `make translations`, then translate:\n" + "\n".join(problems)


def test_the_translations_keep_the_placeholders_and_write_no_html():
    problems = []
    for lang in catalogue.TRANSLATED:
        translated = read(catalogue.po_file(lang))
        # Babel's checks: the same %(name)s placeholders as the English.
        for message, errors in translated.check():
            problems += [f"{lang}: {message.id!r}: {error}" for error in errors]
        for message in translated:
            strings = (message.string,) if isinstance(message.string, str) else message.string
            # The templates put a translation in the page as it is (only the values filled
            # in are escaped): no markup, nothing that ends an attribute.
            if message.id and any(c in s for s in strings for c in '<>&"'):
                problems.append(f'{lang}: {message.id!r}: use no < > & or " in a translation')
    assert not problems, "\n".join(problems)


def test_the_template_and_the_catalogues_are_those_extraction_makes_now():
    """`make translations` was run after the last change of a text: the template holds what
    the code says, and each catalogue no text the console no longer shows."""
    now = texts(extracted())
    assert texts(read(POT)) == now
    for lang in catalogue.TRANSLATED:
        assert texts(read(catalogue.po_file(lang))) == now, lang


def test_the_pages_speak_from_the_catalogues():
    assert catalogue.translations("fr").gettext("Log out") == "Se déconnecter"
    assert catalogue.translations("nl").gettext("Log out") == "Afmelden"
    assert catalogue.translations("en").gettext("Log out") == "Log out"

"""The console's words in French and Dutch: gettext catalogues, the format translators' tools
read (Poedit, Weblate, ...), in `translations/<lang>/LC_MESSAGES/messages.po`.

The texts are written in English in the code and the templates, and Babel extracts them
(`make translations`, with `babel.cfg`) into `translations/messages.pot` and merges them into
each language's catalogue; tests/test_translations.py fails while one is missing, empty or
fuzzy. No compiled `.mo` file is kept or built: each process compiles the `.po` files in
memory the first time it needs a language (some 10 ms), so a catalogue edited is the catalogue
shown, with no build step a deployment could forget (`pip install .` from the Procfile).
"""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

FOLDER = Path(__file__).with_name("translations")
DOMAIN = "messages"
TRANSLATED = ("fr", "nl")  # English is the language the texts are written in


def N_(text: str) -> str:
    """A text marked for the catalogues where it is written (gettext's name, which Babel
    extracts), translated where it is shown."""
    return text


def po_file(lang: str) -> Path:
    return FOLDER / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The language's catalogue, compiled from its `.po` file (fuzzy entries left out, as
    msgfmt does); English, or a language without a catalogue, says the texts as written."""
    if lang not in TRANSLATED:
        return NullTranslations()
    with po_file(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)

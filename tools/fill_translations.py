"""Fill msgstr entries of the apps' .po files from a dict of translations and
compile the .mo files, so a fresh clone needs no gettext tools.

Usage: python tools/fill_translations.py TRANSLATIONS.py [--compile-only]
The translations file defines T = {msgid: {"pl": ..., "ru": ..., "zh_Hans": ...}};
an entry with a context (pgettext) is keyed "context\x04msgid".
For an entry with a plural, each language maps to the list of its forms, in the
order of the catalogue's Plural-Forms. An entry with a context (pgettext) is
keyed "context\x04msgid", as gettext itself keys it (see ``key``); it never takes
the translation of the same msgid without a context, whose meaning differs.
"""

import re
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def main() -> None:
    table = {} if sys.argv[1] == "--compile-only" else runpy.run_path(sys.argv[1])["T"]
    for po_path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po")):
        language = po_path.parent.parent.name
        po = polib.pofile(str(po_path))
        # A catalogue makemessages has just created has two msgstr[] slots whatever
        # the language; the header's Plural-Forms says how many there must be.
        nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
        filled = 0
        for entry in po:
            translated = table.get(key(entry), {}).get(language)
            if not translated:
                continue
            if entry.msgid_plural:
                forms = dict(enumerate(translated))
                if len(forms) != nplurals:
                    sys.exit(f"{po_path}: {entry.msgid!r} needs {nplurals} plural forms")
                changed = entry.msgstr_plural != forms
                entry.msgstr_plural = forms
            else:
                changed = entry.msgstr != translated
                entry.msgstr = translated
            if changed or "fuzzy" in entry.flags:
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                filled += 1
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(ROOT)}: {filled} filled, {po.percent_translated()}% done")


if __name__ == "__main__":
    main()

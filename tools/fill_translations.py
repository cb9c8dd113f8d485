"""Fill msgstr entries of the apps' .po files from a dict of translations and
compile the .mo files, so a fresh clone needs no gettext tools.

Usage: python tools/fill_translations.py TRANSLATIONS.py [--compile-only]
The translations file defines T = {msgid: {"pl": ..., "ru": ..., "zh_Hans": ...}}.
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    table = {} if sys.argv[1] == "--compile-only" else runpy.run_path(sys.argv[1])["T"]
    for po_path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po")):
        language = po_path.parent.parent.name
        po = polib.pofile(str(po_path))
        filled = 0
        for entry in po:
            translated = table.get(entry.msgid, {}).get(language)
            if translated and entry.msgstr != translated:
                entry.msgstr = translated
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                filled += 1
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(ROOT)}: {filled} filled, {po.percent_translated()}% done")


if __name__ == "__main__":
    main()

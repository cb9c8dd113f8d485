"""Translation catalogues: complete for what customers read, and compiled."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER_FACING = ("templates/followups/email/", "templates/surveys/")
LANGUAGES = ["pl", "ru", "zh_Hans"]
CATALOGUES = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))


def customer_facing(entry: polib.POEntry) -> bool:
    return any(path.startswith(CUSTOMER_FACING) for path, _ in entry.occurrences)


def test_every_app_with_customer_text_has_all_three_catalogues():
    languages = {po.parent.parent.name for po in CATALOGUES}
    assert set(LANGUAGES) <= languages


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_customer_facing_text_is_fully_translated(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if customer_facing(e) and (not e.msgstr or "fuzzy" in e.flags)]
    assert missing == [], f"untranslated in {po_path}: {missing}"
    assert any(customer_facing(e) for e in po)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo if e.msgid}
    source = {e.msgid: e.msgstr for e in po.translated_entries() if e.msgid}
    assert compiled == source, "run: python tools/fill_translations.py --compile-only"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(po_path):
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in polib.pofile(str(po_path)).translated_entries():
        assert sorted(placeholder.findall(entry.msgid)) == sorted(
            placeholder.findall(entry.msgstr)
        ), entry.msgid

"""Translation catalogues: complete for what customers read and for the pages the
trust work added, and compiled."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER_FACING = ("templates/followups/email/", "templates/surveys/")
# The modules and admin templates the trust work added (audit trail, customer
# import, API keys, login lockout): every text they show staff is translated.
TRUST_WAVE_FILES = (
    "nps_project/middleware.py",
    "nps_project/templates/admin/locked_out.html",
    "surveys/admin_imports.py",
    "surveys/api_access.py",
    "surveys/api_keys.py",
    "surveys/imports.py",
    "surveys/tasks.py",
    "surveys/templates/admin/surveys/apikey/created.html",
    "surveys/templates/admin/surveys/customer/import.html",
    "surveys/templates/admin/surveys/customerimport/job.html",
)
LANGUAGES = ["pl", "ru", "zh_Hans"]
CATALOGUES = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def app_of(po_path: Path) -> str:
    return po_path.relative_to(ROOT).parts[0]


def customer_facing(entry: polib.POEntry) -> bool:
    return any(path.startswith(CUSTOMER_FACING) for path, _ in entry.occurrences)


def in_trust_wave(app: str, entry: polib.POEntry) -> bool:
    return any(f"{app}/{path}" in TRUST_WAVE_FILES for path, _ in entry.occurrences)


def untranslated(entry: polib.POEntry) -> bool:
    return not entry.translated() or "fuzzy" in entry.flags


def test_every_app_with_customer_text_has_all_three_catalogues():
    languages = {po.parent.parent.name for po in CATALOGUES}
    assert set(LANGUAGES) <= languages
    assert any(customer_facing(e) for po in CATALOGUES for e in polib.pofile(str(po)))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_customer_facing_text_is_fully_translated(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if customer_facing(e) and untranslated(e)]
    assert missing == [], f"untranslated in {po_path}: {missing}"


def test_every_trust_wave_file_is_in_a_catalogue():
    """A file listed above that no catalogue mentions was moved or renamed, or
    makemessages was not run: either way the next test would prove nothing."""
    mentioned = {
        f"{app_of(po_path)}/{path}"
        for po_path in CATALOGUES
        for entry in polib.pofile(str(po_path))
        for path, _ in entry.occurrences
    }
    assert sorted(set(TRUST_WAVE_FILES) - mentioned) == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_trust_wave_admin_text_is_fully_translated(po_path):
    app = app_of(po_path)
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if in_trust_wave(app, e) and untranslated(e)]
    assert missing == [], f"untranslated in {po_path}: {missing}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    def texts(entries):
        return {
            e.msgid: e.msgstr if not e.msgid_plural else tuple(sorted(e.msgstr_plural.items()))
            for e in entries
            if e.msgid
        }

    assert texts(mo) == texts(po.translated_entries()), (
        "run: python tools/fill_translations.py --compile-only"
    )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(po_path):
    for entry in polib.pofile(str(po_path)).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            assert sorted(PLACEHOLDER.findall(translated)) == expected, entry.msgid

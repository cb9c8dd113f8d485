"""Translation catalogues: complete for what customers read and for the pages the
trust work added, and compiled."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

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
            (e.msgctxt, e.msgid): e.msgstr
            if not e.msgid_plural
            else tuple(sorted(e.msgstr_plural.items()))
            for e in entries
            if e.msgid
        }

    assert texts(mo) == texts(po.translated_entries()), (
        "run: python tools/fill_translations.py --compile-only"
    )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(po_path):
    for entry in polib.pofile(str(po_path)).translated_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid))  # a name may repeat
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            assert set(PLACEHOLDER.findall(translated)) == expected, entry.msgid


# ---- Everything translated, as extracted from the code now ------------------

APPS = ("surveys", "followups", "nps_project")
DJANGO_LANGUAGE = {"pl": "pl", "ru": "ru", "zh_Hans": "zh-hans"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[Path, polib.POFile]:
    """Each app's catalogues as makemessages makes them from today's code,
    merged with the committed translations: in a copy, so the tree is untouched."""
    copy = tmp_path_factory.mktemp("extracted")
    for app in APPS:
        shutil.copytree(ROOT / app, copy / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nps_project.settings.dev",
        "PYTHONPATH": str(copy),
    }
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    for app in APPS:
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(copy / "manage.py"), "makemessages", *languages, "--no-obsolete"],
            cwd=copy / app,
            env=env,
            check=True,
            capture_output=True,
        )
    return {
        po.relative_to(copy): polib.pofile(str(po))
        for po in sorted(copy.glob("*/locale/*/LC_MESSAGES/django.po"))
    }


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r} ({where})"


@pytest.mark.gettext
def test_extraction_covers_every_app_and_language(extracted):
    found = {(path.parts[0], path.parts[2]) for path in extracted}
    assert found == {(app, language) for app in APPS for language in LANGUAGES}


@pytest.mark.gettext
@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_extracted_message_is_translated(extracted, app, language):
    po = extracted[Path(app, "locale", language, "LC_MESSAGES", "django.po")]
    missing = [describe(e) for e in po if not e.obsolete and untranslated(e)]
    assert missing == [], (
        f"{len(missing)} untranslated or fuzzy in {app} ({language}); add them to a "
        "tools/translations_*.py table, run makemessages and tools/fill_translations.py:\n"
        + "\n".join(missing)
    )


@pytest.mark.gettext
def test_committed_catalogues_hold_what_extraction_finds(extracted):
    """A message in the code but not in the committed catalogue is not
    translated at run time, whatever the table says."""
    stale = []
    for path, po in extracted.items():
        committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / path)) if not e.obsolete}
        stale += [f"{path}: {describe(e)}" for e in po if (e.msgctxt, e.msgid) not in committed]
    assert stale == [], "run makemessages and tools/fill_translations.py:\n" + "\n".join(stale)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_our_translation_is_the_one_shown(po_path):
    """Django, the admin and other installed apps translate some of the same
    words (New, Change, Action...) their own way, and an app listed earlier in
    INSTALLED_APPS wins: a word of ours that means something else needs a
    context (pgettext), so that the word shown is the one we wrote."""
    language = DJANGO_LANGUAGE[po_path.parent.parent.name]
    overridden = []
    with translation.override(language):
        for entry in polib.pofile(str(po_path)).translated_entries():
            if entry.msgid_plural:
                continue
            shown = (
                translation.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else translation.gettext(entry.msgid)
            )
            if shown != entry.msgstr:
                overridden.append(f"{describe(entry)}: ours {entry.msgstr!r}, shown {shown!r}")
    assert overridden == [], "\n".join(overridden)

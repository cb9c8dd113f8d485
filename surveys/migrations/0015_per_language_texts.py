"""A survey's question and follow-up question get a column per language (an
admin field each) instead of one JSON mapping typed by hand; the mapping's
texts move into the columns and back again on reversal."""

from django.db import migrations, models

# Frozen here: the languages and columns as they were when this ran.
LOCALES = {"pl": "pl", "ru": "ru", "zh-hans": "zh_hans"}
FIELDS = ("question", "follow_up_question")
MAX_LENGTH = 300


def _translations(survey) -> dict:
    """The survey's mapping with its language keys as the columns name them
    ("zh_Hans" and "ZH-HANS" are "zh-hans"). Anything the columns cannot hold
    stops the migration with what to fix, rather than being dropped."""
    stored = survey.translations
    if not isinstance(stored, dict):
        raise ValueError(
            f"Survey {survey.slug!r}: its translations are not a mapping of languages to "
            f"texts ({stored!r:.80}); correct them, then migrate again."
        )
    mapping = {}
    for key, texts in stored.items():
        locale = str(key).strip().lower().replace("_", "-")
        if locale not in LOCALES:
            raise ValueError(
                f"Survey {survey.slug!r}: its translations name the language {key!r}; "
                f"only {', '.join(LOCALES)} have columns. Remove or rename it, then migrate again."
            )
        if texts in (None, ""):
            continue
        unknown = set(texts) - set(FIELDS) if isinstance(texts, dict) else None
        if unknown is None or unknown:
            raise ValueError(
                f"Survey {survey.slug!r}: its {key!r} translation must map "
                f"{' and '.join(FIELDS)} to texts, not {texts!r:.80}; "
                "correct it, then migrate again."
            )
        mapping[locale] = texts
    return mapping


def json_to_columns(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    for survey in Survey.objects.exclude(translations={}).iterator():
        translations = _translations(survey)
        for locale, suffix in LOCALES.items():
            texts = translations.get(locale) or {}
            for field in FIELDS:
                text = (texts.get(field) or "").strip()
                if len(text) > MAX_LENGTH:
                    raise ValueError(
                        f"Survey {survey.slug!r}: its {locale} {field} is {len(text)} "
                        f"characters, more than {MAX_LENGTH}; shorten it, then migrate again."
                    )
                setattr(survey, f"{field}_{suffix}", text)
        survey.save(update_fields=[f"{f}_{s}" for f in FIELDS for s in LOCALES.values()])


def columns_to_json(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    for survey in Survey.objects.iterator():
        translations = {}
        for locale, suffix in LOCALES.items():
            texts = {f: getattr(survey, f"{f}_{suffix}") for f in FIELDS}
            if texts := {f: text for f, text in texts.items() if text}:
                translations[locale] = texts
        if translations:
            survey.translations = translations
            survey.save(update_fields=["translations"])


def text_column(verbose_name):
    return models.CharField(blank=True, max_length=MAX_LENGTH, verbose_name=verbose_name)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0014_survey_sla_deadlines"),
    ]

    operations = [
        migrations.AddField("survey", "question_pl", text_column("question (Polish)")),
        migrations.AddField("survey", "question_ru", text_column("question (Russian)")),
        migrations.AddField(
            "survey", "question_zh_hans", text_column("question (Simplified Chinese)")
        ),
        migrations.AddField(
            "survey", "follow_up_question_pl", text_column("follow-up question (Polish)")
        ),
        migrations.AddField(
            "survey", "follow_up_question_ru", text_column("follow-up question (Russian)")
        ),
        migrations.AddField(
            "survey",
            "follow_up_question_zh_hans",
            text_column("follow-up question (Simplified Chinese)"),
        ),
        migrations.RunPython(json_to_columns, columns_to_json, elidable=False),
        migrations.RemoveField("survey", "translations"),
    ]

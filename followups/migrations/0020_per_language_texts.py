"""The text customers read about their offer or reward, per language (empty:
English); the default offer and reward, still worded as created, get theirs."""

from django.db import migrations, models

# Frozen here: the defaults' English text as 0002 created it, and its wording.
DEFAULT_DESCRIPTIONS = {
    "Offer": {
        "description": "15% off your next order or renewal.",
        "description_pl": "15% zniżki na następne zamówienie lub odnowienie.",
        "description_ru": "Скидка 15% на следующий заказ или продление.",
        "description_zh_hans": "下次订购或续订可享 15% 折扣。",
    },
    "Reward": {
        "description": "500 loyalty points, added when you redeem this code.",
        "description_pl": "500 punktów lojalnościowych, dodanych po wykorzystaniu tego kodu.",
        "description_ru": "500 бонусных баллов: они начисляются, когда вы используете этот код.",
        "description_zh_hans": "500 积分，在您兑换此代码时添加。",  # noqa: RUF001 - Chinese commas
    },
}


def word_the_defaults(apps, schema_editor):
    for model_name, texts in DEFAULT_DESCRIPTIONS.items():
        model = apps.get_model("followups", model_name)
        translated = {field: text for field, text in texts.items() if field != "description"}
        model.objects.filter(
            is_default=True,
            description=texts["description"],
            **dict.fromkeys(translated, ""),
        ).update(**translated)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0019_case_event_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="description_pl",
            field=models.TextField(blank=True, verbose_name="description (Polish)"),
        ),
        migrations.AddField(
            model_name="offer",
            name="description_ru",
            field=models.TextField(blank=True, verbose_name="description (Russian)"),
        ),
        migrations.AddField(
            model_name="offer",
            name="description_zh_hans",
            field=models.TextField(blank=True, verbose_name="description (Simplified Chinese)"),
        ),
        migrations.AddField(
            model_name="reward",
            name="description_pl",
            field=models.TextField(blank=True, verbose_name="description (Polish)"),
        ),
        migrations.AddField(
            model_name="reward",
            name="description_ru",
            field=models.TextField(blank=True, verbose_name="description (Russian)"),
        ),
        migrations.AddField(
            model_name="reward",
            name="description_zh_hans",
            field=models.TextField(blank=True, verbose_name="description (Simplified Chinese)"),
        ),
        migrations.RunPython(word_the_defaults, migrations.RunPython.noop, elidable=False),
    ]

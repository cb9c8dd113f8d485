"""The two roles as groups with their permissions, and a default offer and
reward so that passives and promoters are answered from the first day.

The data is frozen here as this step first granted it, not read from
``followups.roles``: later grants come in later migrations, so a change to the
roles never changes (or breaks) what an old database gets from this step."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SERVICE_STAFF = "Service staff"
MANAGERS = "Managers"
STAFF_PERMISSIONS = (
    ("surveys", "view_customer"),
    ("surveys", "view_survey"),
    ("surveys", "view_response"),
    ("surveys", "view_invitation"),
    ("followups", "view_followupcase"),
    ("followups", "change_followupcase"),
    ("followups", "view_caseevent"),
    ("followups", "add_caseevent"),
    ("followups", "view_rootcause"),
    ("followups", "view_offergrant"),
    ("followups", "view_rewardgrant"),
    ("followups", "view_outboundemail"),
    ("followups", "view_offer"),
    ("followups", "view_reward"),
)
MANAGER_PERMISSIONS = (
    *STAFF_PERMISSIONS,
    ("surveys", "change_customer"),
    ("surveys", "change_survey"),
    ("surveys", "add_survey"),
    ("surveys", "change_response"),
    ("followups", "add_rootcause"),
    ("followups", "change_rootcause"),
    ("followups", "add_offer"),
    ("followups", "change_offer"),
    ("followups", "add_reward"),
    ("followups", "change_reward"),
    ("followups", "add_surveyincentive"),
    ("followups", "change_surveyincentive"),
    ("followups", "view_surveyincentive"),
    ("followups", "view_staffprofile"),
    ("followups", "change_staffprofile"),
)
ROLE_PERMISSIONS = {SERVICE_STAFF: STAFF_PERMISSIONS, MANAGERS: MANAGER_PERMISSIONS}
DEFAULT_OFFER = {
    "name": "Exclusive 15% discount",
    "description": "15% off your next order or renewal.",
    "code_prefix": "THX",
    "valid_days": 30,
}
DEFAULT_REWARD = {
    "name": "Loyalty points",
    "kind": "loyalty_points",
    "description": "500 loyalty points, added when you redeem this code.",
    "points": 500,
    "code_prefix": "VIP",
    "valid_days": 90,
}


def create_reference_data(apps, schema_editor):
    # Permissions of models created in this run exist only after post_migrate.
    for label in ("surveys", "followups"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    Offer = apps.get_model("followups", "Offer")
    Reward = apps.get_model("followups", "Reward")
    if not Offer.objects.filter(is_default=True).exists():
        Offer.objects.create(**DEFAULT_OFFER, is_default=True)
    if not Reward.objects.filter(is_default=True).exists():
        Reward.objects.create(**DEFAULT_REWARD, is_default=True)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("surveys", "0001_initial"),
    ]

    # Undoing it keeps the groups and the default offer and reward: people may
    # have been put in the groups, and grants point at the defaults.
    operations = [
        migrations.RunPython(create_reference_data, migrations.RunPython.noop),
    ]

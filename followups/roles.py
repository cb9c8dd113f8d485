"""The roles, as Django groups with their permissions, and the reference
data every installation starts with (the default offer and reward, the
brand and the email texts): what a fully migrated database holds.

Migrations never import this module: each one freezes the grants it makes, and
a change here needs a migration that makes the same change (the migration tests
prove the two agree). The test suite and the demo build from these constants."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from followups.models import Offer, Reward
from surveys.branding import EmailKind
from surveys.models import Brand, EmailText

SERVICE_STAFF = "Service staff"
MANAGERS = "Managers"
DATA_PROTECTION = "Data protection"
# What makes a manager: assigning cases (see followups.cases.access).
ASSIGN_PERMISSION = "assign_followupcase"

STAFF_PERMISSIONS = (
    ("surveys", "view_customer"),
    ("surveys", "view_survey"),
    ("surveys", "view_response"),
    ("surveys", "view_invitation"),
    ("surveys", "view_driverchoice"),
    ("followups", "view_followupcase"),
    ("followups", "change_followupcase"),
    ("followups", "export_followupcase"),
    ("followups", "view_caseevent"),
    ("followups", "add_caseevent"),
    ("followups", "view_rootcause"),
    ("followups", "view_offergrant"),
    ("followups", "view_rewardgrant"),
    ("followups", "view_outboundmessage"),
    ("followups", "view_mailevent"),
    ("followups", "view_offer"),
    ("followups", "view_reward"),
    ("followups", "view_improvementaction"),
    ("followups", "view_linkclick"),
    ("followups", "view_referraluse"),
    ("followups", "view_bonusgrant"),
    ("followups", "view_reminderbonusassignment"),
    ("followups", "view_inboundsms"),
)
MANAGER_PERMISSIONS = (
    *STAFF_PERMISSIONS,
    ("surveys", "change_customer"),
    ("surveys", "change_survey"),
    ("surveys", "add_survey"),
    ("surveys", "add_driverchoice"),
    ("surveys", "change_driverchoice"),
    ("surveys", "delete_driverchoice"),
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
    ("followups", "assign_followupcase"),
    ("followups", "add_improvementaction"),
    ("followups", "change_improvementaction"),
    ("surveys", "view_auditevent"),
    ("surveys", "erase_customer"),
    ("surveys", "import_customer"),
    ("surveys", "view_customerimport"),
    ("surveys", "import_response"),
    ("surveys", "view_answerimport"),
    ("surveys", "export_customer"),
    ("surveys", "exclude_response"),
    ("surveys", "export_response"),
    ("followups", "redeem_offergrant"),
    ("followups", "redeem_rewardgrant"),
    ("followups", "redeem_bonusgrant"),
    ("followups", "view_reminderbonus"),
    ("followups", "add_reminderbonus"),
    ("followups", "change_reminderbonus"),
    ("followups", "retry_outboundmessage"),
    ("surveys", "view_apikey"),
    ("surveys", "revoke_apikey"),
    ("followups", "view_chatalert"),
    ("followups", "add_chatalert"),
    ("followups", "change_chatalert"),
    ("followups", "delete_chatalert"),
    ("followups", "view_chatalertdelivery"),
    ("followups", "resend_chatalertdelivery"),
    ("followups", "add_referraluse"),
    ("surveys", "view_wave"),
    ("surveys", "view_savedfilter"),
    ("surveys", "add_savedfilter"),
    ("surveys", "change_savedfilter"),
    ("surveys", "delete_savedfilter"),
    ("surveys", "view_customerlist"),
    ("surveys", "delete_customerlist"),
    ("surveys", "view_brand"),
    ("surveys", "change_brand"),
    ("surveys", "view_emailtext"),
    ("surveys", "change_emailtext"),
    ("followups", "view_theme"),
    ("followups", "rename_theme"),
    # Organisation-wide unless placed in departments (surveys.departments).
    ("surveys", "view_department"),
    ("surveys", "view_all_departments"),
)
# Erasure and exclusion, what they need to find the rows, and the trail that
# shows who did them; never redemption, retries or any case work.
DATA_PROTECTION_PERMISSIONS = (
    ("surveys", "view_customer"),
    ("surveys", "erase_customer"),
    ("surveys", "view_survey"),
    ("surveys", "view_driverchoice"),
    ("surveys", "view_response"),
    ("surveys", "exclude_response"),
    ("surveys", "view_auditevent"),
    ("surveys", "view_all_departments"),
)
ROLE_PERMISSIONS = {
    SERVICE_STAFF: STAFF_PERMISSIONS,
    MANAGERS: MANAGER_PERMISSIONS,
    DATA_PROTECTION: DATA_PROTECTION_PERMISSIONS,
}

DEFAULT_OFFER = {
    "name": "Exclusive 15% discount",
    "description": "15% off your next order or renewal.",
    "description_pl": "15% zniżki na następne zamówienie lub odnowienie.",
    "description_ru": "Скидка 15% на следующий заказ или продление.",
    "description_zh_hans": "下次订购或续订可享 15% 折扣。",
    "code_prefix": "THX",
    "valid_days": 30,
}
DEFAULT_REWARD = {
    "name": "Loyalty points",
    "kind": "loyalty_points",
    "description": "500 loyalty points, added when you redeem this code.",
    "description_pl": "500 punktów lojalnościowych, dodanych po wykorzystaniu tego kodu.",
    "description_ru": "500 бонусных баллов: они начисляются, когда вы используете этот код.",
    "description_zh_hans": "500 积分，在您兑换此代码时添加。",  # noqa: RUF001 - Chinese commas
    "points": 500,
    "code_prefix": "VIP",
    "valid_days": 90,
}


def ensure_reference_data() -> None:
    """Create the role groups (with their permissions) and the default offer and
    reward where missing, with the live models: for a database whose rows were
    flushed after migrating (the test suite) or that is being seeded."""
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                raise LookupError(f"Permission {app_label}.{codename} does not exist.")
            group.permissions.add(permission)
    Brand.objects.get_or_create(pk=Brand.SINGLE_ID)
    EmailText.objects.bulk_create(
        [EmailText(kind=kind) for kind in EmailKind.values], ignore_conflicts=True
    )
    if not Offer.objects.filter(is_default=True).exists():
        Offer.objects.create(**DEFAULT_OFFER, is_default=True)
    if not Reward.objects.filter(is_default=True).exists():
        Reward.objects.create(**DEFAULT_REWARD, is_default=True)


def managers() -> QuerySet:
    """Active managers with an email address: the same people ``is_manager``
    says yes to (the permission through a group or directly, or superuser)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename=ASSIGN_PERMISSION)
            | Q(user_permissions__codename=ASSIGN_PERMISSION)
        )
        .exclude(email="")
        .distinct()
    )

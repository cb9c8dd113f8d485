"""Offers, rewards and the codes granted from them, in the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from followups.models import (
    GrantStatus,
    Offer,
    OfferGrant,
    Reward,
    RewardGrant,
    SurveyIncentive,
)
from followups.webhooks.emit import grants_redeemed_report
from surveys.admin import VIA_ADMIN
from surveys.admin_changelist import RecordAdmin
from surveys.admin_languages import language_fieldsets, language_gaps_warn
from surveys.admin_permissions import has_model_permission
from surveys.audit import Action, audit_record
from surveys.models import Customer
from surveys.services import language_gaps


class SurveyIncentiveInline(admin.StackedInline):
    model = SurveyIncentive
    can_delete = False
    extra = 0
    max_num = 1


def offer_gap_message(count: int) -> str:
    return ngettext(
        "%(count)d customer speaks %(language)s; this offer has no %(language)s text: "
        "they will get English.",
        "%(count)d customers speak %(language)s; this offer has no %(language)s text: "
        "they will get English.",
        count,
    )


def reward_gap_message(count: int) -> str:
    return ngettext(
        "%(count)d customer speaks %(language)s; this reward has no %(language)s text: "
        "they will get English.",
        "%(count)d customers speak %(language)s; this reward has no %(language)s text: "
        "they will get English.",
        count,
    )


class IncentiveAdmin(admin.ModelAdmin):
    """An offer or reward: its description worded per language, and a warning
    naming the languages its customers read that it has no description in."""

    gap_message: Callable[[int], str]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":
            self.language_gaps_warn(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_continue" not in request.POST:  # that change page warns by itself
            self.language_gaps_warn(request, obj)

    def language_gaps_warn(self, request, incentive):
        # Customers with no language of their own read their survey's; only
        # those who set one are counted here.
        gaps = language_gaps(
            missing=incentive.missing_locales, customers=Customer.objects.reachable()
        )
        language_gaps_warn(request, gaps, self.gap_message)


DESCRIPTIONS = language_fieldsets("description")


@admin.register(Offer)
class OfferAdmin(IncentiveAdmin):
    # The form's order, not the model's (the shared fields come first there).
    fieldsets = (
        (None, {"fields": ("name", "description")}),
        *DESCRIPTIONS,
        (None, {"fields": ("code_prefix", "valid_days", "is_default", "is_active")}),
    )
    list_display = ("name", "code_prefix", "valid_days", "is_default", "is_active")
    list_filter = ("is_active", "is_default")
    search_fields = ("name", "description")
    gap_message = staticmethod(offer_gap_message)


@admin.register(Reward)
class RewardAdmin(IncentiveAdmin):
    fieldsets = (
        (None, {"fields": ("name", "kind", "description")}),
        *DESCRIPTIONS,
        (
            None,
            {
                "fields": (
                    "points",
                    "link",
                    "code_prefix",
                    "valid_days",
                    "is_default",
                    "is_active",
                )
            },
        ),
    )
    list_display = (
        "name",
        "kind",
        "points",
        "code_prefix",
        "valid_days",
        "is_default",
        "is_active",
    )
    list_filter = ("kind", "is_active", "is_default")
    search_fields = ("name", "description")
    gap_message = staticmethod(reward_gap_message)


class GrantAdmin(RecordAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("status",)
    search_fields = ("code", "customer__email", "customer__name")
    date_hierarchy = "created_at"
    actions = ("mark_redeemed",)
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request):
        # The dashboard's grant numbers link here narrowed to a segment.
        return lookup == "response__segment" or super().lookup_allowed(lookup, value, request)

    def has_redeem_permission(self, request):
        return has_model_permission(request, self.opts, "redeem")

    @admin.action(description=_("Mark as redeemed"), permissions=["redeem"])
    def mark_redeemed(self, request, queryset):
        open_grants = queryset.filter(status__in=[GrantStatus.ISSUED, GrantStatus.SENT])
        ids = list(open_grants.values_list("pk", flat=True))
        # The status is checked again in the update: a code redeemed meanwhile
        # at a till keeps its own time, and this action's time tells which
        # rows the update changed, the ones the trail names.
        now = timezone.now()
        with transaction.atomic():
            updated = self.model.objects.filter(
                pk__in=ids, status__in=[GrantStatus.ISSUED, GrantStatus.SENT]
            ).update(status=GrantStatus.REDEEMED, redeemed_at=now)
            changed = list(
                self.model.objects.filter(
                    pk__in=ids, status=GrantStatus.REDEEMED, redeemed_at=now
                ).values_list("pk", flat=True)
            )
            if updated:
                incentive = "offer" if self.model is OfferGrant else "reward"
                grants_redeemed_report(
                    self.model.objects.filter(pk__in=changed).select_related("customer", incentive)
                )
                audit_record(
                    action=Action.GRANT_REDEEMED,
                    actor=request.user,
                    via=VIA_ADMIN,
                    object_type=self.opts.label_lower,
                    object_ids=changed,
                    count=updated,
                    details={"by_hand": True},
                )
        self.message_user(
            request,
            ngettext("%(n)d marked redeemed.", "%(n)d marked redeemed.", updated) % {"n": updated},
        )


@admin.register(OfferGrant)
class OfferGrantAdmin(GrantAdmin):
    list_display = (
        "code",
        "offer",
        "customer",
        "status",
        "created_at",
        "expires_at",
        "redeemed_at",
    )
    list_filter = ("status", "offer")
    list_select_related = ("offer", "customer")


@admin.register(RewardGrant)
class RewardGrantAdmin(GrantAdmin):
    list_display = (
        "code",
        "reward",
        "customer",
        "status",
        "created_at",
        "expires_at",
        "redeemed_at",
    )
    list_filter = ("status", "reward")
    list_select_related = ("reward", "customer")

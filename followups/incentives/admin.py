"""Offers, rewards and the codes granted from them, in the admin."""

from __future__ import annotations

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
from surveys.admin_permissions import has_model_permission
from surveys.audit import Action, audit_record


class SurveyIncentiveInline(admin.StackedInline):
    model = SurveyIncentive
    can_delete = False
    extra = 0
    max_num = 1


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    # The form's order, not the model's (the shared fields come first there).
    fields = ("name", "description", "code_prefix", "valid_days", "is_default", "is_active")
    list_display = ("name", "code_prefix", "valid_days", "is_default", "is_active")
    list_filter = ("is_active", "is_default")
    search_fields = ("name", "description")


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    fields = (
        "name",
        "kind",
        "description",
        "points",
        "link",
        "code_prefix",
        "valid_days",
        "is_default",
        "is_active",
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

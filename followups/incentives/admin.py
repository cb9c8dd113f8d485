"""Offers, rewards and the codes granted from them, in the admin."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from followups.incentives.redemption import (
    RedemptionRefused,
    grant_redeem_by_hand,
    grant_revoke_by_hand,
)
from followups.models import (
    Offer,
    OfferGrant,
    Reward,
    RewardGrant,
    SurveyIncentive,
)
from surveys.admin import VIA_ADMIN
from surveys.admin_changelist import RecordAdmin
from surveys.admin_permissions import has_model_permission


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
    actions = ("mark_redeemed", "revoke")
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request):
        # The dashboard's grant numbers link here narrowed to a segment.
        return lookup == "response__segment" or super().lookup_allowed(lookup, value, request)

    def has_redeem_permission(self, request):
        return has_model_permission(request, self.opts, "redeem")

    @admin.action(description=gettext_lazy("Mark as redeemed"), permissions=["redeem"])
    def mark_redeemed(self, request, queryset):
        # The till's service and rules: an expired, revoked or already
        # redeemed code is refused here as at checkout, each with its reason.
        count = self._each(request, queryset, grant_redeem_by_hand)
        done = ngettext("%(n)d marked redeemed.", "%(n)d marked redeemed.", count)
        self.message_user(request, done % {"n": count}, messages.INFO)

    @admin.action(
        description=gettext_lazy("Revoke: the code can no longer be redeemed"),
        permissions=["redeem"],
    )
    def revoke(self, request, queryset):
        count = self._each(request, queryset, grant_revoke_by_hand)
        done = ngettext("%(n)d code revoked.", "%(n)d codes revoked.", count)
        self.message_user(request, done % {"n": count}, messages.INFO)

    def _each(self, request, queryset, service) -> int:
        """Run ``service`` on each selected grant, each in its own transaction;
        say why each refused one was refused. Returns how many took."""
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                service(model=self.model, pk=pk, actor=request.user, via=VIA_ADMIN)
            except RedemptionRefused as refused:
                grant = refused.grant
                if grant is None:
                    self.message_user(
                        request,
                        _("#%(id)d: it has no code to redeem.") % {"id": pk},
                        messages.WARNING,
                    )
                else:
                    label = grant.code or f"#{pk}"
                    self.message_user(request, f"{label}: {refused.message}", messages.WARNING)
            else:
                count += 1
        return count


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
        "redeemed_order",
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
        "redeemed_order",
    )
    list_filter = ("status", "reward")
    list_select_related = ("reward", "customer")

"""Offers, rewards and the codes granted from them, in the admin."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from followups.incentives.tracking import rewards_with_tracking
from followups.models import (
    GrantStatus,
    LinkClick,
    Offer,
    OfferGrant,
    ReferralUse,
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
        "grants",
        "clicked",
        "clicks",
        "uses",
    )
    list_filter = ("kind", "is_active", "is_default")
    search_fields = ("name", "description")
    readonly_fields = ("grants", "clicked", "clicks", "prefetches", "uses")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_queryset(self, request):
        return rewards_with_tracking(super().get_queryset(request))

    @staticmethod
    def _link(model: str, count: int, **params) -> str:
        url = reverse(f"admin:followups_{model}_changelist") + "?" + urlencode(params)
        return format_html('<a href="{}" data-count="{}">{}</a>', url, count, count)

    @admin.display(description=_("grants"), ordering="grant_count")
    def grants(self, reward):
        return self._link("rewardgrant", reward.grant_count, reward__id__exact=reward.pk)

    @admin.display(description=_("grants clicked"), ordering="clicked_count")
    def clicked(self, reward):
        return self._link(
            "rewardgrant",
            reward.clicked_count,
            reward__id__exact=reward.pk,
            first_clicked_at__isnull="False",
        )

    @admin.display(description=_("clicks"), ordering="click_count")
    def clicks(self, reward):
        return self._link(
            "linkclick", reward.click_count, grant__reward__id__exact=reward.pk, counted="yes"
        )

    @admin.display(description=_("prefetches (not counted)"))
    def prefetches(self, reward):
        return self._link(
            "linkclick", reward.prefetch_count, grant__reward__id__exact=reward.pk, counted="no"
        )

    @admin.display(description=_("referral uses"), ordering="use_count")
    def uses(self, reward):
        return self._link("referraluse", reward.use_count, grant__reward__id__exact=reward.pk)


class GrantAdmin(RecordAdmin):
    list_filter: ClassVar[tuple[Any, ...]] = ("status",)
    search_fields: ClassVar[tuple[str, ...]] = ("code", "customer__email", "customer__name")
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


class LinkClickInline(admin.TabularInline):
    model = LinkClick
    fields = ("clicked_at", "agent", "prefetch")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReferralUseInline(admin.TabularInline):
    model = ReferralUse
    fields = ("order", "used_at", "api_key")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ClickedFilter(admin.SimpleListFilter):
    title = _("clicked")
    parameter_name = "first_clicked_at__isnull"

    def lookups(self, request, model_admin):
        return (("False", _("Yes")), ("True", _("No")))

    def queryset(self, request, queryset):
        if self.value() in ("True", "False"):
            return queryset.filter(first_clicked_at__isnull=self.value() == "True")
        return queryset


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
        "referral_code",
        "first_clicked_at",
    )
    list_filter = ("status", "reward", ClickedFilter)
    list_select_related = ("reward", "customer")
    search_fields = ("code", "referral_code", "customer__email", "customer__name")
    inlines = (LinkClickInline, ReferralUseInline)

    def get_readonly_fields(self, request, obj=None):
        # The link token is a key to the customer's link: never shown.
        return [name for name in super().get_readonly_fields(request, obj) if name != "link_token"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)


class GrantRowsAdmin(RecordAdmin):
    """Rows hanging off reward grants (clicks, referral uses): the reward's
    and the dashboard's figures link here, narrowed as they count."""

    GRANT_LOOKUPS = (
        "grant__reward__id__exact",
        "grant__survey__id__exact",
        "grant__created_at__gte",
        "grant__created_at__lt",
        "grant__response__segment",
    )
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request):
        return lookup in self.GRANT_LOOKUPS or super().lookup_allowed(lookup, value, request)


class CountedFilter(admin.SimpleListFilter):
    title = _("counted as a click")
    parameter_name = "counted"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No: a prefetch")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(prefetch="")
        if self.value() == "no":
            return queryset.exclude(prefetch="")
        return queryset


@admin.register(LinkClick)
class LinkClickAdmin(GrantRowsAdmin):
    list_display = ("clicked_at", "grant", "agent", "prefetch")
    list_filter = (CountedFilter, "prefetch", "agent", "grant__reward")
    list_select_related = ("grant__reward",)
    date_hierarchy = "clicked_at"


@admin.register(ReferralUse)
class ReferralUseAdmin(GrantRowsAdmin):
    list_display = ("used_at", "order", "referral_code", "grant")
    list_filter = ("grant__reward",)
    list_select_related = ("grant__reward",)
    search_fields = ("order", "grant__referral_code")
    date_hierarchy = "used_at"

    @admin.display(description=_("referral code"), ordering="grant__referral_code")
    def referral_code(self, use):
        return use.grant.referral_code

"""Offers, rewards and the codes granted from them, in the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _

from followups.incentives.redemption import (
    RedemptionRefused,
    grant_redeem_by_hand,
    grant_revoke_by_hand,
)
from followups.incentives.tracking import rewards_with_tracking
from followups.models import (
    LinkClick,
    Offer,
    OfferGrant,
    ReferralUse,
    Reward,
    RewardGrant,
    SurveyIncentive,
)
from surveys.admin import VIA_ADMIN
from surveys.admin_changelist import RecordAdmin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.admin_languages import language_fieldsets, language_gaps_warn
from surveys.admin_permissions import has_model_permission
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
        gaps = language_gaps(
            missing=incentive.missing_locales,
            customers=Customer.objects.reachable(),
            default_locales=incentive.survey_locales(),
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
        "grants",
        "clicked",
        "clicks",
        "uses",
    )
    list_filter = ("kind", "is_active", "is_default")
    search_fields = ("name", "description")
    gap_message = staticmethod(reward_gap_message)

    readonly_fields = ("grants", "clicked", "clicks", "prefetches", "uses")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # nothing granted yet
            return fieldsets
        return (
            *fieldsets,
            (_("Tracked links and referral codes"), {"fields": self.readonly_fields}),
        )

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


class GrantAdmin(DepartmentScopedAdmin, RecordAdmin):
    list_filter: ClassVar[tuple[Any, ...]] = ("status",)
    search_fields: ClassVar[tuple[str, ...]] = ("code", "customer__email", "customer__name")
    date_hierarchy = "created_at"
    actions = ("mark_redeemed", "revoke")
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request):
        # The dashboard's grant numbers link here narrowed to a segment.
        return lookup == "response__segment" or super().lookup_allowed(lookup, value, request)

    def has_redeem_permission(self, request):
        return has_model_permission(request, self.opts, "redeem")

    @admin.display(description=_("code"), ordering="code")
    def code_whole(self, grant):
        # On one line: the list broke BONUS-XT3S-7TWY-AN34 at each hyphen,
        # a code per four lines, and a code is read (and typed) whole.
        return format_html('<span class="nowrap">{}</span>', grant.code)

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
        "code_whole",
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


class RecordInline(admin.TabularInline):
    """Rows a grant's page only shows: what happened, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class LinkClickInline(RecordInline):
    model = LinkClick
    fields = ("clicked_at", "agent", "prefetch")


class ReferralUseInline(RecordInline):
    model = ReferralUse
    fields = ("order", "used_at", "api_key")


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
        "code_whole",
        "reward",
        "customer",
        "status",
        "created_at",
        "expires_at",
        "redeemed_at",
        "redeemed_order",
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


class GrantRowsAdmin(DepartmentScopedAdmin, RecordAdmin):
    """Rows hanging off reward grants (clicks, referral uses): the reward's
    and the dashboard's figures link here, narrowed as they count."""

    department_path = "grant__survey__department"

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

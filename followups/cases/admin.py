"""The case admin, where service staff work cases and managers run the team.

Every case change goes through ``followups.cases.workflow`` (locks, rules,
timeline); this module only shows, collects and routes. Columns come from
``list_select_related`` joins and annotations: no query per row.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from types import EllipsisType

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from followups.cases import access, conflicts, exports, workflow
from followups.cases.forms import (
    AssignForm,
    BulkAssignForm,
    CallForm,
    EmailForm,
    NoteForm,
    RootCauseForm,
    TransitionForm,
    assignable_users,
)
from followups.cases.workflow import person_name
from followups.models import (
    FollowUpCase,
    ImprovementAction,
    OfferGrant,
    RewardGrant,
    RootCause,
    StaffProfile,
)
from nps_project.numbers import whole_number
from surveys.admin import VIA_ADMIN, CsvExportMixin, DateHierarchyMixin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.admin_permissions import declared_view
from surveys.audit import Action, audit_record
from surveys.departments import in_departments
from surveys.models import Customer, Response


def humanize_delta(delta: timedelta) -> str:
    """The largest whole unit: "3 d", "5 h", "12 min" (a list has no room for more)."""
    seconds = abs(int(delta.total_seconds()))
    if seconds >= 86400:
        return _("%(n)d d") % {"n": seconds // 86400}
    if seconds >= 3600:
        return _("%(n)d h") % {"n": seconds // 3600}
    return _("%(n)d min") % {"n": max(seconds // 60, 1)}


def short_datetime(value) -> str:
    """The one date-and-time format of the case pages: the language's short one."""
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _time_column(field: str, description):
    @admin.display(description=description, ordering=field)
    def column(self, obj):
        return short_datetime(getattr(obj, field))

    return column


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("My open cases")),
            ("unassigned", _("Unassigned")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("escalated", _("Escalated")),
            ("open", _("All open")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        open_cases = queryset.open()
        match self.value():
            case "mine":
                return open_cases.filter(owner=request.user)
            case "unassigned":
                return open_cases.filter(owner__isnull=True)
            case "overdue":
                return queryset.overdue(now)
            case "due_soon":
                return queryset.due_soon(now)
            case "escalated":
                return open_cases.filter(escalation_level__gt=0)
            case "open":
                return open_cases
        return queryset


# The segments customers are in, walked along the customers' segment index:
# one index probe per segment, where a DISTINCT reads every row of the table.
# Each probe is a scalar subquery (SQLite has no parenthesised compound parts).
CUSTOMER_SEGMENTS_SQL = """
WITH RECURSIVE segments(segment) AS (
    SELECT (SELECT segment FROM {table} WHERE segment > '' ORDER BY segment LIMIT 1)
    UNION ALL
    SELECT (SELECT c.segment FROM {table} AS c WHERE c.segment > s.segment
            ORDER BY c.segment LIMIT 1)
    FROM segments AS s
    WHERE s.segment IS NOT NULL
)
SELECT segment FROM segments WHERE segment IS NOT NULL
"""


def customer_segments() -> list[str]:
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(CUSTOMER_SEGMENTS_SQL.format(table=table))
        return [segment for (segment,) in cursor.fetchall()]


class SegmentFilter(admin.SimpleListFilter):
    """The segment of the answer. The choices are the segments customers are in
    (a short index walk) rather than those of every answer with a case (a scan
    of every case, which grows with them)."""

    title = _("segment")
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [(segment, segment) for segment in customer_segments()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(response__segment=self.value())
        return queryset


class OwnerFilter(admin.RelatedFieldListFilter):
    """For managers, the people who work cases and anyone who still owns one
    (someone who left, whose cases need a new owner): one probe of the owner
    index per user, instead of every distinct owner read from the cases. Staff
    see themselves."""

    def field_choices(self, field, request, model_admin):
        if access.is_manager(request.user):
            working = assignable_users().values("pk")
            owning = FollowUpCase.objects.filter(owner=OuterRef("pk"))
            people = (
                get_user_model()
                .objects.filter(Q(pk__in=working) | Exists(owning))
                .order_by("first_name", "username")
            )
        else:
            people = get_user_model().objects.filter(pk=request.user.pk)
        return [(person.pk, person_name(person)) for person in people]


class EscalationFilter(admin.SimpleListFilter):
    """Escalation levels as fixed choices: a case escalates again every repeat
    interval, so listing the levels in use would mean reading every case."""

    title = _("escalation level")
    parameter_name = "escalation"

    def lookups(self, request, model_admin):
        highest = settings.NPS_ESCALATION_MAX_LEVEL
        levels = [
            (str(level), _("Level %(level)s") % {"level": level}) for level in range(1, highest)
        ]
        return [
            ("0", _("Not escalated")),
            *levels,
            (f"{highest}+", _("Level %(level)s or more") % {"level": highest}),
        ]

    def queryset(self, request, queryset):
        # The highest level (``NPS_ESCALATION_MAX_LEVEL``) and any higher one
        # reached before the setting was lowered.
        highest = settings.NPS_ESCALATION_MAX_LEVEL
        value = self.value() or ""
        if value == f"{highest}+":
            return queryset.filter(escalation_level__gte=highest)
        level = whole_number(value)
        if level is not None and level < highest:
            return queryset.filter(escalation_level=level)
        return queryset


def _driver_label(case: FollowUpCase) -> str:
    """The main reason the customer chose beside the score, in the reader's
    language ("" when none): the first thing to ask about on the call."""
    driver = case.response.driver
    if driver is None:
        return ""
    return driver.label_for(get_language() or settings.LANGUAGE_CODE)


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(
    DepartmentScopedAdmin, DateHierarchyMixin, CsvExportMixin, admin.ModelAdmin
):
    change_form_template = "admin/followups/followupcase/change_form.html"
    change_list_template = "admin/followups/followupcase/change_list.html"
    # What a working day needs, narrow enough for a 1366 px laptop: priority
    # shows in the score's colour, escalation next to the status; survey and
    # segment are filters.
    list_display = (
        "case_number",
        "score",
        "short_comment",
        "customer_name",
        "owner_name",
        "status_column",
        "time_left",
        "opened",
    )
    list_display_links = ("case_number",)
    list_filter = (
        QueueFilter,
        "status",
        "priority",
        ("owner", OwnerFilter),
        "survey__department",
        "survey",
        SegmentFilter,
        "root_cause",
        "suggested_root_cause",
        EscalationFilter,
    )
    list_select_related = ("customer", "response", "owner", "survey", "root_cause")
    search_fields = ("=id", "customer__email", "customer__name", "response__comment")
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    actions = ("take_cases", "assign_cases")
    readonly_fields = (
        "status",
        "priority",
        "owner_name",
        "survey",
        "customer",
        "response",
        "opened",
        "contact_due",
        "resolution_due",
        "first_contact",
        "resolved",
        "closed",
        "root_cause",
        "resolution_summary",
        "escalation_level",
        "escalated",
        "resurvey_invitation",
    )
    fieldsets = (
        (None, {"fields": (("status", "priority", "owner_name"), ("survey", "response"))}),
        (
            _("Times"),
            {
                "fields": (
                    ("opened", "contact_due", "resolution_due"),
                    ("first_contact", "resolved", "closed"),
                    ("escalation_level", "escalated"),
                )
            },
        ),
        (_("Resolution"), {"fields": ("root_cause", "resolution_summary", "resurvey_invitation")}),
    )

    # --- Who sees what -------------------------------------------------------

    def get_queryset(self, request):
        return access.visible_cases(request.user, super().get_queryset(request))

    def department_scope(self, request, queryset):
        """Nothing more here: ``access.visible_cases`` applies the department
        rule, by the visible surveys' ids rather than a join to the surveys (the
        join made the list's date filter read every visible case)."""
        return queryset

    def get_ordering(self, request):
        # Most urgent first: open before done, then by due time, then priority
        # (and -pk, which the changelist adds). The index case_list_order has
        # exactly these keys, so a page is read from it instead of sorting
        # every case.
        done_last = Case(
            When(status__in=FollowUpCase.OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (done_last.asc(), "due_at", "priority")

    def has_add_permission(self, request):
        return False  # cases open from answers, never by hand

    def has_delete_permission(self, request, obj=None):
        return False  # a case is history; close it instead

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return access.can_view(request.user, obj)
        return super().has_view_permission(request, obj)

    def has_assign_permission(self, request):
        return access.is_manager(request.user)

    # --- Columns -------------------------------------------------------------

    @admin.display(description=_("case"), ordering="pk")
    def case_number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("time left"), ordering="due_at")
    def time_left(self, obj):
        now = timezone.now()
        if not obj.is_open:
            return "—"
        delta = obj.time_left(now)
        what = _("first contact") if obj.deadline_kind == "contact" else _("resolution")
        if obj.is_overdue(now):
            return format_html(
                '<strong class="case-late" title="{}">{}</strong>',
                what,
                _("overdue %(delta)s") % {"delta": humanize_delta(delta)},
            )
        text = _("%(delta)s left") % {"delta": humanize_delta(delta)}
        if obj.is_due_soon(now):
            return format_html('<strong class="case-soon" title="{}">{}</strong>', what, text)
        return format_html('<span title="{}">{}</span>', what, text)

    @admin.display(description=_("score"), ordering="response__score")
    def score(self, obj):
        high = obj.priority == FollowUpCase.Priority.HIGH
        return format_html(
            '<span class="case-score-badge{}" title="{}">{}</span>',
            " case-score-high" if high else "",
            obj.get_priority_display(),
            obj.response.score,
        )

    @admin.display(description=_("customer"), ordering="customer__name")
    def customer_name(self, obj):
        customer = obj.customer
        return format_html('<span title="{}">{}</span>', customer.email or "", customer.name or "—")

    @admin.display(description=_("owner"), ordering="owner__first_name")
    def owner_name(self, obj):
        return person_name(obj.owner) if obj.owner_id else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, obj):
        if not obj.escalation_level:
            return obj.get_status_display()
        return format_html(
            '{} <span class="case-late" title="{}">↑{}</span>',
            obj.get_status_display(),
            _("escalation level"),
            obj.escalation_level,
        )

    @admin.display(description=_("comment"))
    def short_comment(self, obj):
        comment = obj.response.comment
        if len(comment) <= 40:
            return comment
        return format_html('<span title="{}">{}…</span>', comment, comment[:39])

    opened = _time_column("created_at", _("opened"))
    contact_due = _time_column("due_at", _("first contact due at"))
    resolution_due = _time_column("resolution_due_at", _("resolution due at"))
    first_contact = _time_column("first_contact_at", _("first contact at"))
    resolved = _time_column("resolved_at", _("resolved at"))
    closed = _time_column("closed_at", _("closed at"))
    escalated = _time_column("escalated_at", _("escalated at"))

    # --- Actions -------------------------------------------------------------

    @admin.action(description=_("Take the selected unassigned cases"), permissions=["change"])
    def take_cases(self, request, queryset):
        taken = 0
        for case in queryset.filter(owner__isnull=True):
            try:
                workflow.case_assign(case=case, owner=request.user, actor=request.user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, _message(exc), messages.ERROR)
                continue
            taken += 1
        skipped = queryset.exclude(owner__isnull=True).exclude(owner=request.user).count()
        self.message_user(
            request,
            ngettext("You took %(n)d case.", "You took %(n)d cases.", taken) % {"n": taken},
            messages.SUCCESS if taken else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d case already has an owner and was left alone.",
                    "%(n)d cases already have an owner and were left alone.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Assign the selected cases to…"), permissions=["assign"])
    def assign_cases(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            cases = list(queryset.select_related("survey"))
            if not cases:  # none of the chosen cases is the reader's to see
                return None
            try:
                changed = workflow.cases_assign(cases=cases, owner=owner, actor=request.user)
            except (PermissionDenied, ValidationError) as exc:
                problem = str(exc) if isinstance(exc, PermissionDenied) else _message(exc)
                self.message_user(request, problem, messages.ERROR)
                return None
            audit_record(
                action=Action.CASES_ASSIGNED,
                actor=request.user,
                via=VIA_ADMIN,
                objects=cases,
                object_type=FollowUpCase._meta.label_lower,
                details={"owner_id": owner.pk if owner else None, "changed": changed},
            )
            self.message_user(
                request,
                ngettext(
                    "%(n)d case assigned to %(owner)s.",
                    "%(n)d cases assigned to %(owner)s.",
                    changed,
                )
                % {"n": changed, "owner": person_name(owner)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/followups/followupcase/assign.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign cases"),
                "opts": self.model._meta,
                "cases": queryset.select_related("customer", "owner"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    # --- The case page -------------------------------------------------------

    def get_urls(self):
        workflow_views = [
            path(
                "<path:object_id>/workflow/<str:operation>/",
                # Each operation then checks the case itself (owner, manager).
                declared_view(self, self.case_operation, "change"),
                name="followups_followupcase_operation",
            ),
        ]
        return workflow_views + super().get_urls()

    export_name = "cases"

    def export_lines(self, queryset):
        return exports.case_csv_lines(queryset, bom=True)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
        )
        if obj is not None:
            # The case and its customer, not Django's "Change follow-up case".
            context.update(
                title=_("Case #%(id)s · %(customer)s")
                % {"id": obj.pk, "customer": obj.customer.name or _("customer")},
                subtitle=None,
            )
            context.update(self._case_context(request, obj, **context.get("case_forms", {})))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _case_context(self, request, case, **forms):
        user = request.user
        customer = case.customer
        subject, body = workflow.case_email_draft(case=case, actor=user)
        return {
            "case": case,
            "can_work": access.can_work(user, case),
            "can_take": access.can_take(user, case),
            "is_manager": access.is_manager(user),
            "is_overdue": case.is_overdue(),
            "is_due_soon": case.is_due_soon(timezone.now()),
            "time_left": humanize_delta(case.deadline - timezone.now()),
            "case_version": conflicts.case_version(case),
            "driver_label": _driver_label(case),
            "call_form": forms.get("call") or CallForm(),
            "timeline": case.events.select_related("actor").order_by("created_at", "pk"),
            # The customer's history as far as the reader's departments go: a
            # customer is shared, another department's answers and cases are not.
            "past_responses": in_departments(
                user, Response.objects.filter(customer=customer), "survey__department"
            )
            .exclude(pk=case.response_id)
            .select_related("survey")
            .order_by("-submitted_at")[:20],
            "past_cases": in_departments(
                user, FollowUpCase.objects.filter(customer=customer), "survey__department"
            )
            .exclude(pk=case.pk)
            .order_by("-created_at")[:20],
            "offer_grants": in_departments(
                user, OfferGrant.objects.filter(customer=customer), "survey__department"
            ).select_related("offer"),
            "reward_grants": in_departments(
                user, RewardGrant.objects.filter(customer=customer), "survey__department"
            ).select_related("reward"),
            "emails": case.emails.order_by("-created_at"),
            "transition_form": forms.get("transition") or TransitionForm(case=case),
            "assign_form": forms.get("assign")
            or AssignForm(
                initial={"owner": case.owner_id, "expected_owner": case.owner_id}, case=case
            ),
            "note_form": forms.get("note") or NoteForm(),
            "suggestions_on": settings.NPS_SUGGESTIONS_ENABLED,
            "suggestion_percent": round((case.suggestion_confidence or 0) * 100),
            "root_cause_form": forms.get("root_cause")
            or RootCauseForm(initial={"root_cause": case.root_cause_id}),
            "email_form": forms.get("email")
            or EmailForm(initial={"subject": subject, "body": body}),
        }

    def case_operation(self, request, object_id, operation):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        handler = {
            "transition": self._do_transition,
            "assign": self._do_assign,
            "take": self._do_take,
            "note": self._do_note,
            "email": self._do_email,
            "call": self._do_call,
            "root_cause": self._do_root_cause,
        }.get(operation)
        if handler is None:
            raise PermissionDenied
        # get_object answers None for an id that is not a number, where a
        # lookup by pk would raise (a 500), and for a case the person may no
        # longer see (reassigned while they had it open).
        case = self.get_object(request, object_id)
        if case is None:
            return self._case_out_of_reach(request, object_id)
        try:
            message = handler(request, case)
        except (PermissionDenied, ValidationError) as exc:
            return self._case_kept(request, case, operation, exc)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:followups_followupcase_change", args=[case.pk]))

    def _case_kept(self, request, case, operation, exc):
        """The case page again (200), with what went wrong and the form as the
        person filled it in, its hidden "what I saw" fields brought up to date
        so that sending it again acts on the case as it is now."""
        case = FollowUpCase.objects.select_related("owner").get(pk=case.pk)
        changed = conflicts.changed_meanwhile(case, request.user, request.POST.get("version"))
        problem = str(exc) if isinstance(exc, PermissionDenied) else _message(exc)
        self.message_user(request, changed or problem or _("You may not do this."), messages.ERROR)
        data = request.POST.copy()
        data.update(
            {
                "expected_status": case.status,
                "expected_owner": str(case.owner_id or ""),
                "expected_root_cause": str(case.root_cause_id or ""),
                "version": conflicts.case_version(case),
            }
        )
        bound = conflicts.bound_form(operation, data, case)
        page_request = copy.copy(request)
        page_request.method, page_request.POST = "GET", QueryDict()
        return self.changeform_view(
            page_request,
            str(case.pk),
            extra_context={
                "case_forms": {operation: bound} if bound else {},
                "kept_texts": conflicts.typed_texts(request.POST),
            },
        )

    def _case_out_of_reach(self, request, object_id):
        """A case the person can no longer see: say why, never a bare 404, and
        give back what they typed to copy."""
        pk = whole_number(object_id)
        case = None if pk is None else FollowUpCase.objects.filter(pk=pk).first()
        return TemplateResponse(
            request,
            "admin/followups/followupcase/out_of_reach.html",
            {
                **self.admin_site.each_context(request),
                "title": _("This case is no longer yours"),
                "opts": self.model._meta,
                "reason": conflicts.out_of_reach_reason(case, request.user, object_id),
                "kept_texts": conflicts.typed_texts(request.POST),
                "list_url": reverse("admin:followups_followupcase_changelist"),
            },
            # Not found, as far as this person goes (the same for a case that
            # does not exist), but a page that explains and gives the text back.
            status=404,
        )

    def _do_transition(self, request, case):
        form = TransitionForm(request.POST, case=case)
        if not form.is_valid():
            raise ValidationError(_("Choose one of the statuses offered; your text is kept."))
        data = form.cleaned_data
        case = workflow.case_transition(
            case=case,
            to_status=data["to_status"],
            actor=request.user,
            expected_status=data["expected_status"],
            root_cause=data["root_cause"],
            resolution_summary=data["resolution_summary"],
            resurvey=data["resurvey"],
        )
        return _("Case #%(id)s is now %(status)s.") % {
            "id": case.pk,
            "status": case.get_status_display(),
        }

    def _do_assign(self, request, case):
        form = AssignForm(request.POST, case=case)
        if not form.is_valid():
            raise ValidationError(_("Choose an active staff member."))
        owner = form.cleaned_data["owner"]
        workflow.case_assign(
            case=case,
            owner=owner,
            actor=request.user,
            verify_owner=True,
            expected_owner_id=form.cleaned_data["expected_owner"],
        )
        return _("Case #%(id)s assigned to %(owner)s.") % {
            "id": case.pk,
            "owner": person_name(owner),
        }

    def _do_take(self, request, case):
        workflow.case_assign(case=case, owner=request.user, actor=request.user, verify_owner=True)
        return _("You took case #%(id)s.") % {"id": case.pk}

    def _do_note(self, request, case):
        form = NoteForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("A note cannot be empty."))
        workflow.case_add_note(case=case, actor=request.user, text=form.cleaned_data["text"])
        return _("Note added.")

    def _do_email(self, request, case):
        form = EmailForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("The email needs a subject and a message."))
        workflow.case_email_customer(case=case, actor=request.user, **form.cleaned_data)
        return _("Email to %(email)s queued; it appears on the timeline once sent.") % {
            "email": case.customer.email
        }

    def _do_call(self, request, case):
        form = CallForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose how the call went; your note is kept."))
        workflow.case_log_call(
            case=case,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        return _("Call logged.")

    def _do_root_cause(self, request, case):
        form = RootCauseForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose one of the root causes in use."))
        # The root cause the person saw: a suggestion confirmed (or a cause
        # chosen) over someone else's change meanwhile is refused.
        expected: int | EllipsisType | None = ...
        if "expected_root_cause" in request.POST:
            seen = request.POST["expected_root_cause"].strip()
            expected = int(seen) if seen.isdigit() else None
        case = workflow.case_root_cause_set(
            case=case,
            root_cause=form.cleaned_data["root_cause"],
            actor=request.user,
            expected_root_cause_id=expected,
        )
        return _("Root cause of case #%(id)s: %(cause)s.") % {
            "id": case.pk,
            "cause": case.root_cause,
        }


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "description")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "is_away", "last_assigned_at")
    list_editable = ("is_away",)
    list_filter = ("is_away",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("last_assigned_at",)


@admin.register(ImprovementAction)
class ImprovementActionAdmin(DepartmentScopedAdmin, DateHierarchyMixin, admin.ModelAdmin):
    """The outer loop: root causes that keep coming back become owned actions;
    the dashboard shows each one's NPS before and after it took effect."""

    list_display = (
        "title",
        "root_cause",
        "owner",
        "priority",
        "status",
        "target_segment",
        "effective_from",
        "survey",
    )
    list_filter = ("status", "priority", "root_cause", "survey")
    list_select_related = ("root_cause", "owner", "survey")
    search_fields = ("title", "description")
    autocomplete_fields = ("owner", "cases")
    date_hierarchy = "created_at"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "cases":
            # The autocomplete offers only the cases the reader sees; the form
            # accepts no other id either.
            kwargs["queryset"] = access.visible_cases(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

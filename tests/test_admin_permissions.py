"""Who may do what in the admin, proven from the registries themselves.

Every action of every registered ModelAdmin and every extra admin URL (found
through the URL resolver) is tried by every role: what is offered (the action in
the list's choices, the link on its page) and what a forged request does. The
permission each one needs is read from its declaration (``allowed_permissions``
-> ``has_<name>_permission`` -> ``<app>.<name>_<model>``), never from a list
written here, so a new action or URL without a declaration fails this file.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory, TestCase
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from followups import roles
from followups.chat.alerts import chat_alert_create
from followups.models import (
    BonusArm,
    BonusGrant,
    CaseEvent,
    ChatAlert,
    ChatAlertDelivery,
    FollowUpCase,
    ImprovementAction,
    InboundSms,
    LinkClick,
    MailEvent,
    Offer,
    OfferGrant,
    OutboundMessage,
    ReferralUse,
    ReminderBonusAssignment,
    Reward,
    RewardGrant,
    RootCause,
    StaffProfile,
    SurveyIncentive,
    Theme,
    WebhookDelivery,
    WebhookEndpoint,
)
from followups.routing import responses_route
from followups.webhooks.endpoints import webhook_endpoint_create
from surveys.answer_imports import answer_import_create
from surveys.api_keys import api_key_create
from surveys.audit import Action, audit_record, export_record
from surveys.branding import EmailKind
from surveys.models import (
    AnswerImport,
    ApiKey,
    AuditEvent,
    Customer,
    CustomerImport,
    CustomerList,
    Department,
    EmailText,
    Invitation,
    Response,
    SavedFilter,
    Survey,
    Wave,
)
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    ResponseFactory,
    RewardFactory,
    SurveyFactory,
    UserFactory,
    department,
    manager,
    staff_member,
)
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "view_only", "service_staff", "data_protection", "manager", "superuser")


def make_user(role: str):
    match role:
        case "anonymous":
            return None
        case "view_only":
            user = UserFactory(username="viewer")
            user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
            return get_user_model().objects.get(pk=user.pk)  # no cached permissions
        case "service_staff":
            return staff_member("staff")
        case "data_protection":
            user = UserFactory(username="dpo")
            user.groups.add(Group.objects.get(name=roles.DATA_PROTECTION))
            return user
        case "manager":
            return manager("boss")
        case "superuser":
            return UserFactory(username="root", is_superuser=True)
    raise ValueError(role)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- What the registries declare ---------------------------------------------


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(username="registry", is_superuser=True, is_active=True)
    return request


def registered_actions():
    """(model admin, action function, action name) for every action any user
    could be offered: those a superuser is offered, including any a mixin adds
    in ``get_actions`` (an action without a declaration is offered to all)."""
    found = []
    request = _superuser_request()
    for model_admin in admin.site._registry.values():
        actions = model_admin.get_actions(request)
        found += [(model_admin, actions[name][0], name) for name in sorted(actions)]
    return found


# Library views, declared by the permission check their code makes:
# django-import-export's has_import/has_export_permission, Django's UserAdmin.
LIBRARY_VIEWS = {
    "export_action": "export",
    "user_change_password": "change",
}


def _url_id(pattern, namespace="admin") -> str:
    if pattern.name is None:
        return f"unnamed URL {pattern.pattern}"
    return f"{namespace}:{pattern.name}" if namespace else pattern.name


def extra_admin_urls():
    """Every admin URL beyond Django's own admin pages (which check the
    model's standard permissions), with the model admin it belongs to (None
    for a site-wide page): each ModelAdmin's get_urls() beyond
    ``ModelAdmin.get_urls``, the site's beyond ``AdminSite.get_urls``, and
    project URLs under /admin/ outside the admin site."""
    found = []
    for model_admin in admin.site._registry.values():
        standard = {str(p.pattern) for p in admin.ModelAdmin.get_urls(model_admin)}
        found += [
            (_url_id(p), p.callback, model_admin)
            for p in model_admin.get_urls()
            if str(p.pattern) not in standard
        ]
    standard = {str(p.pattern) for p in admin.AdminSite.get_urls(admin.site)}
    found += [
        (_url_id(p), p.callback, None)
        for p in admin.site.get_urls()
        if isinstance(p, URLPattern) and str(p.pattern) not in standard
    ]
    found += [
        (_url_id(entry, namespace=""), entry.callback, None)
        for route, entry in _project_urls(get_resolver().url_patterns)
        if route.startswith("admin/")
    ]
    return sorted(found, key=lambda row: row[0])


def _project_urls(entries, prefix=""):
    """(full route, pattern) of every project URL, through includes, leaving
    out the admin site's own (listed above)."""
    for entry in entries:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLPattern):
            yield route, entry
        elif getattr(entry, "app_name", None) != admin.site.name:
            yield from _project_urls(entry.url_patterns, route)


def declared(callback) -> tuple[str, ...] | None:
    permissions = getattr(callback, "allowed_permissions", None)
    if permissions is None and callback.__name__ in LIBRARY_VIEWS:
        permissions = (LIBRARY_VIEWS[callback.__name__],)
    return permissions


def permission_names(model_admin, permissions) -> list[str]:
    """The permissions a declaration stands for, leaving out those the admin
    switches off for everyone (``has_delete_permission`` returning False)."""
    opts = model_admin.opts
    request = _superuser_request()
    return [
        f"{opts.app_label}.{get_permission_codename(permission, opts)}"
        for permission in permissions
        if getattr(model_admin, f"has_{permission}_permission")(request)
    ]


def may(user, model_admin, permissions) -> bool:
    """What the declaration says ``user`` may do: see the list and hold one of
    the declared permissions."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    opts = model_admin.opts
    sees = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    return sees and any(user.has_perm(name) for name in permission_names(model_admin, permissions))


def action_id(row):
    model_admin, _, name = row
    return f"{model_admin.opts.label_lower}:{name}"


ACTIONS = registered_actions()
URLS = extra_admin_urls()


def test_every_admin_action_declares_its_permissions():
    missing = [action_id(row) for row in ACTIONS if not hasattr(row[1], "allowed_permissions")]

    assert not missing, f"Actions without allowed_permissions: {', '.join(missing)}"


def _permission_exists(name: str) -> bool:
    app_label, _, codename = name.partition(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def test_every_declared_permission_exists_and_has_a_check():
    problems = []
    rows = [(m, getattr(f, "allowed_permissions", ()), action_id((m, f, n))) for m, f, n in ACTIONS]
    rows += [(m, declared(c) or (), n) for n, c, m in URLS if m is not None]
    for model_admin, permissions, where in rows:
        for permission in permissions:
            if not hasattr(model_admin, f"has_{permission}_permission"):
                problems.append(f"{where}: no has_{permission}_permission")
                continue
            problems += [
                f"{where}: permission {name} does not exist"
                for name in permission_names(model_admin, [permission])
                if not _permission_exists(name)
            ]
    # Site-wide pages name their permissions in full (app.codename).
    for where, callback, model_admin in URLS:
        if model_admin is None:
            problems += [
                f"{where}: permission {name} does not exist"
                for name in declared(callback) or ()
                if not _permission_exists(name)
            ]

    assert not problems, "\n".join(problems)


def test_every_extra_admin_url_declares_its_permissions():
    missing = [name for name, callback, _ in URLS if declared(callback) is None]

    assert not missing, f"Admin URLs that declare no permission: {', '.join(missing)}"


# --- The saved state ----------------------------------------------------------


def snapshot() -> dict:
    """Every row the admin could change (the audit trail is checked apart)."""
    models = [*admin.site._registry, Permission, CaseEvent, SurveyIncentive, Wave]
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in models
        if model is not AuditEvent
    }


def routed(score: int):
    response = ResponseFactory(score=score)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return response


def _bonus_grant(action):
    """A reminder's bonus, granted to the answer within its window."""
    invitation = InvitationFactory()
    reward = RewardFactory()
    response = ResponseFactory(
        survey=invitation.survey, customer=invitation.customer, invitation=invitation
    )
    assignment = ReminderBonusAssignment.objects.create(
        invitation=invitation,
        survey=invitation.survey,
        customer=invitation.customer,
        arm=BonusArm.WITH,
        reward=reward,
        reminded_at=timezone.now() - timedelta(days=1),
        window_ends_at=timezone.now() + timedelta(days=2),
        answered_at=timezone.now(),
        response=response,
    )
    return BonusGrant.objects.create(
        assignment=assignment,
        response=response,
        survey=invitation.survey,
        customer=invitation.customer,
        reward=reward,
        code=reward.grant_code(),
        expires_at=timezone.now() + timedelta(days=30),
    )


# How to build a row each action can change, per model (a fresh one: the
# action must visibly change it for the roles allowed).
def _failed_email(action):
    email = OutboundMessage.objects.filter(response=routed(2)).first()
    OutboundMessage.objects.filter(pk=email.pk).update(status=OutboundMessage.Status.FAILED)
    return email


def _webhook_endpoint(action=None):
    return webhook_endpoint_create(url="http://127.0.0.1:9/hooks", events=["case.opened"])


def _failed_webhook(action):
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.WEBHOOK,
        webhook_endpoint=_webhook_endpoint(),
        dedupe_key=f"webhook:target:{OutboundMessage.objects.count()}",
        template="case.opened",
        language="",
        recipient="http://127.0.0.1:9/hooks",
        body_text="{}",
        status=OutboundMessage.Status.FAILED,
        attempts=16,
    )
    return WebhookDelivery.objects.get(pk=message.pk)


def _chat_alert(action=None):
    return chat_alert_create(survey=SurveyFactory(), url="http://127.0.0.1:9/services/T/B/x")


def _failed_chat_alert_delivery(action):
    alert = _chat_alert()
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SLACK,
        chat_alert=alert,
        dedupe_key=f"chat:target:{OutboundMessage.objects.count()}",
        template="chat_alert",
        language="en",
        recipient=alert.url_masked,
        body_text="{}",
        status=OutboundMessage.Status.FAILED,
        attempts=16,
    )
    return ChatAlertDelivery.objects.get(pk=message.pk)


def _survey_with_a_customer_due(action):
    CustomerFactory()
    return SurveyFactory(status=Survey.Status.ACTIVE)


TARGETS = {
    SavedFilter: lambda action: SavedFilter.objects.create(name="Spare filter", segment="vip"),
    CustomerList: lambda action: CustomerList.objects.create(name="Spare list"),
    Customer: lambda action: CustomerFactory(
        name="Ada Target",
        email_bounced_at=timezone.now() if action == "clear_mail_flags" else None,
    ),
    Survey: _survey_with_a_customer_due,
    Invitation: lambda action: InvitationFactory(),
    Response: lambda action: ResponseFactory(
        exclusion_reason="test" if action == "include_again" else ""
    ),
    FollowUpCase: lambda action: open_case(),
    OfferGrant: lambda action: OfferGrant.objects.get(response=routed(8)),
    RewardGrant: lambda action: RewardGrant.objects.get(response=routed(10)),
    BonusGrant: _bonus_grant,
    OutboundMessage: _failed_email,
    WebhookEndpoint: _webhook_endpoint,
    WebhookDelivery: _failed_webhook,
    ChatAlert: _chat_alert,
    ChatAlertDelivery: _failed_chat_alert_delivery,
    Offer: lambda action: Offer.objects.create(name="Spare", code_prefix="SPR", valid_days=5),
    Reward: lambda action: Reward.objects.create(
        name="Spare", kind="loyalty_points", points=5, code_prefix="SPR", valid_days=5
    ),
    RootCause: lambda action: RootCause.objects.create(name="Spare cause"),
    StaffProfile: lambda action: staff_member("target").staff_profile,
    ImprovementAction: lambda action: ImprovementAction.objects.create(
        title="Spare",
        survey=SurveyFactory(),
        owner=manager("owner"),
        root_cause=RootCause.objects.create(name="Spare cause"),
    ),
    get_user_model(): lambda action: UserFactory(username="target"),
    Group: lambda action: Group.objects.create(name="Spare group"),
    AuditEvent: lambda action: audit_record(action=Action.EXPORT, object_type="x", count=1),
    ApiKey: lambda action: (
        api_key_create(
            user=UserFactory(username="client", is_superuser=True),
            name="Shop",
            scopes=["ingest"],
            via="test",
        ).api_key
    ),
}

# What an action's second step needs (its confirmation page's fields).
EXTRA_POST = {
    "delete_selected": lambda: {"post": "yes"},
    "send_wave": lambda: {"confirm": "1"},
    "assign_cases": lambda: {"apply": "1", "owner": staff_member("assignee").pk},
}


def offered_actions(client, url) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or not response.context.get("action_form"):
        return set()
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ACTIONS, ids=[action_id(row) for row in ACTIONS])
def test_admin_action_is_offered_and_done_only_as_declared(client, row, role):
    model_admin, func, name = row
    model = model_admin.model
    assert model in TARGETS, f"Add a row builder for {model._meta.label} to TARGETS"
    user = make_user(role)
    allowed = may(user, model_admin, getattr(func, "allowed_permissions", ()))
    target = TARGETS[model](name)
    data = EXTRA_POST.get(name, dict)()
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    login(client, user)

    assert (name in offered_actions(client, changelist)) == allowed, (
        f"{action_id(row)} offered to {role}: expected {allowed}"
    )

    before, events = snapshot(), AuditEvent.objects.count()
    # Refused roles forge the widest request ("select all"); allowed roles act
    # on the one row built for them.
    response = client.post(
        changelist,
        {
            "action": name,
            ACTION_CHECKBOX_NAME: [target.pk],
            "select_across": "0" if allowed else "1",
            "index": "0",
            **data,
        },
    )
    if allowed:
        assert response.status_code in (200, 302), response.status_code
        assert snapshot() != before, f"{action_id(row)} changed nothing for {role}"
    else:
        assert snapshot() == before, f"{action_id(row)} changed data for {role}"
        assert AuditEvent.objects.count() == events


# --- Extra admin URLs ---------------------------------------------------------

CUSTOMER_CSV = "email,name,external_id,segment,locale\nada@example.com,Renamed,,,en\n"


def _import_job_kwargs():
    job = CustomerImport.objects.create(file_name="customers.csv", data=b"", rows_total=0)
    return {"object_id": job.pk}


def _csv_upload():
    upload = io.BytesIO(CUSTOMER_CSV.encode())
    upload.name = "customers.csv"
    return {"file": upload}


ANSWERS_CSV = (
    "survey,email,score,submitted_at,source_id\nnps,ada@example.com,9,2025-03-01T10:00:00Z,r-1\n"
)


def _answers_upload():
    upload = io.BytesIO(ANSWERS_CSV.encode())
    upload.name = "answers.csv"
    return {"file": upload, "format": AnswerImport.Format.GENERIC}


def _answer_import_kwargs():
    job = AnswerImport.objects.create(
        file_name="answers.csv", data=ANSWERS_CSV.encode(), format=AnswerImport.Format.GENERIC
    )
    return {"job_id": job.pk}


def _answer_import_report_kwargs():
    job = AnswerImport.objects.create(
        file_name="answers.csv", data=b"", format=AnswerImport.Format.GENERIC
    )
    return {"object_id": job.pk}


class Call:
    """How to call one extra URL: method, arguments, data, the page its link
    shows on, and how success looks (a page, or a change of saved state)."""

    def __init__(self, *, method="get", kwargs=None, data=None, shown_on=None, changes=False):
        self.method, self.kwargs, self.data = method, kwargs or dict, data or dict
        self.shown_on, self.changes = shown_on, changes


def _case_kwargs():
    return {"object_id": open_case().pk, "operation": "take"}


def _new_password():
    password = "a-new-Secret-42"
    return {"password1": password, "password2": password, "usable_password": "true"}


URL_CALLS = {
    # Its link on the user's page is relative ("../password/").
    "admin:auth_user_password_change": Call(
        method="post",
        kwargs=lambda: {"id": UserFactory(username="target").pk},
        data=_new_password,
        changes=True,
    ),
    "nps-dashboard": Call(shown_on=lambda kwargs: reverse("admin:index")),
    "admin:surveys_response_export": Call(
        shown_on=lambda kwargs: reverse("admin:surveys_response_changelist")
    ),
    "admin:followups_followupcase_export": Call(
        shown_on=lambda kwargs: reverse("admin:followups_followupcase_changelist")
    ),
    "admin:followups_followupcase_operation": Call(
        method="post",
        kwargs=_case_kwargs,
        shown_on=lambda kwargs: reverse(
            "admin:followups_followupcase_change", args=[kwargs["object_id"]]
        ),
        changes=True,
    ),
    "admin:surveys_customer_import": Call(
        method="post",
        data=_csv_upload,
        shown_on=lambda kwargs: reverse("admin:surveys_customer_changelist"),
        changes=True,
    ),
    "admin:surveys_customerimport_report": Call(kwargs=_import_job_kwargs),
    "admin:surveys_response_import": Call(
        method="post",
        data=_answers_upload,
        shown_on=lambda kwargs: reverse("admin:surveys_response_changelist"),
        changes=True,
    ),
    # Reached from the upload's redirect; confirming lets the job run.
    "admin:surveys_response_import_preview": Call(
        method="post", kwargs=_answer_import_kwargs, changes=True
    ),
    "admin:surveys_answerimport_report": Call(kwargs=_answer_import_report_kwargs),
    "admin:surveys_survey_audience": Call(
        method="post",
        kwargs=lambda: {"object_id": SurveyFactory(status=Survey.Status.ACTIVE).pk},
        # A preview's "Send now": a new one-time token, and the count it
        # showed (the test's customers, none asked yet).
        data=lambda: {
            "segment": "retail",
            "confirm_token": uuid.uuid4().hex,
            "previewed": Customer.objects.filter(segment="retail").count(),
            "send": "1",
        },
        shown_on=lambda kwargs: reverse("admin:surveys_survey_change", args=[kwargs["object_id"]]),
        changes=True,
    ),
    "admin:surveys_wave_results": Call(
        kwargs=lambda: {"object_id": Wave.objects.create(survey=SurveyFactory()).pk},
        shown_on=lambda kwargs: reverse("admin:surveys_wave_change", args=[kwargs["object_id"]]),
    ),
    "admin:surveys_customer_export": Call(
        method="post",
        data=lambda: {"resource": "0", "format": "0", "customerresource_email": "on"},
        shown_on=lambda kwargs: reverse("admin:surveys_customer_changelist"),
    ),
}


def _email_text_kwargs():
    return {"object_id": EmailText.objects.get(kind=EmailKind.OFFER).pk, "language": "pl"}


def _email_text_page(kwargs):
    return reverse("admin:surveys_emailtext_change", args=[kwargs["object_id"]])


URL_CALLS.update(
    {
        "admin:surveys_emailtext_preview": Call(
            kwargs=_email_text_kwargs, shown_on=_email_text_page
        ),
        # Sent from the preview page; queues an email in the outbox.
        "admin:surveys_emailtext_test_send": Call(
            method="post", kwargs=_email_text_kwargs, changes=True
        ),
    }
)


def url_may(user, name, callback, model_admin) -> bool:
    permissions = declared(callback) or ()
    if model_admin is not None:
        return may(user, model_admin, permissions)
    return bool(user and user.is_staff and any(user.has_perm(p) for p in permissions))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", URLS, ids=[row[0] for row in URLS])
def test_extra_admin_url_is_linked_and_answers_only_as_declared(client, row, role):
    name, callback, model_admin = row
    assert name in URL_CALLS, f"Add how to call {name} to URL_CALLS"
    call = URL_CALLS[name]
    CustomerFactory(email="ada@example.com", name="Ada")
    user = make_user(role)
    allowed = url_may(user, name, callback, model_admin)
    kwargs = call.kwargs()
    data = call.data()
    url = reverse(name, kwargs=kwargs)
    login(client, user)

    if call.shown_on is not None:
        page = client.get(call.shown_on(kwargs))
        shown = page.status_code == 200 and url in page.content.decode()
        assert shown == allowed, f"link to {name} shown to {role}: expected {allowed}"

    before, events = snapshot(), AuditEvent.objects.count()
    response = getattr(client, call.method)(url, data)
    if allowed:
        assert response.status_code in (200, 302), f"{name} refused {role}"
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("admin:login"))
        if call.changes:
            assert snapshot() != before, f"{name} changed nothing for {role}"
    else:
        assert response.status_code == 403 or (
            response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
        ), f"{name} answered {response.status_code} to {role}"
        assert snapshot() == before, f"{name} changed data for {role}"
        assert AuditEvent.objects.count() == events


def test_a_view_only_user_is_refused_every_change_the_admin_can_make(client):
    """The finding, end to end: view rights alone erase, exclude, redeem,
    retry or import nothing."""
    viewer = make_user("view_only")
    customer = CustomerFactory(email="ada@example.com", name="Ada")
    response = ResponseFactory()
    grant = OfferGrant.objects.get(response=routed(8))
    email = _failed_email(None)
    login(client, viewer)

    for model, action, pk in [
        (Customer, "erase_personal_data", customer.pk),
        (Response, "exclude_as_spam", response.pk),
        (OfferGrant, "mark_redeemed", grant.pk),
        (OutboundMessage, "retry_now", email.pk),
    ]:
        client.post(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            {"action": action, ACTION_CHECKBOX_NAME: [pk], "select_across": "1", "index": "0"},
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("admin:surveys_customer_import"), _csv_upload())

    customer.refresh_from_db()
    response.refresh_from_db()
    grant.refresh_from_db()
    email.refresh_from_db()
    assert (customer.name, customer.erased_at) == ("Ada", None)
    assert response.exclusion_reason == ""
    assert grant.redeemed_at is None
    assert email.status == OutboundMessage.Status.FAILED


# --- Departments ----------------------------------------------------------------
# Every admin whose rows belong to a survey keeps another department's rows out
# of its list, its change pages and its actions (surveys.departments). The
# admins are found from the registry: a model that reaches Survey through its
# foreign keys is departmental, and its admin must say where its department is.

# Reader -> whether they see department B.
DEPARTMENT_ROLES = {
    "staff_of_a": False,
    "staff_of_none": False,
    "manager_of_a": False,
    "manager_of_a_and_b": True,
    "manager_of_none": True,  # a manager placed in no department: the whole company
    "data_protection_of_a": False,
}


def _survey_path(model, depth=3, prefix=""):
    """The first foreign-key path from ``model`` to Survey ("survey",
    "response__survey", ...), or None."""
    if model is Survey:
        return prefix.rstrip("_") or "self"
    if depth == 0:
        return None
    forward = [
        field
        for field in model._meta.get_fields()
        if field.many_to_one or (field.one_to_one and field.concrete)
    ]
    for field in forward:
        if field.related_model is Survey:
            return f"{prefix}{field.name}"
    for field in model._meta.get_fields():
        if (field.many_to_one or (field.one_to_one and field.concrete)) and field.related_model:
            found = _survey_path(field.related_model, depth - 1, f"{prefix}{field.name}__")
            if found:
                return found
    return None


DEPARTMENTAL = sorted(
    (
        model_admin
        for model, model_admin in admin.site._registry.items()
        if _survey_path(model) is not None
    ),
    key=lambda model_admin: model_admin.opts.label_lower,
)


def _mail_event(action=None):
    email = OutboundMessage.objects.filter(response=routed(2)).first()
    return MailEvent.objects.create(
        dedupe_key=uuid.uuid4().hex,
        kind=MailEvent.Kind.BOUNCE,
        email=email.recipient,
        customer=email.customer,
        outbound_message=email,
        source=MailEvent.Source.SMTP,
        occurred_at=timezone.now(),
    )


def _answer_import(action=None):
    return AnswerImport.objects.create(
        file_name="answers.csv",
        data=b"",
        format=AnswerImport.Format.GENERIC,
        survey=SurveyFactory(),
    )


TARGETS.update(
    {
        Department: lambda action: Department.objects.create(name="Spare department"),
        Wave: lambda action: Wave.objects.create(survey=SurveyFactory()),
        AnswerImport: _answer_import,
        LinkClick: lambda action: LinkClick.objects.create(
            grant=RewardGrant.objects.get(response=routed(10))
        ),
        ReferralUse: lambda action: ReferralUse.objects.create(
            grant=RewardGrant.objects.get(response=routed(10)), order=uuid.uuid4().hex
        ),
        MailEvent: _mail_event,
        InboundSms: lambda action: _inbound_sms(InvitationFactory()),
        ReminderBonusAssignment: lambda action: _bonus_grant(action).assignment,
        Theme: lambda action: Theme.objects.create(survey=SurveyFactory(), words=["late"]),
    }
)


def _inbound_sms(invitation):
    return InboundSms.objects.create(
        provider=InboundSms.Provider.TWILIO,
        provider_message_id=uuid.uuid4().hex,
        sender="+48601234567",
        body="9",
        outcome=InboundSms.Outcome.SCORE if invitation else InboundSms.Outcome.UNMATCHED,
        invitation=invitation,
        customer=invitation.customer if invitation else None,
    )


def _of_an_answer(builder):
    """The row ``builder`` makes, about a detractor's answer (a delivery of
    its case's news), so that it belongs to that answer's department."""

    def build(action=None):
        row = builder(action)
        answer = routed(2)
        type(row).objects.filter(pk=row.pk).update(response=answer, survey=answer.survey)
        return type(row).objects.get(pk=row.pk)

    return build


# Rows the matrix above builds with no answer behind them.
DEPARTMENT_TARGETS = {
    WebhookDelivery: _of_an_answer(_failed_webhook),
    ChatAlertDelivery: _of_an_answer(_failed_chat_alert_delivery),
}


def test_every_admin_of_rows_that_belong_to_a_survey_declares_their_department():
    missing = [
        model_admin.opts.label_lower
        for model_admin in DEPARTMENTAL
        if not getattr(model_admin, "department_path", None)
    ]

    assert len(DEPARTMENTAL) >= 10  # the walk found the admins, not nothing
    assert not missing, f"Admins without department_path: {', '.join(missing)}"


def make_department_reader(role: str, a, b):
    kind, _, of = role.partition("_of_")
    if kind == "staff":
        user = staff_member("reader")
    elif kind == "manager":
        user = manager("reader")
    else:
        user = UserFactory(username="reader")
        user.groups.add(Group.objects.get(name=roles.DATA_PROTECTION))
    for name, dept in (("a", a), ("b", b)):
        if name in of.split("_and_"):
            dept.members.add(user)
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def _move_to_department(model_admin, row, dept) -> bool:
    """Put ``row``'s survey (along the admin's department path) in ``dept``;
    False when this row has no survey on that path."""
    obj = row
    for step in model_admin.department_path.split("__")[:-1]:
        obj = getattr(obj, step, None)
        if obj is None:
            return False
    assert isinstance(obj, Survey), model_admin.department_path
    Survey.objects.filter(pk=obj.pk).update(department=dept)
    return True


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
@pytest.mark.parametrize("model_admin", DEPARTMENTAL, ids=lambda m: m.opts.label_lower)
def test_another_departments_rows_are_not_listed_opened_or_acted_on(client, model_admin, role):
    model = model_admin.model
    a, b = department("Sales"), department("Delivery")
    target = DEPARTMENT_TARGETS.get(model, TARGETS[model])(None)
    if not _move_to_department(model_admin, target, b):
        pytest.skip(f"the row built for {model._meta.label} belongs to no survey")
    user = make_department_reader(role, a, b)
    sees_b = DEPARTMENT_ROLES[role]
    opts = model._meta
    may_view = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
    login(client, user)

    page = client.get(changelist)
    listed = page.status_code == 200 and target.pk in {
        row.pk for row in page.context["cl"].result_list
    }
    opened = client.get(change).status_code == 200

    assert listed == (sees_b and may_view), f"listed to {role}: {listed}"
    assert opened == (sees_b and may_view), f"opened by {role}: {opened}"
    if sees_b:
        return
    actions = model_admin.get_actions(_superuser_request())
    extra = {name: EXTRA_POST.get(name, dict)() for name in actions}
    before, events = snapshot(), AuditEvent.objects.count()
    for name in actions:
        client.post(
            changelist,
            {
                "action": name,
                ACTION_CHECKBOX_NAME: [target.pk],
                "select_across": "0",
                "index": "0",
                **extra[name],
            },
        )
    assert snapshot() == before, f"an action changed another department's row for {role}"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_a_text_matched_to_no_invitation_is_read_only_by_readers_of_every_department(client, role):
    """It could be about any department's survey: a reader of some departments
    does not see it, a reader of the whole company does."""
    a, b = department("Sales"), department("Delivery")
    unmatched = _inbound_sms(None)
    shared = _inbound_sms(InvitationFactory())  # a survey of no department: everyone's
    user = make_department_reader(role, a, b)
    user.user_permissions.add(Permission.objects.get(codename="view_inboundsms"))
    user = get_user_model().objects.get(pk=user.pk)
    login(client, user)

    page = client.get(reverse("admin:followups_inboundsms_changelist"))
    listed = {row.pk for row in page.context["cl"].result_list}
    opened = client.get(reverse("admin:followups_inboundsms_change", args=[unmatched.pk]))

    every_department = role in ("manager_of_none",)
    assert (unmatched.pk in listed) == every_department
    assert (opened.status_code == 200) == every_department
    assert shared.pk in listed


def _reader_who_may_view(role: str, a, b, codename: str):
    user = make_department_reader(role, a, b)
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def _listed(client, model) -> set[int]:
    opts = model._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    return {row.pk for row in page.context["cl"].result_list}


def _opened(client, row) -> bool:
    opts = row._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    return client.get(url).status_code == 200


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_the_audit_trail_shows_another_departments_events_only_to_those_who_see_it(client, role):
    """The trail is no registry walk's find (an event names its rows by type
    and id): its events about department B, an export of B's answers among
    them, are read only by readers of B; events about shared surveys by
    everyone; events about nothing of one department by readers of every
    department and their own actor."""
    a, b = department("Sales"), department("Delivery")
    survey_b, shared_survey = SurveyFactory(department=b), SurveyFactory()
    ResponseFactory(survey=survey_b)
    colleague = manager("colleague")
    about_b = audit_record(action=Action.SURVEY_SENT, actor=colleague, objects=[survey_b])
    export_b = export_record(
        queryset=Response.objects.filter(survey=survey_b),
        params={"survey__id__exact": str(survey_b.pk)},
        via="admin",
        actor=colleague,
    )
    about_shared = audit_record(action=Action.SURVEY_SENT, actor=colleague, objects=[shared_survey])
    erased = audit_record(
        action=Action.CUSTOMER_ERASED, actor=colleague, objects=[CustomerFactory()]
    )
    user = _reader_who_may_view(role, a, b, "view_auditevent")
    own = audit_record(action=Action.API_KEY_CREATED, actor=user, details={"name": "mine"})
    login(client, user)

    listed = _listed(client, AuditEvent)

    sees_b, every_department = DEPARTMENT_ROLES[role], role == "manager_of_none"
    assert (about_b.pk in listed) == sees_b
    assert (export_b.pk in listed) == sees_b
    assert _opened(client, about_b) == sees_b
    assert (erased.pk in listed) == every_department
    assert _opened(client, erased) == every_department
    assert {about_shared.pk, own.pk} <= listed


ANSWERS_HEADER = "survey,email,score,submitted_at,source_id\n"


def _answers_naming(*slugs: str) -> bytes:
    rows = [
        f"{slug},ada{index}@example.com,9,2025-03-01T10:00:00Z,r-{index}\n"
        for index, slug in enumerate(slugs)
    ]
    return (ANSWERS_HEADER + "".join(rows)).encode()


def _import_naming(*slugs: str, user=None) -> AnswerImport:
    return answer_import_create(
        data=_answers_naming(*slugs), file_name="answers.csv", fmt="generic", user=user
    )


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_an_answer_import_of_no_survey_is_read_only_by_readers_of_every_survey_its_rows_name(
    client, role
):
    a, b = department("Sales"), department("Delivery")
    survey_a, survey_b = SurveyFactory(department=a), SurveyFactory(department=b)
    shared_survey = SurveyFactory()
    of_b = _import_naming(survey_b.slug, shared_survey.slug)
    of_a_and_b = _import_naming(survey_a.slug, survey_b.slug)
    of_a = _import_naming(survey_a.slug)
    of_nothing = _import_naming("no-such-survey")
    user = _reader_who_may_view(role, a, b, "view_answerimport")
    login(client, user)

    listed = _listed(client, AnswerImport)
    report = reverse("admin:surveys_answerimport_report", args=[of_b.pk])

    sees_a = role.endswith("_of_a") or role in ("manager_of_a_and_b", "manager_of_none")
    sees_b, every_department = DEPARTMENT_ROLES[role], role == "manager_of_none"
    assert (of_b.pk in listed) == sees_b
    assert _opened(client, of_b) == sees_b
    assert (client.get(report).status_code == 200) == sees_b
    assert (of_a_and_b.pk in listed) == (sees_a and sees_b)
    assert (of_a.pk in listed) == sees_a
    assert (of_nothing.pk in listed) == every_department


def test_the_uploader_of_an_answer_import_reads_it_whatever_surveys_its_rows_name(client):
    a, b = department("Sales"), department("Delivery")
    uploader = manager("uploader")
    a.members.add(uploader)
    colleague = manager("colleague")
    a.members.add(colleague)
    job = _import_naming(SurveyFactory(department=b).slug, user=uploader)

    login(client, uploader)
    assert job.pk in _listed(client, AnswerImport)
    preview = reverse("admin:surveys_response_import_preview", args=[job.pk])
    assert client.get(preview).status_code == 200
    login(client, colleague)
    assert job.pk not in _listed(client, AnswerImport)
    assert client.get(preview).status_code == 404

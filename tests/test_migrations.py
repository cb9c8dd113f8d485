"""Migrations stand alone: an empty database and a database of the last release
both migrate to the latest schema with the reference data ``followups.roles``
describes, and no migration reads live project code (which changes after the
migration was written, while old databases still have to run it)."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as live_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followups import roles
from followups.models import Offer, OutboundMessage, Reward
from surveys.models import Survey

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"surveys", "followups", "nps_project"}
# The schema of the last release (git 3f9db1a).
LAST_RELEASE = [("surveys", "0003_report_indexes_cover"), ("followups", "0006_case_list_indexes")]
# The schema just before the outbox took every channel.
BEFORE_CHANNELS = [("followups", "0011_managers_revoke_api_keys")]
# The schema while a survey's translations were one JSON mapping.
JSON_TRANSLATIONS = [("surveys", "0011_answer_imports")]
# Models renamed since the last release: their label now, and their renamed fields.
RENAMED = {"followups.OutboundEmail": ("followups.OutboundMessage", {"to_email": "recipient"})}
# Columns since moved into others, with a test of their own (see below).
MOVED = {"surveys.Survey": {"translations"}}


def migrate(targets) -> MigrationExecutor:
    """Migrate the test database to ``targets``; returns an executor whose
    loader knows the new applied state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def every_app_at_zero() -> list[tuple[str, None]]:
    return [(label, None) for label in MigrationExecutor(connection).loader.migrated_apps]


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def schema(transactional_db):
    """The test database's schema is the test's to move; it is put back at the
    latest migrations afterwards, so later tests find it intact."""
    try:
        yield migrate
    finally:
        migrate(latest())
        # Content types were dropped and made again under new ids.
        ContentType.objects.clear_cache()


def granted() -> dict[str, set[tuple[str, str]]]:
    """Every group, with the permissions it holds."""
    granted = {group.name: set() for group in Group.objects.all()}
    links = Permission.objects.filter(group__isnull=False).values_list(
        "group__name", "content_type__app_label", "codename"
    )
    for group, app_label, codename in links:
        granted[group].add((app_label, codename))
    return granted


def described_by_roles() -> dict[str, set[tuple[str, str]]]:
    return {name: set(wanted) for name, wanted in roles.ROLE_PERMISSIONS.items()}


def catalogue() -> tuple[list[dict], list[dict]]:
    """Every offer and every reward, as the fields the defaults set."""
    offers = Offer.objects.order_by("pk").values(*roles.DEFAULT_OFFER, "is_default")
    rewards = Reward.objects.order_by("pk").values(*roles.DEFAULT_REWARD, "is_default")
    return list(offers), list(rewards)


def reference_data() -> tuple:
    return granted(), catalogue(), sorted(Offer.objects.values_list("pk", flat=True))


@pytest.mark.postgres
def test_migrating_an_empty_database_gives_exactly_the_roles_and_defaults_of_roles_py(schema):
    schema(every_app_at_zero())
    schema(latest())

    assert granted() == described_by_roles()
    assert catalogue() == (
        [{**roles.DEFAULT_OFFER, "is_default": True}],
        [{**roles.DEFAULT_REWARD, "is_default": True}],
    )
    # The live helper the tests and the demo use finds nothing left to add.
    migrated = reference_data()
    roles.ensure_reference_data()
    assert reference_data() == migrated


def insert_last_release_rows(historical) -> dict[str, list[dict]]:
    """One of each kind of row a database of the last release holds, written
    through that release's models; returns every row of those tables."""

    def model(label: str):
        return historical.get_model(*label.split("."))

    now = timezone.now()
    user = model("auth.User").objects.create(username="ann", email="ann@example.com")
    customer = model("surveys.Customer").objects.create(
        email="kim@example.com", name="Kim", external_id="crm-7", segment="smb", locale="pl"
    )
    survey = model("surveys.Survey").objects.create(
        slug="after-support", name="After support", status="active"
    )
    invitation = model("surveys.Invitation").objects.create(
        survey=survey,
        customer=customer,
        nonce="n" * 43,
        token_hash="h" * 64,
        expires_at=now + timedelta(days=30),
        sent_at=now,
        responded_at=now,
    )
    Response = model("surveys.Response")
    detractor = Response.objects.create(
        survey=survey,
        customer=customer,
        invitation=invitation,
        score=3,
        category="detractor",
        comment="Slow answers.",
        channel="email",
        segment="smb",
        idempotency_key="answer-1",
        routed_at=now,
    )
    passive = Response.objects.create(
        survey=survey, customer=customer, score=7, category="passive", routed_at=now
    )
    case = model("followups.FollowUpCase").objects.create(
        response=detractor,
        customer=customer,
        survey=survey,
        owner=user,
        priority=1,
        status="in_progress",
        due_at=now + timedelta(hours=24),
        first_contact_at=now,
    )
    model("followups.CaseEvent").objects.create(
        case=case, kind="note", actor=user, message="Called back.", data={"via": "phone"}
    )
    offer = model("followups.Offer").objects.get(is_default=True)
    model("followups.OfferGrant").objects.create(
        response=passive,
        customer=customer,
        survey=survey,
        offer=offer,
        code="THX-AB12CD",
        status="sent",
        expires_at=now + timedelta(days=30),
        sent_at=now,
    )
    model("followups.OutboundEmail").objects.create(
        dedupe_key=f"case-apology:{case.pk}",
        template="apology",
        language="pl",
        to_email="kim@example.com",
        subject="Sorry",
        body_text="We will call you.",
        status="sent",
        attempts=1,
        case=case,
        customer=customer,
        response=detractor,
        sent_at=now,
    )
    labels = (
        "auth.User",
        "surveys.Customer",
        "surveys.Survey",
        "surveys.Invitation",
        "surveys.Response",
        "followups.FollowUpCase",
        "followups.CaseEvent",
        "followups.OfferGrant",
        "followups.OutboundEmail",
    )
    return {label: list(model(label).objects.order_by("pk").values()) for label in labels}


@pytest.mark.postgres
def test_a_database_of_the_last_release_keeps_its_rows_and_gains_the_new_roles(schema):
    schema(every_app_at_zero())
    executor = schema(LAST_RELEASE)
    before = insert_last_release_rows(executor.loader.project_state(LAST_RELEASE).apps)
    assert ("surveys", "view_auditevent") not in granted()[roles.MANAGERS]

    schema(latest())

    for label, rows in before.items():
        label_now, renamed = RENAMED.get(label, (label, {}))
        expected = [
            {
                renamed.get(column, column): value
                for column, value in row.items()
                if column not in MOVED.get(label, ())
            }
            for row in rows
        ]
        columns = expected[0].keys()
        after = live_apps.get_model(label_now).objects.order_by("pk").values(*columns)
        assert list(after) == expected, label
    assert list(OutboundMessage.objects.values_list("channel", flat=True)) == ["email"]
    assert granted() == described_by_roles()
    assert len(catalogue()[0]) == len(catalogue()[1]) == 1


def outbox_grants() -> dict[str, set[str]]:
    return {
        group: {codename for app_label, codename in held if "outbound" in codename}
        for group, held in granted().items()
    }


@pytest.mark.postgres
def test_an_outbound_email_becomes_an_email_message_and_its_grants_follow_it(schema):
    executor = schema(BEFORE_CHANNELS)
    historical = executor.loader.project_state(BEFORE_CHANNELS).apps
    group_model, permission_model = (
        historical.get_model("auth", name) for name in ("Group", "Permission")
    )
    for name, codenames in (
        (roles.MANAGERS, ["view_outboundemail", "retry_outboundemail"]),
        (roles.SERVICE_STAFF, ["view_outboundemail"]),
    ):
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*permission_model.objects.filter(codename__in=codenames))
    historical.get_model("followups", "OutboundEmail").objects.create(
        dedupe_key="case-apology:1",
        template="apology",
        language="pl",
        to_email="kim@example.com",
        subject="Sorry",
        body_text="We will call you.",
        status="failed",
    )
    assert outbox_grants()[roles.MANAGERS] == {"view_outboundemail", "retry_outboundemail"}

    schema(latest())

    message = OutboundMessage.objects.get(dedupe_key="case-apology:1")
    assert (message.channel, message.recipient, message.status) == (
        "email",
        "kim@example.com",
        "failed",
    )
    assert outbox_grants()[roles.MANAGERS] == {"view_outboundmessage", "retry_outboundmessage"}
    assert outbox_grants()[roles.SERVICE_STAFF] == {"view_outboundmessage"}
    assert not Permission.objects.filter(codename__endswith="_outboundemail").exists()


@pytest.mark.postgres
def test_unapplying_the_channel_step_gives_the_email_grants_back(schema):
    roles.ensure_reference_data()
    schema(BEFORE_CHANNELS)
    assert outbox_grants()[roles.MANAGERS] == {"view_outboundemail", "retry_outboundemail"}
    assert not Permission.objects.filter(codename__endswith="_outboundmessage").exists()


def _survey_with_json_translations(executor):
    survey_model = executor.loader.project_state(JSON_TRANSLATIONS).apps.get_model(
        "surveys", "Survey"
    )
    return survey_model.objects.create(
        slug="relationship",
        name="Relationship",
        translations={
            "pl": {"question": "Czy polecisz nas?", "follow_up_question": "Dlaczego?"},
            "ru": {"question": "Порекомендуете ли вы нас?"},
        },
    )


@pytest.mark.postgres
def test_json_translations_move_into_their_language_columns(schema):
    _survey_with_json_translations(schema(JSON_TRANSLATIONS))

    schema(latest())

    survey = Survey.objects.get(slug="relationship")
    assert (survey.question_pl, survey.follow_up_question_pl) == ("Czy polecisz nas?", "Dlaczego?")
    assert (survey.question_ru, survey.follow_up_question_ru) == ("Порекомендуете ли вы нас?", "")
    assert (survey.question_zh_hans, survey.follow_up_question_zh_hans) == ("", "")


@pytest.mark.postgres
def test_unapplying_the_language_columns_gives_the_json_back(schema):
    original = _survey_with_json_translations(schema(JSON_TRANSLATIONS)).translations
    schema(latest())

    executor = schema(JSON_TRANSLATIONS)

    survey_model = executor.loader.project_state(JSON_TRANSLATIONS).apps.get_model(
        "surveys", "Survey"
    )
    assert survey_model.objects.get(slug="relationship").translations == original


def migration_files() -> list[Path]:
    """Every migration module of the project's own apps."""
    files = []
    for app_config in live_apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            files += sorted((path / "migrations").glob("[0-9]*.py"))
    return files


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def _only_field_defaults(tree, module: str) -> bool:
    """Whether every use of ``module`` names a field's default callable, which
    Django records by its import path (the schema refers to it; no data step
    runs it)."""
    uses = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _dotted(node.value) == module
    ]
    defaults = {
        id(keyword.value)
        for keyword in (node for node in ast.walk(tree) if isinstance(node, ast.keyword))
        if keyword.arg == "default"
    }
    return bool(uses) and all(id(use) in defaults for use in uses)


def project_imports(source: Path) -> list[str]:
    """The modules of project code (not of a migrations package) a file
    imports, other than for a field's default callable."""
    found = []
    tree = ast.parse(source.read_text(), filename=str(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:
                continue  # a sibling inside the migrations package
            modules = [("." * node.level) + (node.module or "")]
        else:
            continue
        for module in modules:
            parts = module.lstrip(".").split(".")
            relative_outside = module.startswith("..")
            project = relative_outside or parts[0] in PROJECT_PACKAGES
            if project and "migrations" not in parts and not _only_field_defaults(tree, module):
                found.append(module)
    return found


def test_no_migration_imports_project_code():
    files = migration_files()
    assert {path.parent.parent.name for path in files} >= {"surveys", "followups"}
    offenders = {
        str(path.relative_to(ROOT)): imports for path in files if (imports := project_imports(path))
    }
    assert offenders == {}


@pytest.mark.postgres
def test_json_translations_keyed_another_way_move_and_unknown_ones_stop_the_migration(schema):
    executor = schema(JSON_TRANSLATIONS)
    survey_model = executor.loader.project_state(JSON_TRANSLATIONS).apps.get_model(
        "surveys", "Survey"
    )
    survey_model.objects.create(
        slug="spelled", name="Spelled", translations={"zh_Hans": {"question": "您会推荐我们吗"}}
    )
    survey_model.objects.create(
        slug="german", name="German", translations={"de": {"question": "Empfehlen Sie uns?"}}
    )

    with pytest.raises(ValueError, match=r"'german'.*'de'.*pl, ru, zh-hans"):
        schema(latest())

    survey_model.objects.filter(slug="german").delete()
    schema(latest())
    assert Survey.objects.get(slug="spelled").question_zh_hans == "您会推荐我们吗"


BEFORE_MESSAGE_SURVEY = [("followups", "0031_department_grants")]


@pytest.mark.postgres
def test_stored_messages_gain_the_survey_of_their_answer_case_or_invitation(schema):
    executor = schema(BEFORE_MESSAGE_SURVEY)
    historical = executor.loader.project_state(BEFORE_MESSAGE_SURVEY).apps

    def model(label):
        return historical.get_model(*label.split("."))

    survey = model("surveys.Survey").objects.create(slug="shop", name="Shop")
    customer = model("surveys.Customer").objects.create(email="kim@example.com")
    invitation = model("surveys.Invitation").objects.create(
        survey=survey,
        customer=customer,
        nonce="n",
        token_hash="h" * 64,
        expires_at="2026-12-31T00:00Z",
    )
    answer = model("surveys.Response").objects.create(
        survey=survey, customer=customer, score=2, category="detractor"
    )
    message = model("followups.OutboundMessage")

    def stored(key, **fields):
        message.objects.create(
            dedupe_key=key, template="x", language="en", recipient="kim@example.com", **fields
        )

    stored(f"invitation:{invitation.pk}:first", customer=customer)
    stored(f"response:{answer.pk}:apology", response=answer)
    stored("digest:1:2026-W10")
    stored("invitation:999999:first")  # its invitation is gone

    schema(latest())

    surveys = dict(OutboundMessage.objects.values_list("dedupe_key", "survey__slug"))
    assert surveys == {
        f"invitation:{invitation.pk}:first": "shop",
        f"response:{answer.pk}:apology": "shop",
        "digest:1:2026-W10": None,
        "invitation:999999:first": None,
    }


@pytest.mark.postgres
def test_employee_emails_already_in_the_outbox_lose_their_working_link(schema):
    """Rows queued before the fix held the employee's working link; whoever
    reads the outbox could answer for them. The migration redacts them (the
    transport puts the link back in as it sends)."""
    before = [("followups", "0032_outbound_message_survey")]
    executor = schema(before)
    historical = executor.loader.project_state(before).apps
    link = "https://nps.example.com/e/" + "ab12" * 10 + "abc/"
    for key, template in (("employee-invitation:7:first", "employee"), ("case:1", "other")):
        historical.get_model("followups", "OutboundMessage").objects.create(
            dedupe_key=key,
            template=template,
            channel="email",
            recipient="a@example.com",
            subject="Hi",
            body_text=f"Answer here: {link}",
            body_html=f'<a href="{link}">Answer</a>',
        )

    schema(latest())

    employee = OutboundMessage.objects.get(dedupe_key="employee-invitation:7:first")
    other = OutboundMessage.objects.get(dedupe_key="case:1")
    redacted = "https://nps.example.com/e/link-added-when-sent/"
    assert employee.body_text == f"Answer here: {redacted}"
    assert employee.body_html == f'<a href="{redacted}">Answer</a>'
    assert link in other.body_text  # another email's link is not an employee's

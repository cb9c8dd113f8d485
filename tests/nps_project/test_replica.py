"""The read-replica router: report, dashboard and export reads go to the
``replica`` alias, writes and everything else to ``default``.

The test settings' ``replica`` alias is the test database through a
connection of its own (TEST MIRROR), so each alias's queries are captured
apart. The tests commit (transaction=True): a second connection sees only
committed rows, as a real replica does."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpCase
from nps_project.replica import (
    PIN_COOKIE,
    REPLICA,
    ReplicaRouter,
    pinned,
    reads_alias,
    replica_reads,
)
from surveys.audit import audit_record
from surveys.models import ApiKey, ApiScope, AuditEvent, Response, Survey
from tests.factories import (
    CustomerFactory,
    FollowUpCaseFactory,
    ResponseFactory,
    SurveyFactory,
    manager,
)
from tests.surveys.api.conftest import client_with, key_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]


@pytest.fixture(autouse=True)
def _replica_on(settings):
    settings.NPS_REPLICA_READS = True


READS = ("SELECT", "DECLARE")
WRITES = ("INSERT", "UPDATE", "DELETE")


class Captured:
    """The statements each alias ran inside the block."""

    def __enter__(self) -> Captured:
        self.default = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[REPLICA])
        self.default.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self.replica.__exit__(*exc_info)
        self.default.__exit__(*exc_info)

    @staticmethod
    def _sql(context: CaptureQueriesContext) -> list[str]:
        return [query["sql"] for query in context.captured_queries]

    def reads_of(self, alias: str, table: str) -> list[str]:
        context = self.default if alias == "default" else self.replica
        # A streamed export reads through a server-side cursor (DECLARE ... FOR SELECT).
        return [s for s in self._sql(context) if s.startswith(READS) and f'"{table}"' in s]

    def replica_writes(self) -> list[str]:
        return [s for s in self._sql(self.replica) if s.startswith(WRITES)]

    def default_writes(self) -> list[str]:
        return [s for s in self._sql(self.default) if s.startswith(WRITES)]


# --- the router's rules -------------------------------------------------------


def test_reads_go_to_the_replica_only_inside_a_replica_reads_block():
    assert reads_alias(Response) == "default"
    with replica_reads():
        assert reads_alias(Response) == REPLICA
        assert Response.objects.all().db == REPLICA
    assert Response.objects.all().db == "default"


def test_writes_and_migrations_go_to_default_only():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Survey) == "default"
    assert router.allow_migrate("default", "surveys") is True
    assert router.allow_migrate(REPLICA, "surveys") is False


def test_a_read_inside_a_transaction_stays_on_the_primary():
    with replica_reads():
        with transaction.atomic():
            assert reads_alias(Response) == "default"
        assert reads_alias(Response) == REPLICA


def test_after_a_write_the_rest_of_the_block_reads_its_writes_from_the_primary():
    survey = SurveyFactory()
    with replica_reads(), Captured() as captured:
        assert reads_alias(Survey) == REPLICA
        Survey.objects.filter(pk=survey.pk).update(name="Renamed")
        assert reads_alias(Survey) == "default"
        assert Survey.objects.get(pk=survey.pk).name == "Renamed"
    assert captured.reads_of("default", "surveys_survey")
    assert not captured.reads_of(REPLICA, "surveys_survey")
    # The next block starts afresh.
    with replica_reads():
        assert reads_alias(Survey) == REPLICA


def test_a_write_in_a_nested_block_keeps_the_outer_blocks_reads_on_the_primary():
    survey = SurveyFactory()
    with replica_reads():
        with replica_reads():
            Survey.objects.filter(pk=survey.pk).update(name="Renamed")
        assert reads_alias(Survey) == "default"
        with replica_reads():
            assert reads_alias(Survey) == "default"
    with replica_reads():
        assert reads_alias(Survey) == REPLICA


def test_a_replica_that_is_down_sends_the_reads_to_the_primary_and_warns_once(monkeypatch, caplog):
    from nps_project import replica

    clock = [1000.0]
    tried = []
    monkeypatch.setattr(replica.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(replica, "_replica_down_until", 0.0)

    def down():
        tried.append(clock[0])
        raise OperationalError("connection refused")

    up = connections[REPLICA].ensure_connection
    monkeypatch.setattr(connections[REPLICA], "ensure_connection", down)
    with replica_reads(), caplog.at_level("WARNING", logger="nps_project.replica"):
        assert reads_alias(Survey) == "default"
        assert Survey.objects.count() == 0
        clock[0] += replica.REPLICA_RETRY_SECONDS - 1
        assert reads_alias(Survey) == "default"
        assert tried == [1000.0]
        assert len(caplog.records) == 1
        monkeypatch.setattr(connections[REPLICA], "ensure_connection", up)
        assert reads_alias(Survey) == "default"  # up again, not yet tried
        clock[0] += 2
        assert reads_alias(Survey) == REPLICA


def test_appending_to_the_audit_trail_keeps_the_reads_on_the_replica():
    with replica_reads():
        audit_record(action="export", object_type="surveys.response", object_ids=[])
        assert reads_alias(Response) == REPLICA
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_identity_and_access_are_always_read_from_the_primary():
    with replica_reads():
        assert reads_alias(get_user_model()) == "default"
        assert reads_alias(ApiKey) == "default"


def test_without_replica_reads_allowed_everything_reads_the_primary(settings):
    settings.NPS_REPLICA_READS = False
    with replica_reads():
        assert reads_alias(Response) == "default"


def test_a_query_pinned_in_the_block_still_reads_the_replica_after_it():
    ResponseFactory()
    with replica_reads():
        rows = pinned(Response.objects.values_list("score", flat=True))
    with Captured() as captured:
        assert list(rows) == [9]
    assert captured.reads_of(REPLICA, "surveys_response")
    assert not captured.reads_of("default", "surveys_response")


def test_rows_read_from_the_replica_can_be_related_to_rows_of_the_primary():
    survey = SurveyFactory()
    customer = CustomerFactory()
    with replica_reads():
        replica_survey = Survey.objects.get(pk=survey.pk)
    assert replica_survey._state.db == REPLICA
    response = Response.objects.create(survey=replica_survey, customer=customer, score=3)
    assert Response.objects.get(pk=response.pk).survey_id == survey.pk


# --- the pages and endpoints that read from the replica ------------------------


@pytest.fixture
def answered():
    survey = SurveyFactory(slug="rel")
    for score in (0, 5, 8, 10):
        ResponseFactory(survey=survey, score=score, submitted_at=timezone.now() - timedelta(days=1))
    FollowUpCaseFactory(response__survey=survey, response__score=2)
    return survey


@pytest.fixture
def boss():
    return manager("boss")


def test_the_dashboard_reads_its_report_from_the_replica(client, answered, boss):
    client.force_login(boss)
    with Captured() as captured:
        page = client.get(reverse("nps-dashboard"), {"survey": answered.slug})
    assert page.status_code == 200
    assert captured.reads_of(REPLICA, "surveys_response")
    assert captured.reads_of(REPLICA, "followups_followupcase")
    assert not captured.reads_of("default", "surveys_response")
    assert captured.replica_writes() == []
    # Who may see the page is decided on the primary (a report may still
    # join an owner's name).
    assert any('FROM "auth_user"' in s for s in captured.reads_of("default", "auth_user"))
    assert not any('FROM "auth_user"' in s for s in captured.reads_of(REPLICA, "auth_user"))


def _write_then_dashboard(client, survey, boss):
    """A root cause added in the admin (a write), then the dashboard."""
    client.force_login(boss)
    added = client.post(reverse("admin:followups_rootcause_add"), {"name": "Late parcel"})
    assert added.status_code == 302, added.content
    with Captured() as captured:
        page = client.get(reverse("nps-dashboard"), {"survey": survey.slug})
    assert page.status_code == 200
    return added, captured


def test_after_a_write_the_browsers_next_report_reads_the_primary(client, answered):
    boss = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    added, captured = _write_then_dashboard(client, answered, boss)
    pin = added.cookies[PIN_COOKIE]
    assert pin["max-age"] == 5
    assert pin["httponly"]
    assert captured.reads_of("default", "surveys_response")
    assert not captured.reads_of(REPLICA, "surveys_response")


def test_the_pin_ends_after_its_seconds(client, answered):
    boss = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    client.force_login(boss)
    client.post(reverse("admin:followups_rootcause_add"), {"name": "Late parcel"})
    with time_machine.travel(timezone.now() + timedelta(seconds=6)), Captured() as captured:
        client.get(reverse("nps-dashboard"), {"survey": answered.slug})
    assert captured.reads_of(REPLICA, "surveys_response")
    assert not captured.reads_of("default", "surveys_response")


def test_a_forged_or_stale_pin_cookie_is_read_as_no_pin(client, answered, boss):
    client.force_login(boss)
    for value in ("not-a-time", str(int(time.time()) - 1)):
        client.cookies[PIN_COOKIE] = value
        with Captured() as captured:
            client.get(reverse("nps-dashboard"), {"survey": answered.slug})
        assert captured.reads_of(REPLICA, "surveys_response"), value


def test_a_report_that_only_reads_sets_no_pin(client, answered, boss):
    client.force_login(boss)
    page = client.get(reverse("nps-dashboard"), {"survey": answered.slug})
    assert PIN_COOKIE not in page.cookies


def test_no_pin_when_the_setting_is_zero(client, answered, settings):
    settings.NPS_REPLICA_PIN_SECONDS = 0
    boss = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    added, captured = _write_then_dashboard(client, answered, boss)
    assert PIN_COOKIE not in added.cookies
    assert captured.reads_of(REPLICA, "surveys_response")


def test_the_nps_report_api_reads_the_replica(answered, boss):
    client = client_with(key_for(boss, ApiScope.REPORTS_READ))
    with Captured() as captured:
        reply = client.get(f"/api/v1/surveys/{answered.slug}/nps/")
    assert reply.status_code == 200, reply.content
    assert reply.json()["total"] == 5
    assert captured.reads_of(REPLICA, "surveys_response")
    assert not captured.reads_of("default", "surveys_response")
    # The key is checked (and its last use recorded) on the primary.
    assert captured.reads_of("default", "surveys_apikey")
    assert not captured.reads_of(REPLICA, "surveys_apikey")


def test_the_kpi_api_reads_the_replica(answered, boss):
    client = client_with(key_for(boss, ApiScope.REPORTS_READ))
    with Captured() as captured:
        reply = client.get("/api/v1/reports/kpis/", {"survey": answered.slug})
    assert reply.status_code == 200, reply.content
    assert reply.json()["cases"] == 1
    assert captured.reads_of(REPLICA, "followups_followupcase")
    assert not captured.reads_of("default", "followups_followupcase")


def _streamed(reply) -> str:
    return b"".join(reply.streaming_content).decode()


@pytest.mark.parametrize(
    ("path", "table", "rows"),
    [
        ("/api/v1/responses/export/", "surveys_response", 5),
        ("/api/v1/cases/export/", "followups_followupcase", 1),
    ],
)
def test_an_api_export_streams_from_the_replica_and_audits_on_the_primary(
    answered, boss, path, table, rows
):
    client = client_with(key_for(boss, ApiScope.REPORTS_READ, ApiScope.CASES_READ))
    with Captured() as captured:
        reply = client.get(path)
        text = _streamed(reply)
    assert reply.status_code == 200
    assert len(text.splitlines()) == rows + 1
    assert captured.reads_of(REPLICA, table)
    assert not captured.reads_of("default", table)
    assert any("surveys_auditevent" in s for s in captured.default_writes())
    assert captured.replica_writes() == []


def test_the_admin_export_streams_from_the_replica(client, answered):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    with Captured() as captured:
        reply = client.get(reverse("admin:surveys_response_export"))
        text = _streamed(reply)
    assert reply.status_code == 200
    assert len(text.splitlines()) == 6
    assert captured.reads_of(REPLICA, "surveys_response")
    assert not captured.reads_of("default", "surveys_response")
    assert any("surveys_auditevent" in s for s in captured.default_writes())


def test_the_report_command_reads_the_replica(answered, capsys):
    with Captured() as captured:
        call_command("nps_report", answered.slug, "--by", "month")
    assert "total" in capsys.readouterr().out
    assert captured.reads_of(REPLICA, "surveys_response")
    assert not captured.reads_of("default", "surveys_response")


def test_routing_and_recording_never_touch_the_replica(answered):
    from surveys import services

    with Captured() as captured:
        recorded = services.response_record(survey=answered, customer=CustomerFactory(), score=1)
    assert captured.replica.captured_queries == []
    # Routed on the primary: the detractor's case exists (the coalesced run
    # may route the fixture's other recent answers too).
    assert FollowUpCase.objects.filter(response=recorded.response).exists()

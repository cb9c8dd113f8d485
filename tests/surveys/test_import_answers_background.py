"""An answer import run by a real worker on real Redis and PostgreSQL, with a
real SMTP server listening: the history is imported and nothing is sent for
it, while a live answer recorded next to it is routed and emailed as usual."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
from followups.sweep import lost_work_sweep
from followups.tasks import responses_route_task
from surveys import services
from surveys.models import AnswerImport, Response
from tests.factories import CustomerFactory, SurveyFactory, manager
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

EXPORT = (Path(__file__).parent / "data" / "delighted_export.csv").read_bytes()


@pytest.fixture
def worker(redis_broker, smtp):
    process = WorkerProcess(broker_url=redis_broker, email_url=smtp.url).start()
    yield process
    process.stop()


def test_an_import_sends_nothing_even_with_a_real_worker_running(worker, smtp, client, settings):
    survey = SurveyFactory(slug="delighted-nps")
    client.force_login(manager("boss"))
    preview = client.post(
        reverse("admin:surveys_response_import"),
        {
            "file": SimpleUploadedFile("export.csv", EXPORT, content_type="text/csv"),
            "format": "delighted",
            "survey": survey.pk,
        },
    )
    client.post(preview["Location"], {"import": "Import"})
    wait_for(
        lambda: AnswerImport.objects.get().is_finished,
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    assert AnswerImport.objects.get().answers_created == 5
    history = list(Response.objects.values_list("pk", flat=True))

    # Everything that could route them, asked to: the routing task by hand,
    # the sweeper past its grace time; and one live answer as the control.
    responses_route_task.delay(history)
    settings.NPS_SWEEP_GRACE_SECONDS = 0
    lost_work_sweep()
    live = services.response_record(
        survey=survey, customer=CustomerFactory(email="live@example.com"), score=2
    ).response
    wait_for(
        lambda: OutboundMessage.objects.filter(status="sent").exists(),
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )

    assert [m["To"] for m in smtp.handler.messages] == ["live@example.com"]
    assert list(FollowUpCase.objects.values_list("response_id", flat=True)) == [live.pk]
    assert not OfferGrant.objects.exists() and not RewardGrant.objects.exists()
    assert not OutboundMessage.objects.filter(response_id__in=history).exists()

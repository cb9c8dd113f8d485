"""A survey wave in chunks: a scheduler splits the customers by primary-key
range and publishes one small task per chunk; the rows say what is left, so a
lost message or a killed worker leaves nothing unsent and nobody asked twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from followups.invitations.waves import wave_chunk_send, wave_schedule, wave_start
from followups.models import OutboundMessage
from followups.sweep import lost_work_sweep
from surveys.models import Invitation, Wave, WaveChunk
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(slug="nps", throttle_days=30)


def start_wave(survey, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        wave = wave_start(survey=survey, **kwargs)
    wave.refresh_from_db()
    return wave


def per_customer(model, **filters) -> dict[int, int]:
    rows = model.objects.filter(**filters).values("customer").annotate(n=Count("pk"))
    return {row["customer"]: row["n"] for row in rows}


def test_a_wave_in_chunks_invites_and_emails_each_due_customer_once(survey, settings, mailoutbox):
    settings.NPS_WAVE_CHUNK_SIZE = 3
    due = CustomerFactory.create_batch(7)
    CustomerFactory(unsubscribed_at=timezone.now())
    asked_last_week = CustomerFactory()
    InvitationFactory(survey=survey, customer=asked_last_week)
    wave = start_wave(survey)
    # 8 reachable customers (the unsubscribed one is not walked), 3 a chunk.
    assert (wave.chunk_count, wave.chunks_done, wave.invited) == (3, 3, 7)
    assert wave.finished_at is not None
    # The last chunk holds the last due customer and the one asked last week.
    invited = WaveChunk.objects.order_by("number").values_list("invited", flat=True)
    assert list(invited) == [3, 3, 1]
    assert per_customer(Invitation, wave=wave) == {c.pk: 1 for c in due}
    assert per_customer(OutboundMessage, template="invitation", status="sent") == {
        c.pk: 1 for c in due
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in due)


def test_chunks_cover_the_customers_by_primary_key_range_without_gaps(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE = 2
    customers = CustomerFactory.create_batch(5)
    with TestCase.captureOnCommitCallbacks(execute=False):  # nothing published
        wave = wave_start(survey=survey)
    wave_schedule(wave_id=wave.pk)
    ranges = list(
        WaveChunk.objects.filter(wave=wave)
        .order_by("number")
        .values_list("first_customer_id", "last_customer_id")
    )
    pks = [c.pk for c in customers]
    assert ranges == [(pks[0], pks[2] - 1), (pks[2], pks[4] - 1), (pks[4], pks[4])]
    assert not Invitation.objects.exists()


def test_a_wave_of_one_segment_invites_only_that_segment(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE = 2
    smb = CustomerFactory.create_batch(3, segment="smb")
    CustomerFactory.create_batch(2, segment="enterprise")
    wave = start_wave(survey, segment="smb")
    assert per_customer(Invitation) == {c.pk: 1 for c in smb}
    assert (wave.chunk_count, wave.invited) == (2, 3)


def test_a_chunk_delivered_again_after_it_finished_invites_nobody_twice(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE = 2
    CustomerFactory.create_batch(3)
    wave = start_wave(survey)
    chunk = WaveChunk.objects.filter(wave=wave).first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_chunk_send(chunk_id=chunk.pk) == 0
    # Even with its row reset, the throttle finds whom this wave already asked.
    WaveChunk.objects.filter(pk=chunk.pk).update(done_at=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_chunk_send(chunk_id=chunk.pk) == 0
    assert Invitation.objects.count() == 3
    assert OutboundMessage.objects.count() == 3


def test_one_invitation_per_customer_per_wave_is_a_database_constraint(survey):
    customer = CustomerFactory()
    wave = Wave.objects.create(survey=survey)
    InvitationFactory(survey=survey, customer=customer, wave=wave)
    with pytest.raises(IntegrityError):
        InvitationFactory(survey=survey, customer=customer, wave=wave)


def test_a_wave_of_nobody_is_finished_at_once(survey):
    wave = start_wave(survey)
    assert (wave.chunk_count, wave.invited) == (0, 0)
    assert wave.finished_at is not None


def test_only_an_active_survey_starts_a_wave(survey):
    survey.status = survey.Status.PAUSED
    survey.save()
    with pytest.raises(ValueError, match="only an active survey"):
        wave_start(survey=survey)
    assert not Wave.objects.exists()


def test_the_sweeper_publishes_again_the_chunks_of_a_wave_that_stopped(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE, settings.NPS_SWEEP_GRACE_SECONDS = 2, 30
    customers = CustomerFactory.create_batch(5)
    with TestCase.captureOnCommitCallbacks(execute=False):  # every chunk message lost
        wave = wave_start(survey=survey)
        wave_schedule(wave_id=wave.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        wave_chunk_send(chunk_id=WaveChunk.objects.get(wave=wave, number=0).pk)
    wave.refresh_from_db()
    assert (wave.chunks_done, wave.chunk_count) == (1, 3)
    now = timezone.now()
    # Progress within the grace time: the rest is presumably still queued.
    assert lost_work_sweep(now=now + timedelta(seconds=10)).waves == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert lost_work_sweep(now=now + timedelta(seconds=31)).waves == 2
    wave.refresh_from_db()
    assert (wave.chunks_done, wave.invited) == (3, 5)
    assert wave.finished_at is not None
    assert per_customer(Invitation, wave=wave) == {c.pk: 1 for c in customers}
    # Re-published once per grace time, and never once finished.
    assert lost_work_sweep(now=now + timedelta(seconds=200)).waves == 0


def test_the_sweeper_schedules_a_wave_whose_scheduler_message_was_lost(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE, settings.NPS_SWEEP_GRACE_SECONDS = 2, 30
    CustomerFactory.create_batch(3)
    with TestCase.captureOnCommitCallbacks(execute=False):
        wave = wave_start(survey=survey)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert lost_work_sweep(now=timezone.now() + timedelta(seconds=31)).waves == 1
    wave.refresh_from_db()
    assert (wave.chunk_count, wave.chunks_done, wave.invited) == (2, 2, 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_chunk_run_twice_at_once_gives_one_invitation_and_one_email_per_customer(settings):
    settings.NPS_WAVE_CHUNK_SIZE = 50
    survey = SurveyFactory()
    customers = CustomerFactory.create_batch(40)
    # A wave split into one chunk, whose message is delivered twice at once.
    wave = Wave.objects.create(survey=survey, scheduled_at=timezone.now(), chunk_count=1)
    chunk = WaveChunk.objects.create(
        wave=wave, number=0, first_customer_id=customers[0].pk, last_customer_id=customers[-1].pk
    )
    barrier = threading.Barrier(2)
    invited, errors = [], []

    def run():
        try:
            barrier.wait()
            invited.append(wave_chunk_send(chunk_id=chunk.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(invited) == [0, 40]
    assert per_customer(Invitation) == {c.pk: 1 for c in customers}
    assert per_customer(OutboundMessage) == {c.pk: 1 for c in customers}
    wave.refresh_from_db()
    assert (wave.chunks_done, wave.invited) == (1, 40)

"""What ``followups.publish`` hands to the broker: the task by its registered
name, its arguments, and the text monitoring shows for them."""

from __future__ import annotations

import pytest
from celery import current_app
from celery.canvas import Signature
from celery.utils.saferepr import saferepr

from followups import publish


@pytest.fixture
def sent(monkeypatch):
    """What would be published, instead of publishing (tests run tasks eagerly)."""
    calls = []

    def apply_async(signature, **options):
        calls.append((signature.task, signature.args, options))

    monkeypatch.setattr(Signature, "apply_async", apply_async)
    return calls


def test_a_batch_of_ids_is_shown_as_celery_would_show_it(sent):
    ids = list(range(10_000, 10_100))
    publish.task_publish(publish.ROUTE_RESPONSES, ids)

    [(name, args, options)] = sent
    assert (name, tuple(args)) == (publish.ROUTE_RESPONSES, (ids,))
    assert options["argsrepr"] == saferepr((ids,), current_app.amqp.argsrepr_maxsize)


def test_arguments_beyond_the_size_limit_are_left_to_celery_to_shorten(sent):
    publish.task_publish(publish.ROUTE_RESPONSES, list(range(100_000, 101_000)))

    [(_name, _args, options)] = sent
    assert options["argsrepr"] is None


def test_routing_is_published_in_batches_of_the_configured_size(sent, settings):
    settings.NPS_ROUTING_BATCH_SIZE = 40
    publish.responses_route_later(response_ids=list(range(1, 101)))

    assert [len(args[0]) for _name, args, _options in sent] == [40, 40, 20]


@pytest.fixture
def queued(sent, celery_conf, monkeypatch):
    """Publishing as with a real broker (not eagerly), with no routing run
    pending in this process, at a clock the test moves."""
    celery_conf(task_always_eager=False)
    monkeypatch.setattr(publish._RoutingRun, "starts_at", 0.0)
    clock = [1_000_000.0]
    monkeypatch.setattr(publish.time, "time", lambda: clock[0])
    return clock


def test_single_answers_handed_over_within_the_coalescing_time_share_one_run(
    queued, sent, settings
):
    from followups.handoff import enqueue_routing

    settings.NPS_ROUTING_COALESCE_SECONDS = 0.25
    for response_id in range(1, 21):
        enqueue_routing([response_id])
        queued[0] += 0.009  # twenty answers in 0.18 s

    [(name, args, options)] = sent
    assert (name, tuple(args)) == (publish.ROUTE_RECENT, (1_000_000.0,))
    assert options["countdown"] == 0.25
    # Once that run may have started, the next answer publishes the next run.
    queued[0] = 1_000_000.0 + 0.25 - publish.CLOCK_MARGIN_SECONDS
    enqueue_routing([21])
    assert [(name, tuple(args)) for name, args, _ in sent][1] == (
        publish.ROUTE_RECENT,
        (queued[0],),
    )


def test_a_refused_run_is_published_again_by_the_next_answer(queued, sent, monkeypatch):
    real = Signature.apply_async
    monkeypatch.setattr(
        Signature, "apply_async", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down"))
    )
    with pytest.raises(ConnectionError):
        publish.routing_run_request()
    assert publish._RoutingRun.starts_at == 0.0  # nothing counts as pending
    monkeypatch.setattr(Signature, "apply_async", real)
    publish.routing_run_request()
    assert [name for name, _args, _options in sent] == [publish.ROUTE_RECENT]


def test_a_full_batch_is_still_published_as_its_ids(queued, sent, settings):
    from followups.handoff import enqueue_routing

    settings.NPS_ROUTING_BATCH_SIZE = 10
    enqueue_routing(list(range(1, 26)))

    assert [(name, len(args[0])) for name, args, _options in sent] == [
        (publish.ROUTE_RESPONSES, 10),
        (publish.ROUTE_RESPONSES, 10),
        (publish.ROUTE_RESPONSES, 5),
    ]


def test_in_process_tasks_get_one_run_per_answer_without_a_countdown(sent, settings):
    from followups.handoff import enqueue_routing

    for response_id in (1, 2):
        enqueue_routing([response_id])  # tests run tasks eagerly, as the embedded mode does
    assert [(name, options["countdown"]) for name, _args, options in sent] == [
        (publish.ROUTE_RECENT, None),
        (publish.ROUTE_RECENT, None),
    ]

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

"""RabbitMQ's queues: what a message over the delivery limit becomes."""

from __future__ import annotations

import time

import pytest
from kombu import Connection, Exchange, Queue

from nps_project.brokers import (
    DELIVERY_LIMIT,
    PARKING_EXCHANGE,
    PARKING_QUEUE,
    amqp_parking_declare,
    amqp_parking_queue,
    amqp_queues,
)
from tests.conftest import AMQP_BROKER_URL


def test_every_work_queue_dead_letters_to_the_parking_exchange_at_least_once():
    for queue in amqp_queues():
        assert queue.queue_arguments == {
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": PARKING_EXCHANGE,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }


def test_the_parking_queue_is_a_quorum_queue_on_a_fanout_exchange_without_dead_letters():
    parking = amqp_parking_queue()
    assert parking.name == PARKING_QUEUE
    assert (parking.exchange.name, parking.exchange.type) == (PARKING_EXCHANGE, "fanout")
    assert parking.queue_arguments == {"x-queue-type": "quorum"}


def test_the_parking_queue_is_not_among_the_work_queues_a_worker_reads():
    assert PARKING_QUEUE not in {queue.name for queue in amqp_queues()}


@pytest.mark.amqp
def test_a_message_rejected_by_a_work_queue_is_parked_not_dropped():
    # RabbitMQ accepts these arguments together, and dead-letters to parking.
    name = "test-dead-lettered"
    [template] = amqp_queues()[:1]
    with Connection(AMQP_BROKER_URL, connect_timeout=2) as connection:
        channel = connection.default_channel
        channel.queue_delete(name)
        channel.queue_delete(PARKING_QUEUE)
        amqp_parking_declare(connection)
        work = Queue(
            name,
            Exchange("test-nps", type="topic"),
            routing_key=name,
            durable=True,
            queue_arguments=template.queue_arguments,
        )(channel)
        work.declare()
        producer = connection.Producer(channel)
        producer.publish({"task": "poison"}, exchange="test-nps", routing_key=name)
        message = _got(work, no_ack=False)
        message.reject(requeue=False)
        parked = _got(amqp_parking_queue()(channel), no_ack=True)
        channel.queue_delete(name)
        channel.queue_delete(PARKING_QUEUE)
    assert parked.payload == {"task": "poison"}
    assert parked.headers["x-death"][0]["queue"] == name


def _got(queue, *, no_ack: bool):
    """The queue's next message; a publish or a dead-lettering is handed
    over asynchronously, so it may take a few polls."""
    for _ in range(100):
        message = queue.get(no_ack=no_ack)
        if message is not None:
            return message
        time.sleep(0.05)
    raise AssertionError(f"nothing arrived in {queue.name}")

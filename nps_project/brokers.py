"""The Celery settings that depend on which broker CELERY_BROKER_URL names.

Redis is the default. RabbitMQ (``amqp://``) is the broker to choose where
durability matters more than the last bit of speed; for it:

- every queue (routing, email, default) is a quorum queue: replicated on the
  cluster's nodes, durable, and with a delivery limit that drops a message
  which keeps killing its worker instead of redelivering it forever (the
  sweeper still has its rows). Such a message, or one rejected, is not
  dropped: it is dead-lettered (at-least-once) to the ``nps.parked``
  exchange and kept in the ``parking`` quorum queue, which no worker
  consumes (``amqp_parking_declare``, at worker start); README "Beyond one
  machine" says how to inspect it;
- publisher confirms: ``apply_async`` returns once RabbitMQ has the message,
  so an answer's routing task is not lost in a socket buffer when the broker
  dies (the sweeper still catches anything that was not confirmed);
- countdowns (email retries with backoff, routing retries) go through
  RabbitMQ's own delayed delivery (Celery's native delayed delivery: a chain
  of TTL queues under the ``celery_delayed_27`` exchange). Quorum queues have
  no global prefetch, so a worker must not hold far-off ETA messages in
  memory; the queues are bound to a topic exchange, which the delayed
  delivery needs (Celery refuses to delay through a direct exchange);
- ``acks_late`` and ``reject_on_worker_lost`` (set for every broker): a
  message goes back to the queue when its worker dies under it.

Nothing here imports Django: the settings module and the tests use it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kombu import Exchange, Queue

AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})
EXCHANGE = "nps"
QUEUES = ("routing", "email", "default")
# A message redelivered this many times (its worker died under it each time)
# is dropped instead of killing workers forever; the rows stay in the
# database, and the sweeper publishes their work again.
DELIVERY_LIMIT = 20
PARKING_EXCHANGE = "nps.parked"
PARKING_QUEUE = "parking"
QUORUM = {
    "x-queue-type": "quorum",
    "x-delivery-limit": DELIVERY_LIMIT,
    # Over the limit (or rejected): parked, never dropped silently. RabbitMQ
    # dead-letters at-least-once only from a queue that rejects publishes
    # when full rather than dropping its oldest message.
    "x-dead-letter-exchange": PARKING_EXCHANGE,
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}
# The transport options that say how a publish retries a lost connection:
# kombu reads them for every transport (the others are Redis's own).
PUBLISH_RETRY = frozenset({"max_retries", "interval_start", "interval_step", "interval_max"})


def is_amqp(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in AMQP_SCHEMES


def amqp_queues() -> list[Queue]:
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    return [
        Queue(name, exchange, routing_key=name, durable=True, queue_arguments=dict(QUORUM))
        for name in QUEUES
    ]


def amqp_parking_queue() -> Queue:
    """Where dead-lettered messages wait to be inspected: a fanout exchange
    (a message keeps its routing key) and a quorum queue without a dead
    letter of its own."""
    return Queue(
        PARKING_QUEUE,
        Exchange(PARKING_EXCHANGE, type="fanout", durable=True),
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def amqp_parking_declare(connection) -> None:
    """Declare the parking exchange and queue on ``connection`` (kombu)."""
    amqp_parking_queue()(connection.default_channel).declare()


def amqp_options(transport_options: dict) -> dict:
    """Celery's settings (lower case, no CELERY_ prefix) for RabbitMQ, with
    the publish retries of ``transport_options`` (the Redis ones)."""
    retry = {k: v for k, v in transport_options.items() if k in PUBLISH_RETRY}
    return {
        "task_queues": amqp_queues(),
        "task_default_queue": "default",
        "task_default_exchange": EXCHANGE,
        "task_default_exchange_type": "topic",
        "task_default_routing_key": "default",
        "task_default_queue_type": "quorum",
        "task_create_missing_queue_type": "quorum",
        "task_create_missing_queue_exchange_type": "topic",
        "worker_detect_quorum_queues": True,
        "broker_native_delayed_delivery_queue_type": "quorum",
        "broker_transport_options": {**retry, "confirm_publish": True},
        # Fail fast when RabbitMQ is down, as for Redis: the sweeper publishes later.
        "broker_connection_timeout": 2,
    }

"""Webhooks: the events a receiver can subscribe to, their payloads, the
endpoints, and putting each event into the outbox once per endpoint wanting it.
(Delivery is the outbox's: ``followups.outbox.transports.webhook``.)"""

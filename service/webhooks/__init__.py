"""Webhooks: partners' endpoints, and the worker that delivers outbox events to them, signed."""

"""Idempotency keys: a retried POST replays its stored response instead of acting twice."""

"""The smoke scenario of issue #20, once per client (sync, async, TypeScript), against the
live service: create with a key, replay it, get, list every page, cancel, a typed 404, a 422
with its field errors, and the webhooks the service signed for it unwrapped."""

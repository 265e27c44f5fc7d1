"""The hostile-input suite's parts (the tests are tests/long/test_hostile*.py).

operations  the operations, read from spec/openapi.yaml (never listed by hand)
world       customers A (the caller) and B (the victim), seeded through the API
tokens      valid and forged bearer tokens (alg none, HS/RS confusion, expired ...)
values      hostile values by kind: injections, path segments, numbers, bodies
template    a valid request per operation, and the expectation of a changed one
corpus      the hand-picked families: path, query, cursor, cross-customer, bodies
messages    the families that attack headers, tokens and framing
strategies  Hypothesis: one part of a valid request replaced by generated junk
wire        a raw HTTP/1.1 client that sends exactly the bytes a case holds
checker     every promise a response keeps, one message per broken promise
runner      sends, checks and counts (cases per operation, family, status)
suite       the corpus and Hypothesis over every operation; the known issues
server      the real uvicorn server under attack, with the world seeded in it
fakes       a made-up world and a misbehaving raw server, for the harness's tests
"""

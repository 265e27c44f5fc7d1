"""The attack suite (make test-long): every attack asserts the refusal it must get, by status and
problem type, never a 5xx, never the other customer's data. Traffic goes to 127.0.0.1 only.

refusal          the expected refusals, the check of a response, the figures per family
test_jwt         forged, stale and confused bearer tokens, in process for every algorithm and
                 through the API on HS256 and RS256 servers
test_bola        customer B on every operation of the spec with A's ids and cursors
test_mass_assignment  read-only and internal fields in every create body
test_idempotency B reusing A's Idempotency-Key
ssrf             every spelling of a private address, for the tests below
test_ssrf        the webhook URL policy: in process, at delivery, and through the API in production
"""

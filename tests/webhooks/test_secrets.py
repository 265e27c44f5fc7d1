"""Signing secrets: sealed at rest, rotated with an overlap, rekeyed, and their settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from service.kit.db import Sql
from service.kit.settings import Settings
from service.webhooks.records import StoredSecrets
from service.webhooks.rekey import rekey
from service.webhooks.secrets import SecretBox, SecretUnreadable, new_key
from service.webhooks.signing import new_secret
from tests.webhooks.conftest import eventually

_STORED = Sql.portable(
    "SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints "
    "WHERE id = $1"
)
_SET_SECRET = Sql.portable("UPDATE webhook_endpoints SET secret = $2 WHERE id = $1")


async def stored(database, endpoint_id):
    async with database.transaction(write=False) as session:
        return await session.fetch_one(_STORED, uuid.UUID(endpoint_id))


async def rotate(client, auth, customer, endpoint_id, **body):
    return await client.post(
        f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        headers=auth(customer),
        **({"json": body} if body else {}),
    )


def box(settings: Settings) -> SecretBox:
    return SecretBox(settings.webhooks_secret_key_values)


def verifies(secret: str, request) -> bool:
    try:
        Webhook(secret).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


async def test_the_database_holds_the_secret_sealed_never_plain(
    register, customer, hook, database, settings
):
    endpoint = await register(customer, hook())
    row = await stored(database, endpoint["id"])

    assert endpoint["secret"] not in row["secret"]
    assert not row["secret"].startswith("whsec_")
    assert box(settings).open(row["secret"]) == endpoint["secret"]
    with pytest.raises(SecretUnreadable, match="none of HARBOR_WEBHOOKS_SECRET_KEYS"):
        SecretBox([new_key()]).open(row["secret"])


async def test_a_secret_no_key_opens_fails_its_attempts_and_reaches_no_receiver(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    endpoint = await register(customer, hook())
    await create_order(customer)

    async with running_worker(webhooks_secret_keys=new_key(), webhooks_max_attempts=1):

        async def failed():
            response = await client.get(
                f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=auth(customer)
            )
            found = response.json()["data"]
            return found if found and found[0]["status"] == "failed" else None

        (delivery,) = await eventually(failed)

    assert delivery["last_error"].startswith("not sent: the stored webhook secret opens with none")
    assert receiver.at(hook()) == []


async def test_rotation_shows_a_new_secret_once_and_both_sign_during_the_overlap(
    client, auth, customer, create_order, register, receiver, hook, running_worker, database
):
    endpoint = await register(customer, hook())
    before = datetime.now(UTC)
    response = await rotate(client, auth, customer, endpoint["id"])

    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["endpoint_id"] == endpoint["id"]
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]
    expires = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    assert before + timedelta(days=1) <= expires <= datetime.now(UTC) + timedelta(days=1)
    shown = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(customer))
    assert "secret" not in shown.text
    row = await stored(database, endpoint["id"])
    assert (
        rotated["secret"] not in row["secret"] and endpoint["secret"] not in row["previous_secret"]
    )

    await create_order(customer)
    async with running_worker():
        (request,) = await receiver.wait_for(hook(), 1)

    assert len(request.headers["webhook-signature"].split()) == 2
    assert verifies(rotated["secret"], request)
    assert verifies(endpoint["secret"], request)
    assert not verifies(new_secret(), request)


async def test_once_the_overlap_ends_only_the_new_secret_signs(
    client, auth, customer, create_order, register, receiver, hook, running_worker, database
):
    endpoint = await register(customer, hook())
    rotated = (await rotate(client, auth, customer, endpoint["id"])).json()
    # The overlap's end, as if a day had passed.
    async with database.transaction(write=True) as session:
        await session.execute(
            Sql.portable(
                "UPDATE webhook_endpoints SET previous_secret_expires_at = $2 WHERE id = $1"
            ),
            uuid.UUID(endpoint["id"]),
            datetime.now(UTC) - timedelta(seconds=1),
        )

    await create_order(customer)
    async with running_worker():
        (request,) = await receiver.wait_for(hook(), 1)

    assert len(request.headers["webhook-signature"].split()) == 1
    assert verifies(rotated["secret"], request)
    assert not verifies(endpoint["secret"], request)


async def test_a_rotation_without_overlap_stops_the_old_secret_at_once(
    client, auth, customer, create_order, register, receiver, hook, running_worker, database
):
    endpoint = await register(customer, hook())
    first = (await rotate(client, auth, customer, endpoint["id"])).json()
    response = await rotate(client, auth, customer, endpoint["id"], previous_secret_valid_seconds=0)

    assert response.status_code == 200, response.text
    leaked = response.json()
    assert leaked["previous_secret_expires_at"] is None
    row = await stored(database, endpoint["id"])
    assert (row["previous_secret"], row["previous_secret_expires_at"]) == (None, None)

    await create_order(customer)
    async with running_worker():
        (request,) = await receiver.wait_for(hook(), 1)

    assert verifies(leaked["secret"], request)
    assert not verifies(first["secret"], request)
    assert not verifies(endpoint["secret"], request)


async def test_a_second_rotation_keeps_only_the_newest_two(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    endpoint = await register(customer, hook())
    first = (await rotate(client, auth, customer, endpoint["id"])).json()
    second = (await rotate(client, auth, customer, endpoint["id"])).json()

    await create_order(customer)
    async with running_worker():
        (request,) = await receiver.wait_for(hook(), 1)

    assert verifies(second["secret"], request) and verifies(first["secret"], request)
    assert not verifies(endpoint["secret"], request)


@pytest.mark.parametrize(
    "body", [{"previous_secret_valid_seconds": -1}, {"previous_secret_valid_seconds": 604801}]
)
async def test_an_overlap_out_of_range_is_422_and_rotates_nothing(
    client, auth, customer, register, hook, database, body
):
    endpoint = await register(customer, hook())
    before = await stored(database, endpoint["id"])
    response = await rotate(client, auth, customer, endpoint["id"], **body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await stored(database, endpoint["id"]) == before


async def test_another_customers_endpoint_or_an_unknown_one_is_404_and_rotates_nothing(
    client, auth, customer, register, hook, database
):
    endpoint = await register(customer, hook())
    before = await stored(database, endpoint["id"])

    theirs = await rotate(client, auth, customer + "_other", endpoint["id"])
    unknown = await rotate(client, auth, customer, str(uuid.uuid4()))

    assert (theirs.status_code, unknown.status_code) == (404, 404)
    assert theirs.json()["type"] == unknown.json()["type"]
    assert await stored(database, endpoint["id"]) == before


async def test_rekey_seals_old_and_plain_secrets_under_the_first_key_and_unseal_undoes_it(
    client, auth, customer, register, hook, database, units, settings
):
    kept = await register(customer, hook())
    rotated = await register(customer, hook())
    new = (await rotate(client, auth, customer, rotated["id"])).json()
    legacy = await register(customer, hook())
    plain = new_secret()  # a row from before secrets were sealed
    async with database.transaction(write=True) as session:
        await session.execute(_SET_SECRET, uuid.UUID(legacy["id"]), plain)

    fresh = new_key()
    rekeyed = SecretBox([fresh, *settings.webhooks_secret_key_values])
    only_fresh = SecretBox([fresh])
    try:
        report = await rekey(units, rekeyed)

        assert report.rewritten >= 3 and report.missed == 0
        assert only_fresh.open((await stored(database, kept["id"]))["secret"]) == kept["secret"]
        row = await stored(database, rotated["id"])
        assert only_fresh.open(row["secret"]) == new["secret"]
        assert only_fresh.open(row["previous_secret"]) == rotated["secret"]
        assert only_fresh.open((await stored(database, legacy["id"]))["secret"]) == plain
        again = await rekey(units, rekeyed)
        assert again.rewritten == 0 and again.unchanged >= 3

        await rekey(units, rekeyed, unseal=True)
        assert (await stored(database, legacy["id"]))["secret"] == plain
        assert (await stored(database, kept["id"]))["secret"] == kept["secret"]
    finally:
        # The session's other tests run with the settings' keys only: seal every row under them.
        await rekey(units, SecretBox([*settings.webhooks_secret_key_values, fresh]))


async def test_rekey_writes_nothing_over_a_rotation_that_came_in_between(
    customer, register, hook, database, units, settings
):
    endpoint = await register(customer, hook())
    row = await stored(database, endpoint["id"])
    was = StoredSecrets(uuid.UUID(endpoint["id"]), row["secret"], row["previous_secret"])
    async with units(write=True) as unit:
        await unit.webhook_secrets.rotate(
            was.id, customer, secret=box(settings).seal(new_secret()), previous_expires_at=None
        )
        stale = StoredSecrets(was.id, box(settings).seal(endpoint["secret"]), None)
        assert await unit.webhook_secrets.reseal(was, stale) is False


def test_the_key_settings_refuse_what_cannot_seal():
    with pytest.raises(ValidationError, match="key 2 is not a Fernet key"):
        Settings(environment="test", webhooks_secret_keys=f"{new_key()},not-a-key")
    with pytest.raises(ValidationError, match="HARBOR_WEBHOOKS_SECRET_KEYS is empty"):
        Settings(environment="test", webhooks_secret_keys="")
    two = Settings(environment="test", webhooks_secret_keys=f"{new_key()}, {new_key()}")
    assert len(two.webhooks_secret_key_values) == 2

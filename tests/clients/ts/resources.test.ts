// Resource groups (client.orders.create) and withOptions, against a scripted fetch (no server).
import assert from "node:assert/strict";
import { test } from "node:test";

import { HarborClient, ServiceUnavailableError } from "../../../clients/typescript/src/index.js";
import { ORDER, json, scripted } from "./scripted.js";

test("a resource method sends what its flat method sends", async () => {
  const { client, seen } = scripted([json(200, ORDER)], { maxRetries: 0 });
  assert.deepEqual(await client.orders.get({ orderId: ORDER.id }), await client.getOrder({ orderId: ORDER.id }));
  assert.deepEqual(seen.map((r) => [r.method, r.url]), [["GET", `http://h.test/v1/orders/${ORDER.id}`], ["GET", `http://h.test/v1/orders/${ORDER.id}`]]);
  const created = await client.orders.create({ body: { customer_id: "c", amount_cents: 1, currency: "EUR" } });
  assert.equal(seen[2]!.method, "POST");
  assert.ok(seen[2]!.headers.get("Idempotency-Key"));
  assert.equal(created.data.id, ORDER.id);
  assert.equal(typeof client.webhooks.createEndpoint, "function");
});

test("withOptions makes a configured copy and leaves the original alone", async () => {
  const { client, seen } = scripted([json(503, {}), json(200, ORDER)], { maxRetries: 0 });
  const patient = client.withOptions({ maxRetries: 1, headers: { "X-Trace": "t" } });
  assert.ok(patient instanceof HarborClient && patient !== client);
  assert.equal((await patient.orders.get({ orderId: ORDER.id })).id, ORDER.id);
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.headers.get("X-Trace"), "t");
  seen.length = 0;
  const { client: strict, seen: strictSeen } = scripted([json(503, {})], { maxRetries: 0 });
  strict.withOptions({ maxRetries: 3 });
  await assert.rejects(strict.getOrder({ orderId: ORDER.id }), ServiceUnavailableError);
  assert.equal(strictSeen.length, 1);
  assert.equal(strictSeen[0]!.headers.get("X-Trace"), null);
});

test("each group has its own withRawResponse, the same as the client's for that group", async () => {
  const replayed = { "X-Request-ID": "req_1" };
  const { client, seen } = scripted([json(200, ORDER, replayed)], { maxRetries: 0 });
  const viaGroup = await client.orders.withRawResponse.create({ body: { customer_id: "c", amount_cents: 1, currency: "EUR" } });
  const viaClient = await client.withRawResponse.orders.create({ body: { customer_id: "c", amount_cents: 1, currency: "EUR" } });
  assert.deepEqual([viaGroup.status, viaGroup.requestId, viaGroup.data], [viaClient.status, viaClient.requestId, viaClient.data]);
  assert.deepEqual([viaGroup.status, viaGroup.requestId, viaGroup.data.id], [200, "req_1", ORDER.id]);
  const page = { data: [ORDER], next_cursor: null };
  const { client: lister } = scripted([json(200, page)], { maxRetries: 0 });
  const listed = await lister.withOptions({ maxRetries: 1 }).customers.orders.withRawResponse.list({ customerId: "c" });
  assert.deepEqual([listed.status, listed.data], [200, page]);
  assert.equal(seen.length, 2);
  // The types list a group's operations only: no paginators, no nested withRawResponse.
  // A paginator has no raw form: not in the types, and called through a cast it sends nothing.
  // @ts-expect-error not an operation
  const paginated = client.orders.withRawResponse.iterListCustomerOrders({ customerId: "c" });
  await assert.rejects(paginated, /sends no request/);
  assert.equal(seen.length, 2);
  // @ts-expect-error not an operation
  void client.orders.withRawResponse.withRawResponse;
});

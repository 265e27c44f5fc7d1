// Resource groups (client.orders.create) and withOptions, against a scripted fetch (no server).
import assert from "node:assert/strict";
import { test } from "node:test";

import { HarborClient, ServiceUnavailableError } from "../../../clients/typescript/src/index.js";

const ORDER = {
  id: "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f",
  customer_id: "cus_123",
  amount_cents: 1,
  currency: "EUR",
  status: "pending",
  statement_descriptor: null,
  metadata: {},
  payment_method: null,
  created_at: "2026-11-25T10:15:00Z",
  updated_at: "2026-11-25T10:15:00Z",
};

function scripted(answers: Response[]) {
  const seen: Request[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push(request);
    return answers[Math.min(seen.length, answers.length) - 1]!.clone();
  };
  const client = new HarborClient({ baseUrl: "http://h.test", token: "t", fetch, retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 2 } });
  return { client, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

test("a resource method sends what its flat method sends", async () => {
  const { client, seen } = scripted([json(200, ORDER)]);
  assert.deepEqual(await client.orders.get({ orderId: ORDER.id }), await client.getOrder({ orderId: ORDER.id }));
  assert.deepEqual(seen.map((r) => [r.method, r.url]), [["GET", `http://h.test/v1/orders/${ORDER.id}`], ["GET", `http://h.test/v1/orders/${ORDER.id}`]]);
  const created = await client.orders.create({ body: { customer_id: "c", amount_cents: 1, currency: "EUR" } });
  assert.equal(seen[2]!.method, "POST");
  assert.ok(seen[2]!.headers.get("Idempotency-Key"));
  assert.equal(created.data.id, ORDER.id);
  assert.equal(typeof client.webhooks.createEndpoint, "function");
});

test("withOptions makes a configured copy and leaves the original alone", async () => {
  const { client, seen } = scripted([json(503, {}), json(200, ORDER)]);
  const patient = client.withOptions({ maxRetries: 1, headers: { "X-Trace": "t" } });
  assert.ok(patient instanceof HarborClient && patient !== client);
  assert.equal((await patient.orders.get({ orderId: ORDER.id })).id, ORDER.id);
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.headers.get("X-Trace"), "t");
  seen.length = 0;
  const { client: strict, seen: strictSeen } = scripted([json(503, {})]);
  strict.withOptions({ maxRetries: 3 });
  await assert.rejects(strict.getOrder({ orderId: ORDER.id }), ServiceUnavailableError);
  assert.equal(strictSeen.length, 1);
  assert.equal(strictSeen[0]!.headers.get("X-Trace"), null);
});

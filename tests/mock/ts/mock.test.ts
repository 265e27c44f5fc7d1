// The generated TypeScript client against `harbor mock` (tests/mock/test_ts_client.py starts the
// mock and sets HARBOR_MOCK_URL and HARBOR_MOCK_TOKEN, a token shaped like the JWT the spec asks for).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  HarborClient,
  NotFoundError,
  UnauthorizedError,
  type Order,
} from "../../../clients/typescript/src/index.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this through tests/mock/test_ts_client.py`);
  return value;
}

const baseUrl = env("HARBOR_MOCK_URL");
const client = new HarborClient({ baseUrl, token: env("HARBOR_MOCK_TOKEN"), retry: { maxRetries: 0 } });
const body = { customer_id: "cus_123", amount_cents: 2599, currency: "EUR" };

test("create, get and list answer the spec's examples", async () => {
  const created = await client.orders.create({ body });
  assert.equal(created.status, 201);
  assert.equal(created.requestId, "01JDQ3M6Z4K8P2VN7C5X9H1B3T");
  assert.equal(created.headers.get("location"), `/v1/orders/${created.data.id}`);
  const fetched: Order = await client.orders.get({ orderId: created.data.id });
  assert.deepEqual(fetched, created.data);
  assert.equal(fetched.status, "pending");
  const page = await client.customers.orders.list({ customerId: "cus_123", limit: 10 });
  assert.deepEqual(page.data.map((order) => order.id), [created.data.id]);
  assert.equal(page.next_cursor, null);
  const walked: string[] = [];
  for await (const order of client.customers.orders.iterList({ customerId: "cus_123" })) walked.push(order.id);
  assert.deepEqual(walked, [created.data.id]);
});

test("Prefer: code=404 as a per-call header is a typed NotFoundError", async () => {
  await assert.rejects(
    client.orders.get({ orderId: "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f" }, { headers: { Prefer: "code=404" } }),
    (error: unknown) => {
      assert.ok(error instanceof NotFoundError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.title, "Not found");
      return true;
    },
  );
});

test("without a token the mock answers a typed UnauthorizedError", async () => {
  const anonymous = new HarborClient({ baseUrl, retry: { maxRetries: 0 } });
  await assert.rejects(anonymous.orders.get({ orderId: "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f" }), (error: unknown) => {
    assert.ok(error instanceof UnauthorizedError, String(error));
    assert.equal(error.status, 401);
    return true;
  });
});

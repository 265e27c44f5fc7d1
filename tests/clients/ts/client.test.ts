// The TypeScript client against the real service (make test-clients-ts starts it and sets
// HARBOR_TEST_URL, and HARBOR_TEST_CUSTOMER/TOKEN and HARBOR_TEST_LISTER/TOKEN: two customers).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import {
  ConflictError,
  HarborApiError,
  HarborClient,
  NotFoundError,
  UnauthorizedError,
  type Order,
  type OrderCreate,
} from "../../../clients/typescript/src/index.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the tests with make test-clients-ts`);
  return value;
}

const baseUrl = env("HARBOR_TEST_URL");
const customer = env("HARBOR_TEST_CUSTOMER");
const client = new HarborClient({ baseUrl, token: env("HARBOR_TEST_TOKEN"), retry: { initialDelayMs: 10 } });
const order = (amount: number): OrderCreate => ({ customer_id: customer, amount_cents: amount, currency: "EUR" });

test("create, then get the same order", async () => {
  const created = await client.createOrder({ body: order(2599) });
  assert.equal(created.status, 201);
  assert.ok(created.requestId);
  const fetched: Order = await client.getOrder({ orderId: created.data.id });
  assert.deepEqual(fetched, created.data);
});

test("an explicit idempotency key replays the order", async () => {
  const idempotencyKey = randomUUID();
  const first = await client.createOrder({ idempotencyKey, body: order(10) });
  const again = await client.createOrder({ idempotencyKey, body: order(10) });
  assert.deepEqual([first.status, again.status], [201, 200]);
  assert.equal(again.data.id, first.data.id);
});

test("the paginator walks every page", async () => {
  const other = env("HARBOR_TEST_LISTER"); // a customer no other test writes to
  const lister = new HarborClient({ baseUrl, token: env("HARBOR_TEST_LISTER_TOKEN") });
  const ids: string[] = [];
  for (let amount = 1; amount <= 5; amount++) {
    ids.push((await lister.createOrder({ body: { ...order(amount), customer_id: other } })).data.id);
  }
  const pages = [];
  for await (const page of lister.iterListCustomerOrders({ customerId: other, limit: 2 }).pages()) pages.push(page);
  assert.deepEqual(pages.map((page) => page.data.length), [2, 2, 1]);
  const walked: string[] = [];
  for await (const item of lister.iterListCustomerOrders({ customerId: other, limit: 2 })) walked.push(item.id);
  assert.deepEqual(walked, ids.reverse());
});

test("errors are typed, with the problem and the request id", async () => {
  const missing = randomUUID();
  await assert.rejects(client.getOrder({ orderId: missing }), (error: unknown) => {
    assert.ok(error instanceof NotFoundError && error instanceof HarborApiError);
    assert.equal(error.status, 404);
    assert.ok(error.title && error.detail?.includes(missing));
    assert.equal(error.requestId, error.response.headers.get("X-Request-ID"));
    assert.equal(error.problem["status"], 404);
    return true;
  });
  const created = await client.createOrder({ body: order(5) });
  await client.cancelOrder({ orderId: created.data.id });
  await assert.rejects(client.cancelOrder({ orderId: created.data.id }), ConflictError);
  const stranger = new HarborClient({ baseUrl, token: "not-a-jwt" });
  await assert.rejects(stranger.getOrder({ orderId: missing }), UnauthorizedError);
});

test("health needs no token", async () => {
  const anonymous = new HarborClient({ baseUrl });
  assert.deepEqual(await anonymous.getHealth(), { status: "ok" });
});

test("a 422 names its invalid fields, typed and in its message", async () => {
  const error = await client.createOrder({ body: { ...order(0), currency: "euro" } }).catch((e: unknown) => e);
  assert.ok(error instanceof HarborApiError);
  assert.equal(error.status, 422);
  const pointers = error.errors.map((e) => e.pointer).sort();
  assert.deepEqual(pointers, ["/amount_cents", "/currency"]);
  assert.ok(error.errors.every((e) => e.location === "body" && e.message.length > 0));
  assert.match(error.message, /\[body \/amount_cents: .+; body \/currency: .+\]|\[body \/currency: .+; body \/amount_cents: .+\]/);
});

test("a group's own withRawResponse: client.orders.withRawResponse.create / .get", async () => {
  const created = await client.orders.withRawResponse.create({ body: order(77) });
  assert.equal(created.status, 201);
  assert.equal(created.data.amount_cents, 77); // the Order, as through client.withRawResponse
  assert.equal(created.requestId, created.headers.get("X-Request-ID"));
  const got = await client.orders.withRawResponse.get({ orderId: created.data.id });
  assert.deepEqual([got.status, got.data], [200, created.data]);
  const page = await client.customers.orders.withRawResponse.list({ customerId: customer, limit: 1 });
  assert.equal(page.status, 200);
  assert.equal(page.data.data.length, 1);
  await assert.rejects(client.orders.withRawResponse.get({ orderId: randomUUID() }), NotFoundError);
});

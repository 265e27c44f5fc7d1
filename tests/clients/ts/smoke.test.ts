// The smoke scenario of issue #20 on the TypeScript client, against the live service and its
// webhook worker (make test-clients-ts): create with a key, replay it, get, list every page,
// cancel, a typed 404, a 422 with its field errors, and the deliveries it signed unwrapped.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import {
  CursorPage,
  HarborClient,
  NotFoundError,
  type Order,
  type OrderCancelledEvent,
  type OrderPage,
  type RawResponse,
  UnprocessableContentError,
  type WebhookEvent,
  WebhookSignatureError,
} from "../../../clients/typescript/src/index.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the tests with make test-clients-ts`);
  return value;
}

interface Delivery {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A receiver on 127.0.0.1 that keeps every delivery and answers 204. */
async function receiver(): Promise<{ url: string; wait: (count: number) => Promise<Delivery[]>; close: () => void }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      deliveries.push({ body: Buffer.concat(chunks).toString("utf8"), headers: request.headers });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const wait = async (count: number): Promise<Delivery[]> => {
    const deadline = Date.now() + 30_000;
    while (deliveries.length < count) {
      if (Date.now() > deadline) throw new Error(`${deliveries.length} of ${count} deliveries in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return deliveries;
  };
  return { url: `http://127.0.0.1:${port}/smoke`, wait, close: () => server.close() };
}

const customer = env("HARBOR_TEST_SMOKE");
const client = new HarborClient({ baseUrl: env("HARBOR_TEST_URL"), token: env("HARBOR_TEST_SMOKE_TOKEN"), retry: { initialDelayMs: 10 } });

test("the smoke scenario", async () => {
  const hooks = await receiver();
  try {
    const hook = await client.webhooks.createEndpoint({ body: { url: hooks.url, event_types: ["order.created", "order.cancelled"] } });
    const idempotencyKey = randomUUID();
    const body = { customer_id: customer, amount_cents: 2599, currency: "EUR" };
    const created = await client.orders.create({ idempotencyKey, body });
    assert.equal(created.status, 201);
    assert.ok(created.requestId);
    const replayed = await client.orders.create({ idempotencyKey, body });
    assert.equal(replayed.status, 200);
    assert.deepEqual(replayed.data, created.data);
    const order = await client.orders.get({ orderId: created.data.id });
    assert.deepEqual(order, created.data);

    const later = [];
    for (const amount of [100, 200]) later.push((await client.orders.create({ body: { ...body, amount_cents: amount } })).data.id);
    const listed: string[] = [];
    for await (const item of client.customers.orders.iterList({ customerId: customer, limit: 2 })) listed.push(item.id);
    assert.deepEqual(listed, [...later.reverse(), order.id]); // newest first, every page

    assert.equal((await client.orders.cancel({ orderId: order.id })).status, "cancelled");
    await assert.rejects(client.orders.get({ orderId: randomUUID() }), (e: unknown) => e instanceof NotFoundError && e.status === 404 && e.requestId !== undefined);
    const invalid = await client.orders.create({ body: { ...body, amount_cents: 0, currency: "euro" } }).catch((e: unknown) => e);
    assert.ok(invalid instanceof UnprocessableContentError);
    assert.deepEqual(invalid.errors.map((e) => e.pointer).sort(), ["/amount_cents", "/currency"]);

    const deliveries = await hooks.wait(4);
    const events: WebhookEvent[] = [];
    for (const delivery of deliveries) events.push(await client.webhooks.unwrap(delivery.body, delivery.headers, { secret: hook.secret }));
    assert.deepEqual(events.map((e) => e.type).sort(), ["order.cancelled", "order.created", "order.created", "order.created"]);
    const cancelled = events.find((e): e is OrderCancelledEvent => e.type === "order.cancelled");
    assert.equal(cancelled?.data.id, order.id);
    const [first] = deliveries;
    assert.ok(first);
    await assert.rejects(client.webhooks.unwrap(first.body, first.headers, { secret: "whsec_" + "A".repeat(32) }), WebhookSignatureError);
  } finally {
    hooks.close();
  }
});

// After the scenario (the tests of one file run in turn): its customer has three orders.
test("raw responses: status, headers, request id and the parsed body", async () => {
  const body = { customer_id: customer, amount_cents: 300, currency: "EUR" };
  const created: RawResponse<Order> = await client.withRawResponse.orders.create({ body });
  assert.equal(created.status, 201);
  assert.equal(created.data.amount_cents, 300);
  assert.ok(created.requestId);
  assert.equal(created.requestId, created.headers.get("X-Request-ID"));
  assert.ok(created.response instanceof Response);
  const got = await client.withRawResponse.getOrder({ orderId: created.data.id });
  assert.deepEqual([got.status, got.data], [200, created.data]);
  const page: RawResponse<OrderPage> = await client.withRawResponse.customers.orders.list({ customerId: customer, limit: 1 });
  assert.equal(page.data.data.length, 1);
  await assert.rejects(client.withRawResponse.orders.get({ orderId: randomUUID() }), NotFoundError);
});

test("a list walked page by page with hasNextPage and nextPage", async () => {
  let page: CursorPage<OrderPage, Order> = await client.orders.iterListCustomerOrders({ customerId: customer, limit: 3 }).firstPage();
  const sizes = [page.items.length];
  while (page.hasNextPage()) {
    page = await page.nextPage();
    sizes.push(page.body.data.length);
  }
  assert.deepEqual(sizes, [3, 1]); // the scenario's three orders and the raw test's one
  await assert.rejects(page.nextPage(), RangeError);
});

// The TypeScript client's retry rules, against a scripted fetch (no server needed).
import assert from "node:assert/strict";
import { test } from "node:test";

import { API_VERSION, HarborClient, HarborTransportError, RateLimitedError, ServiceUnavailableError } from "../../../clients/typescript/src/index.js";
import { waitMs } from "../../../clients/typescript/src/runtime.js";
import { ORDER, json, scripted } from "./scripted.js";

const dropped = () => new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
const refused = () => new TypeError("fetch failed", { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });

test("a create is retried after a dropped connection with the same idempotency key", async () => {
  const { client, seen } = scripted([dropped(), json(503, { title: "down" }, { "Retry-After": "0" }), json(200, ORDER)]);
  const result = await client.createOrder({ body: { customer_id: "cus_123", amount_cents: 1, currency: "EUR" } });
  assert.equal(result.status, 200);
  const keys = new Set(seen.map((request) => request.headers.get("Idempotency-Key")));
  assert.equal(seen.length, 3);
  assert.equal(keys.size, 1);
  assert.equal(seen[0]!.headers.get("Authorization"), "Bearer t");
});

test("a cancel (no key) is not retried once it may have arrived", async () => {
  const first = scripted([json(503, { title: "down" }), json(200, ORDER)]);
  await assert.rejects(first.client.cancelOrder({ orderId: ORDER.id }), ServiceUnavailableError);
  assert.equal(first.seen.length, 1);
  const second = scripted([dropped(), json(200, ORDER)]);
  await assert.rejects(second.client.cancelOrder({ orderId: ORDER.id }), HarborTransportError);
  assert.equal(second.seen.length, 1);
  const third = scripted([refused(), json(200, ORDER)]);
  assert.equal((await third.client.cancelOrder({ orderId: ORDER.id })).id, ORDER.id);
  assert.equal(third.seen.length, 2);
});

test("a 429 is retried after the seconds Retry-After gives, not the shorter backoff", async () => {
  const limited = json(429, { title: "Too many requests", status: 429 }, { "Retry-After": "1" });
  const { client, seen } = scripted([limited, json(200, ORDER)]);
  const began = Date.now();
  const fetched = await client.getOrder({ orderId: ORDER.id });
  assert.equal(fetched.id, ORDER.id);
  assert.equal(seen.length, 2);
  // The backoff alone would have waited 1-2 ms; a lower bound cannot flake on a slow machine.
  assert.ok(Date.now() - began >= 950, `retried after ${Date.now() - began} ms`);
});

test("a 429 asking for a longer wait than maxRetryAfterMs is thrown, not retried", async () => {
  const limited = json(429, { title: "Too many requests", status: 429 }, { "Retry-After": "120" });
  const { client, seen } = scripted([limited, json(200, ORDER)]);
  await assert.rejects(client.getOrder({ orderId: ORDER.id }), RateLimitedError);
  assert.equal(seen.length, 1);
});

test("every request carries the client's Harbor-Version, and apiVersion overrides it", async () => {
  const { client, seen } = scripted([json(200, ORDER)]);
  await client.getOrder({ orderId: ORDER.id });
  assert.equal(seen[0]!.headers.get("Harbor-Version"), API_VERSION);
  const seenPinned: Request[] = [];
  const pinned = new HarborClient({
    baseUrl: "http://h.test",
    token: "t",
    apiVersion: "1.1.0",
    fetch: async (request: Request) => (seenPinned.push(request), json(200, ORDER)),
  });
  await pinned.getOrder({ orderId: ORDER.id });
  assert.equal(seenPinned[0]!.headers.get("Harbor-Version"), "1.1.0");
});

test("retry-after-ms wins over Retry-After", () => {
  assert.equal(waitMs(new Headers({ "retry-after-ms": "1500", "Retry-After": "30" })), 1500);
  assert.equal(waitMs(new Headers({ "retry-after-ms": "soon", "Retry-After": "2" })), 2000);
  assert.equal(waitMs(new Headers({})), undefined);
});

// verifyWebhook against signatures made as the Standard Webhooks scheme says (node:crypto HMAC),
// as Harbor's worker sends them: one signature per secret during a rotation's overlap.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";

import {
  HarborClient,
  type WebhookEvent,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookUnknownEventError,
  WebhookVerificationError,
  verifyWebhook,
} from "../../../clients/typescript/src/index.js";

const secret = (): string => "whsec_" + randomBytes(24).toString("base64");
const body = JSON.stringify({
  id: "0193a5b3-0a1b-7c2d-9e3f-4a5b6c7d8e9f",
  type: "order.created",
  timestamp: "2026-11-25T10:20:00Z",
  data: { id: "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f" },
});

function sign(secrets: string[], sentSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signatures = secrets.map((s) => {
    const key = Buffer.from(s.slice("whsec_".length), "base64");
    return "v1," + createHmac("sha256", key).update(`msg_1.${sentSeconds}.${body}`).digest("base64");
  });
  return { "Webhook-Id": "msg_1", "Webhook-Timestamp": String(sentSeconds), "Webhook-Signature": signatures.join(" ") };
}

test("a delivery signed with the old and the new secret verifies with either", async () => {
  const [old, fresh] = [secret(), secret()];
  const headers = sign([fresh, old]);
  assert.equal((await verifyWebhook(old, body, headers)).type, "order.created");
  assert.equal((await verifyWebhook(fresh, new TextEncoder().encode(body), new Headers(headers))).type, "order.created");
});

test("a receiver holding both secrets verifies a delivery signed with one", async () => {
  const [old, fresh] = [secret(), secret()];
  assert.equal((await verifyWebhook([fresh, old], body, sign([old]))).type, "order.created");
  await assert.rejects(verifyWebhook([secret()], body, sign([old])), /no signature matches/);
  await assert.rejects(verifyWebhook([], body, sign([old])), WebhookVerificationError);
});

test("a tampered body, an old timestamp and missing headers are refused", async () => {
  const key = secret();
  await assert.rejects(verifyWebhook(key, body.replace("order.created", "order.cancelled"), sign([key])), /no signature matches/);
  await assert.rejects(verifyWebhook(key, body, sign([key], Math.floor(Date.now() / 1000) - 600)), /too far from now/);
  const { "Webhook-Signature": _dropped, ...unsigned } = sign([key]);
  await assert.rejects(verifyWebhook(key, body, unsigned), /missing webhook-id/);
  await assert.rejects(verifyWebhook("whsec_not base64!", body, sign([key])), /not a whsec_ base64 secret/);
});

// client.webhooks.unwrap: the typed event, and a typed error for each way a delivery fails.
function signedBody(payload: string, secrets: string[], sentSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signatures = secrets.map((s) => {
    const key = Buffer.from(s.slice("whsec_".length), "base64");
    return "v1," + createHmac("sha256", key).update(`msg_1.${sentSeconds}.${payload}`).digest("base64");
  });
  return { "webhook-id": "msg_1", "webhook-timestamp": String(sentSeconds), "webhook-signature": signatures.join(" ") };
}

const webhooks = new HarborClient({ baseUrl: "http://127.0.0.1:9" }).webhooks;

test("unwrap resolves to the typed event, narrowed by its type", async () => {
  const key = secret();
  for (const type of ["order.created", "order.cancelled"] as const) {
    const payload = body.replace("order.created", type);
    const event: WebhookEvent = await webhooks.unwrap(payload, new Headers(signedBody(payload, [key])), { secret: key });
    assert.equal(event.type, type);
    if (event.type === "order.cancelled") assert.equal(event.data.id, "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f");
  }
  const [old, fresh] = [secret(), secret()];
  const bytes = new TextEncoder().encode(body);
  assert.equal((await webhooks.unwrap(bytes, signedBody(body, [old]), { secrets: [fresh, old] })).type, "order.created");
});

test("unwrap rejects a bad signature and missing headers with WebhookSignatureError", async () => {
  const key = secret();
  await assert.rejects(webhooks.unwrap(body, signedBody(body, [secret()]), { secret: key }), WebhookSignatureError);
  await assert.rejects(webhooks.unwrap(body.replace("2026", "2027"), signedBody(body, [key]), { secret: key }), WebhookSignatureError);
  const { "webhook-signature": _dropped, ...unsigned } = signedBody(body, [key]);
  await assert.rejects(webhooks.unwrap(body, unsigned, { secret: key }), (e: unknown) => e instanceof WebhookSignatureError && /missing/.test(e.message));
});

test("unwrap rejects an old or a future timestamp with WebhookTimestampError", async () => {
  const key = secret();
  const now = Math.floor(Date.now() / 1000);
  for (const [sent, words] of [[now - 600, "s old"], [now + 600, "in the future"]] as const) {
    const rejected = webhooks.unwrap(body, signedBody(body, [key], sent), { secret: key });
    await assert.rejects(rejected, (e: unknown) => e instanceof WebhookTimestampError && e.timestamp === sent && e.message.includes(words));
    assert.equal((await webhooks.unwrap(body, signedBody(body, [key], sent), { secret: key, toleranceSeconds: 900 })).type, "order.created");
  }
});

test("unwrap rejects an unknown event with its payload, and a body that is not JSON", async () => {
  const key = secret();
  const refunded = body.replace("order.created", "order.refunded");
  await assert.rejects(
    webhooks.unwrap(refunded, signedBody(refunded, [key]), { secret: key }),
    (e: unknown) => e instanceof WebhookUnknownEventError && e instanceof WebhookPayloadError && e.eventType === "order.refunded" && JSON.stringify(e.payload) === refunded,
  );
  await assert.rejects(webhooks.unwrap("not json", signedBody("not json", [key]), { secret: key }), WebhookPayloadError);
  for (const error of [WebhookSignatureError, WebhookTimestampError, WebhookPayloadError, WebhookUnknownEventError]) {
    assert.ok(error.prototype instanceof WebhookVerificationError);
  }
});

// verifyWebhook against signatures made as the Standard Webhooks scheme says (node:crypto HMAC),
// as Harbor's worker sends them: one signature per secret during a rotation's overlap.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";

import { WebhookVerificationError, verifyWebhook } from "../../../clients/typescript/src/index.js";

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

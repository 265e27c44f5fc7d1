// The TypeScript client's smoke scenario (`make compat`): copied beside a release's generated client
// (./src), compiled there and run as `node scenario.js URL TOKEN CUSTOMER DESCRIBE_JSON [--fuzz]`.
// DESCRIBE_JSON comes from the same release's Python client (scenario.py --describe): the renamed
// field's name for this version, and the enum and map properties the fuzz rewrites or leaves alone.
// Prints nothing on success; on failure one line naming the step, exit 1.
import { randomUUID } from "node:crypto";

import { HarborClient, NotFoundError } from "./src/index.js";

const UNKNOWN_VALUE = "compat_unknown_value";
const UNKNOWN_FIELD = "x_compat_unknown_field";
type Describe = { renamed: string; enums: string[]; maps: string[] };

function fuzzed(value: unknown, d: Describe): unknown {
  if (Array.isArray(value)) return value.map((item) => fuzzed(item, d));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = d.enums.includes(key) && typeof item === "string" ? UNKNOWN_VALUE : d.maps.includes(key) ? item : fuzzed(item, d);
  }
  out[UNKNOWN_FIELD] = { nested: [1, "two"] };
  return out;
}

function fuzzingFetch(d: Describe): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await globalThis.fetch(request);
    if (!(response.headers.get("content-type") ?? "").includes("json")) return response;
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    const body = JSON.stringify(fuzzed(await response.json(), d));
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}

async function run(url: string, token: string, customer: string, d: Describe, fuzz: boolean): Promise<void> {
  let step = "create";
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${step}: ${what}`);
  };
  const client = new HarborClient({ baseUrl: url, token, retry: { maxRetries: 0 }, ...(fuzz ? { fetch: fuzzingFetch(d) } : {}) });
  // The renamed field differs by release, so the body is built untyped and handed over as the release's type.
  const body = { customer_id: customer, amount_cents: 1250, currency: "EUR", [d.renamed]: "compat order" } as unknown as Parameters<HarborClient["createOrder"]>[0]["body"];
  const field = (order: object) => (order as Record<string, unknown>)[d.renamed];
  const key = randomUUID();
  const created = await client.createOrder({ body, idempotencyKey: key });
  check(created.status === 201, `status ${created.status}, expected 201`);
  check(field(created.data) === "compat order", `${d.renamed} not echoed`);
  if (fuzz) check(String(created.data.status) === UNKNOWN_VALUE, `status read as ${String(created.data.status)}`);
  step = "replay";
  const replayed = await client.createOrder({ body, idempotencyKey: key });
  check(replayed.status === 200, `status ${replayed.status}, expected 200`);
  check(replayed.data.id === created.data.id, "a second order, not the first one replayed");
  step = "get";
  const fetched = await client.getOrder({ orderId: created.data.id });
  check(fetched.id === created.data.id && field(fetched) === "compat order", "another order, or the field lost");
  step = "list";
  for (let i = 0; i < 2; i++) await client.createOrder({ body, idempotencyKey: randomUUID() });
  const ids: string[] = [];
  let pages = 0;
  for await (const page of client.iterListCustomerOrders({ customerId: customer, limit: 2 }).pages()) {
    pages += 1;
    ids.push(...page.data.map((order) => order.id));
  }
  check(pages === 2 && new Set(ids).size === 3 && ids.length === 3, `${pages} pages, ids ${ids.join(",")}`);
  step = "typed error";
  try {
    await client.getOrder({ orderId: randomUUID() });
    check(false, "no NotFoundError for an unknown id");
  } catch (error) {
    check(error instanceof NotFoundError, `${String(error)} instead of NotFoundError`);
  }
}

const [url, token, customer, describe, ...flags] = process.argv.slice(2);
try {
  await run(url!, token!, customer!, JSON.parse(describe!) as Describe, flags.includes("--fuzz"));
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`${message.split("\n")[0]}\n`);
  process.exit(1);
}

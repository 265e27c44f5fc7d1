// A scripted fetch for the TypeScript client's tests (no server): answers in order, the last repeating.
import { HarborClient, type RetryPolicy } from "../../../clients/typescript/src/index.js";

export const ORDER = {
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

export type Answer = Response | Error;

export function scripted(answers: Answer[], retry: Partial<RetryPolicy> = {}) {
  const seen: Request[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push(request);
    const answer = answers[Math.min(seen.length, answers.length) - 1]!;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  };
  const client = new HarborClient({ baseUrl: "http://h.test", token: "t", fetch, retry: { initialDelayMs: 1, maxDelayMs: 2, ...retry } });
  return { client, seen };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

import { formatCount, formatProbability, quoteValue, type Finding } from "@oddity/core";
import { NAMED_STATUSES } from "./statuses.js";
import type { TestResult } from "./verdict.js";

/** Below this a p-value is written as "p < 1e-100": more digits would only suggest false precision. */
const SHOWN_LOG10_FLOOR = -100;
const LOG2_10 = Math.log2(10);

/** Everything a client's findings say, gathered in `prepare`. */
export interface ClientFacts {
  detector: string;
  fields: readonly string[];
  values: readonly string[];
  requests: number;
  errors: number;
  /** Error counts by NAMED_STATUSES. */
  byStatus: readonly number[];
  lonely: number;
  errorTest: TestResult;
  lonelyTest: TestResult;
  threshold: number;
  maxBits: number;
}

/** A share as a percentage of two significant digits: `2.6%`. */
export function percentText(share: number): string {
  return `${Number((share * 100).toPrecision(2))}%`;
}

/** A tail probability from its log10: `p=1.6e-41`, or `p < 1e-100` below that. */
export function tailText(log10p: number): string {
  return log10p <= SHOWN_LOG10_FLOOR ? "p < 1e-100" : `p=${formatProbability(10 ** log10p)}`;
}

/** Who the client is: `client "203.0.113.7"`, or `client ip "…", user_agent "…"` for a composite key. */
function clientText(fields: readonly string[], values: readonly string[]): string {
  if (fields.length === 1) return `client ${quoteValue(values[0]!)}`;
  return `client ${fields.map((f, i) => `${f} ${quoteValue(values[i]!)}`).join(", ")}`;
}

/** Most statuses named in a message. */
const NAMED_IN_MESSAGE = 3;

/**
 * What the errors were: `{ status: "404", breakdown: [] }` when one named status is all of them, else
 * `{ status: "an error", breakdown: ["621 × 401", "3 × 404"] }` (most frequent first, at most three).
 */
function answeredWith(errors: number, byStatus: readonly number[]): { status: string; breakdown: string[] } {
  const named = NAMED_STATUSES.map((status, i): [number, number] => [status, byStatus[i]!])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  if (named.length === 1 && named[0]![1] === errors) return { status: String(named[0]![0]), breakdown: [] };
  return {
    status: "an error",
    breakdown: named.slice(0, NAMED_IN_MESSAGE).map(([status, n]) => `${formatCount(n)} × ${status}`),
  };
}

/**
 * One sentence for the client, with its counts and the test(s) that flagged it (the statuses are named
 * when they differ: `answered an error (621 × 401, 3 × 404; other clients 3%; p=4.2e-17)`):
 * `client "203.0.113.7": 289 of its 290 requests answered 404 (other clients 1.6%; p < 1e-100); 288 asked
 * for paths no other client asked for (other clients 0.4%; p=3.1e-20)`.
 */
export function clientMessage(facts: ClientFacts): string {
  const { requests, errors, lonely, errorTest, lonelyTest } = facts;
  const { status, breakdown } = answeredWith(errors, facts.byStatus);
  let message = `${clientText(facts.fields, facts.values)}: ${formatCount(errors)} of its ${formatCount(requests)} request${requests === 1 ? "" : "s"} answered ${status}`;
  const details = breakdown.length > 0 ? [breakdown.join(", ")] : [];
  if (errorTest.flagged)
    details.push(`other clients ${percentText(errorTest.othersRate)}`, tailText(errorTest.log10p));
  if (details.length > 0) message += ` (${details.join("; ")})`;
  if (lonely > 0 || lonelyTest.flagged) {
    message += `; ${formatCount(lonely)} path${lonely === 1 ? "" : "s"} it alone asked for answered an error`;
    if (lonelyTest.flagged) {
      message += ` (other clients: ${percentText(lonelyTest.othersRate)} of requests; ${tailText(lonelyTest.log10p)})`;
    }
  }
  return message;
}

function statusCounts(facts: ClientFacts): Record<string, number> {
  const counts: Record<string, number> = { requests: facts.requests, errors: facts.errors };
  NAMED_STATUSES.forEach((status, i) => {
    if (facts.byStatus[i]! > 0) counts[`status_${status}`] = facts.byStatus[i]!;
  });
  counts.lonely = facts.lonely;
  return counts;
}

/** The finding for a record carrying the odd behaviour of a test with this log10 p. */
export function clientFinding(facts: ClientFacts, message: string, log10p: number): Finding {
  const bits = Math.min(-log10p * LOG2_10, facts.maxBits);
  return {
    detector: facts.detector,
    kind: "client",
    fields: [...facts.fields],
    values: [...facts.values],
    probability: Math.max(10 ** log10p, Number.MIN_VALUE),
    surprisal: bits,
    threshold: { name: "probability", direction: "below", value: facts.threshold },
    counts: statusCounts(facts),
    message,
    statistics: {
      others_error_rate: facts.errorTest.othersRate,
      others_lonely_rate: facts.lonelyTest.othersRate,
      log10_p_errors: facts.errorTest.log10p,
      log10_p_lonely: facts.lonelyTest.log10p,
    },
  };
}

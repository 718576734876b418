import { formatCount, quoteValue, type Finding } from "@oddity/core";
import { percentText, tailText, type TestResult } from "@oddity/detector-client";

const LOG2_10 = Math.log2(10);

/** What a target's findings say, gathered in `prepare`. */
export interface TargetFacts {
  detector: string;
  field: string;
  path: string;
  /** Clients that asked for the path. */
  clients: number;
  /** Of those, clients whose every request to the site was answered an error. */
  errorOnly: number;
  test: TestResult;
  threshold: number;
  maxBits: number;
}

/**
 * `path_template "/xmlrpc.php": 140 of the 149 clients that asked for it got nothing but errors from the
 * site (other clients 13%; p=4.7e-81)`.
 */
export function targetMessage(facts: TargetFacts): string {
  const { clients, errorOnly, test } = facts;
  return `${facts.field} ${quoteValue(facts.path)}: ${formatCount(errorOnly)} of the ${formatCount(clients)} clients that asked for it got nothing but errors from the site (other clients ${percentText(test.othersRate)}; ${tailText(test.log10p)})`;
}

/** The finding every error response to a target carries. */
export function targetFinding(facts: TargetFacts): Finding {
  const bits = Math.min(-facts.test.log10p * LOG2_10, facts.maxBits);
  return {
    detector: facts.detector,
    kind: "target",
    fields: [facts.field],
    values: [facts.path],
    probability: Math.max(10 ** facts.test.log10p, Number.MIN_VALUE),
    surprisal: bits,
    threshold: { name: "probability", direction: "below", value: facts.threshold },
    counts: { clients: facts.clients, error_only_clients: facts.errorOnly },
    message: targetMessage(facts),
    statistics: { others_error_only_rate: facts.test.othersRate, log10_p: facts.test.log10p },
  };
}

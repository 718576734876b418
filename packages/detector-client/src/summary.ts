import { compareCounts, type FrequencySummary } from "@oddity/core";
import type { ClientState } from "./state.js";

/** Clients shown: the flagged ones first, then the busiest, up to this many rows. */
export const SUMMARY_ROWS = 50;

/**
 * The clients for reports: requests per client (key values joined by `, ` for a composite key), the
 * flagged clients always among them, most requests first. `threshold` is 0: a client is flagged by its
 * tests, not by its share of requests.
 */
export function clientSummary({
  detector,
  field,
  state,
  flagged,
  label,
}: {
  detector: string;
  field: string;
  state: ClientState;
  flagged: ReadonlySet<string>;
  label: (key: string) => string;
}): FrequencySummary {
  const all = [...state.clients.map]
    .map(([key, t]): [string, number] => [key, t.requests])
    .sort(compareCounts);
  const odd = all.filter(([key]) => flagged.has(key));
  const rest = all.filter(([key]) => !flagged.has(key)).slice(0, Math.max(0, SUMMARY_ROWS - odd.length));
  const total = state.requests;
  return {
    kind: "frequencies",
    detector,
    field,
    total,
    distinct: state.clients.map.size,
    values: [...odd, ...rest].sort(compareCounts).map(([key, count]) => ({
      value: label(key),
      count,
      probability: total === 0 ? 0 : count / total,
      flagged: flagged.has(key),
    })),
    threshold: 0,
  };
}

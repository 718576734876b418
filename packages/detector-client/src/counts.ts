import type { CountSpec, CountTables } from "@oddity/core";
import { countClient, countPath, type ClientState } from "./state.js";
import { statusSlot } from "./statuses.js";

/** The one grouped count the client detector learns from: requests per key, path and status. */
export const REQUESTS_COUNT = "requests";

/**
 * What `observe` reads, as one grouped count: the key fields, the path field and the status. Every
 * statistic follows from it: a client's requests, errors and named statuses sum its rows; a path's
 * requests, errors and two smallest askers sum the rows of that path.
 */
export function countSpecs({ key, path }: { key: readonly string[]; path: string }): CountSpec[] {
  return [{ id: REQUESTS_COUNT, fields: [...key, path, "status"] }];
}

/** How a fold reads a row, from the options: the same key and error rule `observe` uses. */
export interface FoldRules {
  /** Key fields' values → the client key `observe` reads, or null when every one is absent. */
  keyOf: (values: ReadonlyArray<string | null>) => string | null;
  isError: (status: number | null) => boolean;
}

/**
 * Adds the rows of {@link countSpecs} to a state, as observing their records would: the samples keep the
 * same keys whatever order their additions come in (bottom-k by hash), and a path's askers are the two
 * smallest keys, so rows summed per client or path give the very state a record-by-record fit gives.
 */
export function foldCounts(state: ClientState, tables: CountTables, { keyOf, isError }: FoldRules): void {
  const rows = tables.get(REQUESTS_COUNT);
  if (rows === undefined) throw new Error(`no count rows for ${REQUESTS_COUNT}`);
  for (const { values, count } of rows) {
    const width = values.length - 2;
    const key = keyOf(values.slice(0, width));
    if (key === null) continue;
    const statusText = values[width + 1] ?? null;
    // The status comes back as the decimal text fieldReader gives; Number reads that back exactly.
    const status = statusText === null ? null : Number(statusText);
    const error = isError(status);
    const errors = error ? count : 0;
    state.requests += count;
    state.errors += errors;
    const tally = countClient(state, key, count, errors);
    if (tally !== undefined && error) {
      const slot = statusSlot(status);
      if (slot >= 0) tally.byStatus[slot]! += count;
    }
    const path = values[width] ?? null;
    if (path !== null) countPath(state, path, count, errors, key, null);
  }
}

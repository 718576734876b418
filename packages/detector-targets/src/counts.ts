import type { CountSpec, CountTables } from "@oddity/core";
import { keyOf } from "@oddity/detector-client";
import { countRequests, type TargetsState } from "./state.js";

const REQUESTS = "requests";

/** What `observe` learns, as one grouped count: requests per client key, path and status. */
export function countSpecs({ fields, path }: { fields: readonly string[]; path: string }): CountSpec[] {
  return [{ id: REQUESTS, fields: [...fields, path, "status"] }];
}

/** Adds the count rows of {@link countSpecs} to a state, as observing the records would. */
export function foldCounts({
  state,
  tables,
  fields,
  isError,
}: {
  state: TargetsState;
  tables: CountTables;
  fields: readonly string[];
  isError: (status: number | null) => boolean;
}): void {
  const rows = tables.get(REQUESTS);
  if (rows === undefined) throw new Error(`no count rows for ${REQUESTS}`);
  const width = fields.length;
  for (const { values, count } of rows) {
    const client = keyOf(values.slice(0, width));
    if (client === null) continue;
    const status = values[width + 1] ?? null;
    const error = status !== null && isError(Number(status)) ? count : 0;
    countRequests({ state, client, path: values[width] ?? null, requests: count, errors: error });
  }
}

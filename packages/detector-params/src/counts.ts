import type { CountSpec, CountTables } from "@oddity/core";
import { learnQuery } from "./learn.js";
import type { Caps, ParamsState } from "./state.js";

/** The one grouped count the params detector learns from: requests per path and client. */
export const QUERIES_COUNT = "queries";

/**
 * What `observe` reads, as one grouped count: the query string (null without a `?`), the path's template
 * (both derived from the path, as `observe` derives them) and the client field. Not the path itself: an
 * engine that groups by the derived fields returns a row per template and query, not per path.
 */
export function countSpecs(client: string): CountSpec[] {
  return [{ id: QUERIES_COUNT, fields: ["query", "path_template", client] }];
}

/**
 * Adds the rows of {@link countSpecs} to a state, as observing their records would: a row of `count`
 * requests adds `count` to every sum, and the capped maps, token sets and client samples keep the same
 * keys whatever the order of their additions, so the state is the one a record-by-record fit saves.
 */
export function foldCounts(
  state: ParamsState,
  tables: CountTables,
  { caps, endpointOf }: { caps: Caps; endpointOf: (template: string) => string },
): void {
  const rows = tables.get(QUERIES_COUNT);
  if (rows === undefined) throw new Error(`no count rows for ${QUERIES_COUNT}`);
  for (const { values, count } of rows) {
    const query = values[0] ?? null;
    // A request without a query string teaches nothing; one with a query always has a template.
    const template = values[1] ?? null;
    if (query === null || template === null) continue;
    learnQuery(state, caps, {
      query,
      endpoint: endpointOf(template),
      client: values[2] ?? null,
      times: count,
    });
  }
}

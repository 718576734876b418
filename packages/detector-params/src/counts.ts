import type { CountSpec, CountTables } from "@oddity/core";
import { learnQuery } from "./learn.js";
import type { Caps, ParamsState } from "./state.js";

/** The one grouped count the params detector learns from: requests per path and client. */
export const QUERIES_COUNT = "queries";

/**
 * What `observe` reads, as one grouped count: the path with its query string, its template (derived by
 * oddity from the path, as `observe` derives it) and the client field.
 */
export function countSpecs(client: string): CountSpec[] {
  return [{ id: QUERIES_COUNT, fields: ["path", "path_template", client] }];
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
    const path = values[0] ?? null;
    if (path === null) continue;
    const q = path.indexOf("?");
    if (q === -1) continue;
    // A path always has a template; the fallback only keeps a malformed row from throwing.
    const template = values[1] ?? path;
    learnQuery(state, caps, {
      query: path.slice(q + 1),
      endpoint: endpointOf(template),
      client: values[2] ?? null,
      times: count,
    });
  }
}

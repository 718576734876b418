import type { ClickHouseClient } from "@clickhouse/client";
import type { CountQuery, RawCountRow } from "@oddity/core";
import { querySettings } from "./derive.js";
import { tsvValue } from "./tsv.js";

const NUMERIC = new Set(["time", "status", "size"]);
// TabSeparated writes a Float64's infinities and NaN as words.
const WORDS: Record<string, number> = { inf: Infinity, "-inf": -Infinity, "+inf": Infinity, nan: NaN };

/** A count row's value of `field` as the record holds it: numbers for `time`, `status` and `size`. */
export function fieldValue(field: string, raw: unknown): string | number | null {
  if (raw === null || raw === undefined) return null;
  if (NUMERIC.has(field)) return typeof raw === "string" && raw in WORDS ? WORDS[raw]! : Number(raw);
  // Cells are text; anything else would be a table of other types.
  if (typeof raw !== "string")
    throw new Error(`column ${field}: expected text, received ${JSON.stringify(raw)}`);
  return raw;
}

/**
 * One TabSeparated count row of `query` as a count: its cells from `at` hold the query's fields, then
 * the bin's sign and key when it has a bin; the last cell is the count. `\N` is NULL.
 */
export function countRowOf({
  query,
  cells,
  at,
}: {
  query: CountQuery;
  /** The row's cells, still escaped. */
  cells: readonly string[];
  at: number;
}): RawCountRow {
  const values = query.fields.map((f, j) => fieldValue(f, tsvValue(cells[at + j])));
  const count = Number(cells[cells.length - 1]);
  if (query.bin === undefined) return { values, count };
  const sign = tsvValue(cells[at + query.fields.length]);
  return {
    values,
    bin:
      sign === null
        ? null
        : { sign: Number(sign) as -1 | 0 | 1, key: Number(cells[at + query.fields.length + 1]) },
    count,
  };
}

/**
 * The rows of one query, gathered. The client reads each row as UTF-8, bytes that are not UTF-8 as
 * U+FFFD each, as oddity reads a log file: two such byte strings may read as the same text, and their
 * rows are merged into one, as oddity would have counted them.
 */
export function countTable(): { add(row: RawCountRow, text: string): void; rows(): RawCountRow[] } {
  const plain: RawCountRow[] = [];
  const merged = new Map<string, RawCountRow>();
  return {
    add(row, text) {
      if (!text.includes("\uFFFD")) {
        plain.push(row);
        return;
      }
      const key = JSON.stringify([row.values, row.bin ?? null]);
      const seen = merged.get(key);
      if (seen !== undefined) seen.count += row.count;
      else merged.set(key, row);
    },
    rows: () => [...plain, ...merged.values()],
  };
}

/**
 * Streams a query's rows as TabSeparated (escaped cells, no key repeated per row, as JSON objects
 * would), calling `onRow` with each row's text and its cells. Resolves to the length of the decoded
 * text in characters, newlines included: what the rows take as text, not what crossed the wire (responses
 * come compressed).
 */
export async function selectTsv({
  client,
  sql,
  signal,
  onRow,
}: {
  client: ClickHouseClient;
  sql: string;
  signal?: AbortSignal | undefined;
  onRow: (text: string, cells: string[]) => void;
}): Promise<number> {
  const result = await client.query({
    query: sql,
    format: "TabSeparated",
    ...querySettings(sql),
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  let bytes = 0;
  for await (const chunk of result.stream()) {
    for (const row of chunk) {
      bytes += row.text.length + 1;
      onRow(row.text, row.text.split("\t"));
    }
  }
  return bytes;
}

// What the extra-field tests (a --query's columns, a --table's) share: the hostile column, its values,
// and records and findings compared without where they came from.
import { countRecords, createScorer, type CountResults, type LogRecord, type Model } from "@oddity/core";
import type { ClickHouseClient } from "@clickhouse/client";
import { expect } from "vitest";
import { countInClickHouse, readClickHouse } from "../src/index.js";
import { collectRecords } from "./pipelines.js";

/**
 * A column that is not a record field, named with what ends an identifier, a literal and a statement, and
 * a terminal escape: an extra's name is the column's, letter case and all.
 */
export const EXTRA = "V`host'; DROP TABLE extras; -- \\ \u001b[31m";

/** The values of that column: hostile text, the empty text (a value) and NULL (absent). */
export const HOSTS = [
  "www.example.org",
  "api'`; DROP TABLE extras; --",
  "back\\slash \\' tab\tnl\n",
  "\u001b[31mred",
  "",
  null,
  "nul\u0000byte",
];

/** The value of row `n` (status `status`) in that column. */
export function hostOf(n: number, status: number | null): string | null {
  return HOSTS[(n * 3 + (status ?? 0)) % HOSTS.length]!;
}

/** A record's fields but for where it came from (source, line, raw text), its extras as a plain object. */
export function recordFields({ source: _s, line: _l, raw: _r, ...rest }: LogRecord) {
  return { ...rest, extra: { ...rest.extra } };
}

/** What scoring finds, but for where a record came from: its source, line and raw text. */
export function anomalies(model: Model, scored: readonly LogRecord[]): string[] {
  const score = createScorer(model);
  return scored
    .flatMap((r) => score(r) ?? [])
    .map(({ record, ...rest }) => JSON.stringify({ ...recordFields(record), ...rest }))
    .sort();
}

// A query's count rows, each its values and count as text, sorted: comparable across engines.
function countRowsOf(results: CountResults, key: string): string[] {
  return (results.get(key) ?? []).map((row) => JSON.stringify([row.values, row.count])).sort();
}

// The counts of the key `n` as `extra.primary_key` (alone, and beside `beside`), and of `n` by name.
function keyQueries(beside: string): Array<{ key: string; fields: string[] }> {
  return [
    { key: "key", fields: ["primary_key"] },
    { key: "key and another", fields: ["primary_key", beside] },
    { key: "n", fields: ["n"] },
  ];
}

/**
 * Expects the counts of `keyQueries` in the cluster, over a table or a query keyed by `n`, to be those of
 * the records streamed back (`countRecords`): a row per key, and `n` no extra of its own name.
 */
export async function expectKeyCounts({
  client,
  url,
  relation,
  beside,
}: {
  client: ClickHouseClient;
  url: string;
  relation: { table: string } | { query: string };
  beside: string;
}): Promise<void> {
  const queries = keyQueries(beside);
  const counted = await countInClickHouse({
    client,
    database: "default",
    primaryKey: "n",
    queries,
    ...relation,
  });
  const streamed = await collectRecords(readClickHouse({ url, primaryKey: "n", ...relation }));
  const own = countRecords(queries, streamed);
  for (const { key } of queries) expect(countRowsOf(counted.results, key)).toEqual(countRowsOf(own, key));
  expect(counted.results.get("key")!.length).toBe(streamed.length);
  expect(counted.results.get("n")).toEqual([{ values: [null], count: streamed.length }]);
}

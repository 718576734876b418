import type { ClickHouseClient } from "@clickhouse/client";
import type { Model } from "@oddity/core";
import { candidateCondition } from "./candidates.js";
import { chIdentifier } from "./escape.js";
import { selectJson } from "./fit.js";
import { planLineSplit, type LineSplitPlan } from "./line-plan.js";
import { numberedLines } from "./split-queries.js";
import {
  readClickHouse,
  type ClickHouseRecordStream,
  type LineSelection,
  type ReadClickHouseOptions,
} from "./read.js";

/**
 * The rows of a raw-line column worth streaming back to score against `model` (see {@link
 * candidateCondition}): the lines the SQL reads whose fields meet the condition, and every line it does
 * not read (oddity's parser parses or rejects those), each numbered among all rows in key order. Null
 * when every row must be streamed: lines of a format the SQL does not split, or no condition.
 */
async function selectLines({
  client,
  model,
  plan,
  primaryKey,
  signal,
}: {
  client: ClickHouseClient;
  model: Model;
  plan: LineSplitPlan;
  primaryKey: string;
  signal: AbortSignal | undefined;
}): Promise<LineSelection | null> {
  const { split } = plan;
  const counted = selectJson({
    client,
    signal,
    sql: `WITH ${split.with}\nSELECT count() AS n, sum(${split.bytes}) AS b FROM ${plan.from}`,
  });
  // Awaited once the selected rows are read; a failure before then must not go unhandled.
  counted.catch(() => {});
  const { sql, join } = await candidateCondition({ client, model, lines: plan, signal });
  if (sql === null) return null;
  return {
    sql: numberedLines({
      plan,
      keep: `NOT ${split.plain} OR (${sql})`,
      join,
      columns: [
        { name: "key", sql: chIdentifier(primaryKey) },
        { name: "bytes", sql: `identity(${split.bytes})` },
      ],
    }),
    spec: plan.leftoverFormat,
    format: plan.format,
    warnings: plan.warnings,
    // The NCSA reader counts records per layout, and every line the SQL reads is of the plan's.
    layout: plan.leftoverFormat.name === "ncsa" ? plan.layout : null,
    totals: async () => {
      const [row] = await counted;
      return { rows: Number(row!.n), bytes: Number(row!.b) };
    },
  };
}

/**
 * `readClickHouse` for scoring against `model`: with a `primaryKey`, only the rows the model could flag
 * are streamed back (see {@link candidateCondition}), each with the `line` the whole result ordered by
 * the key gives it, and the rest are counted as read and parsed (and as `stats.unscored`). For a table
 * of parsed columns (or a `query`) that is the rows whose fields meet the condition; for a raw-line
 * `column` of common or combined lines, split in SQL (see `planLineSplit`), the lines the SQL reads
 * whose fields meet it and every line it does not read, parsed or rejected by oddity's parser as the
 * streamed read does. Without a key (the order, and so the lines, would be the server's), or for lines
 * of another format, every row is.
 */
export function readClickHouseCandidates(
  options: ReadClickHouseOptions & { model: Model },
): ClickHouseRecordStream {
  const { model, ...read } = options;
  if (read.primaryKey === undefined) return readClickHouse(read);
  const { signal } = read;
  return readClickHouse({
    ...read,
    select: async ({ client, from, fields, extras, prefix }) => {
      const { sql, join } = await candidateCondition({ client, model, from, fields, extras, prefix, signal });
      return sql === null ? null : { where: sql, join };
    },
    selectLines: async ({ client, target, table, column, primaryKey }) => {
      const plan = await planLineSplit({
        client,
        target,
        table,
        column,
        primaryKey,
        format: read.format,
        maxLineLength: read.maxLineLength,
        signal,
      });
      return plan === null ? null : selectLines({ client, model, plan, primaryKey, signal });
    },
  });
}

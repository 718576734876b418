import type { ClickHouseClient } from "@clickhouse/client";
import {
  DEFAULT_MAX_LINE_LENGTH,
  SNIFF_LINES,
  createParser,
  resolveFormat,
  type FormatSpec,
} from "@oddity/core";
import { chIdentifier } from "./escape.js";
import { extraText, type DescribedColumn } from "./query.js";
import { selectJson } from "./fit.js";
import { aliasPrefix, splitLines, type LineSplit, type SqlLayout } from "./lines-sql.js";
import { isBlank, lineOf, tableColumns } from "./read.js";
import type { ClickHouseTarget } from "./url.js";

// An aborted query fails with the client's own error: the caller gets the signal's reason, as from the
// streamed read.
export async function abortable<T>({
  signal,
  work,
}: {
  signal: AbortSignal | undefined;
  work: () => Promise<T>;
}): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** How a raw-line column will be split in ClickHouse: settled once by {@link planLineSplit}. */
export interface LineSplitPlan {
  /** What records and rejections name as their `source`: the masked URL and the table. */
  source: string;
  /** The layout the SQL splits; oddity's parser reads the other lines with `leftoverFormat`. */
  layout: SqlLayout;
  leftoverFormat: FormatSpec;
  /** The format as the streamed read names it (`combined, auto-detected`). */
  format: string;
  /** What sniffing doubted, worded as the streamed read words it. */
  warnings: string[];
  /** The raw-line column's name. */
  column: string;
  maxLineLength: number;
  from: string;
  /** ORDER BY of the line numbers: the key column, or none (rows numbered as the cluster returns them). */
  order: string;
  /**
   * The split's fields; with a key, also `primary_key`, the key's text: the streamed read gives every
   * record it as `extra.primary_key`.
   */
  split: LineSplit;
}

// Rows per page while sampling the first lines for the format.
const SAMPLE_PAGE = 1000;

/**
 * Settles how `column` of `table` will be split in ClickHouse: checks the table and columns (as the
 * streamed read does, with the same errors), and resolves the format from the first 50 non-blank lines
 * (in `primaryKey` order when given) as the streamed read would. Returns null when that format is not one
 * the SQL splits (only common and combined are; read such a table with `readClickHouse`) or there is no
 * line to tell it by (nor for a LowCardinality or FixedString column).
 */
export async function planLineSplit(options: Parameters<typeof planSplit>[0]): Promise<LineSplitPlan | null> {
  return abortable({ signal: options.signal, work: () => planSplit(options) });
}

async function planSplit({
  client,
  target,
  table,
  column,
  primaryKey,
  format = { name: "auto" },
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  signal,
}: {
  client: ClickHouseClient;
  target: Pick<ClickHouseTarget, "database" | "display">;
  table: string;
  column: string;
  primaryKey?: string | undefined;
  format?: FormatSpec | undefined;
  maxLineLength?: number | undefined;
  signal?: AbortSignal | undefined;
}): Promise<LineSplitPlan | null> {
  const source = `${target.display}#${table}`;
  const { columns, key, raw } = await tableColumns({
    client,
    target,
    table,
    column,
    primaryKey,
    signal,
  });
  const from = `${chIdentifier(target.database)}.${chIdentifier(table)}`;
  const order = key === undefined ? "" : ` ORDER BY ${chIdentifier(key.name)}`;
  // 18.16's string functions fail on its experimental LowCardinality and take no FixedString (whose
  // padding the stream reads, and which toString drops): such columns are streamed instead.
  if (raw!.type.includes("LowCardinality") || raw!.type.includes("FixedString")) return null;
  const name = chIdentifier(raw!.name);
  // The first non-blank lines, as the streamed read samples them: blank and overlong lines are skipped.
  const sample: string[] = [];
  for (let offset = 0; sample.length < SNIFF_LINES; offset += SAMPLE_PAGE) {
    const rows = await selectJson({
      client,
      sql: `SELECT ${name} AS line FROM ${from}${order} LIMIT ${offset}, ${SAMPLE_PAGE}`,
      signal,
    });
    for (const row of rows) {
      const line = lineOf(row.line);
      if (line !== null && !isBlank(line) && line.length <= maxLineLength && sample.length < SNIFF_LINES)
        sample.push(line);
    }
    if (rows.length < SAMPLE_PAGE) break;
  }
  if (sample.length === 0) return null;
  const resolved = resolveFormat({ spec: format, lines: sample });
  const spec = resolved.spec;
  const layout = spec.name === "ncsa" ? spec.layout : spec.name;
  if (layout !== "common" && layout !== "combined") return null;
  const parser = createParser(spec);
  const warnings: string[] = [];
  if (resolved.sampled > 0 && resolved.parsed * 2 < resolved.sampled) {
    warnings.push(
      `${source}: only ${resolved.parsed} of ${resolved.sampled} sample lines parse as ${parser.description}; name the format if that is not it`,
    );
  }
  return {
    source,
    layout,
    leftoverFormat: spec,
    format: format.name === "auto" ? `${parser.description}, auto-detected` : parser.description,
    warnings,
    column: raw!.name,
    maxLineLength,
    from,
    order,
    split: withKey(
      splitLines({
        column: name,
        layout,
        maxLineLength,
        prefix: aliasPrefix(columns.map((c) => c.name)),
      }),
      key,
    ),
  };
}

function withKey(split: LineSplit, key: DescribedColumn | undefined): LineSplit {
  if (key === undefined) return split;
  return {
    ...split,
    fields: { ...split.fields, primary_key: extraText({ type: key.type, sql: chIdentifier(key.name) }) },
  };
}

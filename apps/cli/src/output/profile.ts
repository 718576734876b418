import { formatCount, type ValueFrequency } from "@oddity/core";
import type { Palette } from "./color.js";
import { csvRow } from "./csv.js";
import { escapeTerminal } from "./escape.js";
import { jsonText } from "./json.js";
import { renderTable, type Column } from "./table.js";

/** One profiled table: a field's value counts, or a conditional table `target|given`. */
export interface ProfileTable {
  /** `user_agent`, or `status|ip` for P(status | ip). */
  key: string;
  rows: ValueFrequency[];
  /** Rows left out by `--top`. */
  omitted: number;
  /** Distinct values (or given/value pairs) in all. */
  distinct: number;
  conditional: boolean;
}

/** `--format json`: `{"total": N, "fields": {"<field>": [{"value", "count", "probability"(, "given")}]}}`. */
export function profileJSON({ total, tables }: { total: number; tables: readonly ProfileTable[] }): string {
  const fields: Record<string, ValueFrequency[]> = Object.create(null) as Record<string, ValueFrequency[]>;
  for (const table of tables) {
    fields[table.key] = table.rows.map((row) =>
      row.given === undefined
        ? { value: row.value, count: row.count, probability: row.probability }
        : { value: row.value, count: row.count, probability: row.probability, given: row.given },
    );
  }
  return `${jsonText({ total, fields }, 2)}\n`;
}

export function profileCsv(tables: readonly ProfileTable[]): string {
  let out = csvRow(["field", "given", "value", "count", "probability"]);
  for (const table of tables) {
    for (const row of table.rows)
      out += csvRow([table.key, row.given ?? null, row.value, row.count, row.probability]);
  }
  return out;
}

/**
 * The lesson's `value_counts_and_frequencies` as text: value, count, probability to six decimals, one
 * block per field, fitted to `width` columns.
 */
export function profileTableText({
  total,
  tables,
  width,
  palette,
}: {
  total: number;
  tables: readonly ProfileTable[];
  width: number;
  palette: Palette;
}): string {
  const blocks = tables.map((table) => {
    const [target, given] = table.key.split("|");
    const title = table.conditional
      ? `${palette.bold(`${target} given ${given}`)} ${palette.dim(`(P(${target} | ${given}), ${formatCount(total)} records)`)}`
      : `${palette.bold(table.key)} ${palette.dim(`(${formatCount(total)} records, ${formatCount(table.distinct)} distinct)`)}`;
    const columns: Column[] = [
      ...(table.conditional ? [{ header: given!, min: 8 }] : []),
      { header: "value", flex: true, min: 12 },
      { header: "count", align: "right" },
      { header: "proba", align: "right" },
    ];
    let previous: string | undefined;
    const rows = table.rows.map((row) => {
      const cells = [escapeTerminal(row.value), formatCount(row.count), row.probability.toFixed(6)];
      if (!table.conditional) return cells;
      const shown = row.given === previous ? "" : escapeTerminal(row.given ?? "");
      previous = row.given;
      return [shown, ...cells];
    });
    const lines = [title, ...renderTable({ columns, rows, width, headerStyle: palette.dim })];
    if (table.omitted > 0)
      lines.push(palette.dim(`… ${formatCount(table.omitted)} more (use --top 0 for all)`));
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}

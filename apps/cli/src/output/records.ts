import type { LogRecord } from "@oddity/core";
import type { Palette } from "./color.js";
import { locationNames } from "./anomalies.js";
import { csvRow } from "./csv.js";
import { escapeTerminal } from "./escape.js";
import { renderTable, type Column } from "./table.js";

const CSV_FIELDS = [
  "source",
  "line",
  "time_text",
  "ip",
  "ident",
  "user",
  "method",
  "path",
  "http_version",
  "status",
  "size",
  "referer",
  "user_agent",
  "raw",
] as const;

export function recordsCsvHeader(): string {
  return csvRow([...CSV_FIELDS]);
}

export function recordCsv(record: LogRecord): string {
  return csvRow(CSV_FIELDS.map((field) => record[field]));
}

const dash = (value: string | number | null) => (value === null ? "-" : String(value));

/** Matching records as a terminal table, like the lesson's DataFrame view; every value escaped. */
function extraText(extra: Readonly<Record<string, string>> | null): string {
  if (extra === null) return "-";
  return Object.keys(extra)
    .map((key) => `${key}=${extra[key]!}`)
    .join(" ");
}

export function recordsTable({
  records,
  width,
  palette,
}: {
  records: readonly LogRecord[];
  width: number;
  palette: Palette;
}): string {
  const columns: Column[] = [
    { header: "where", flex: 1, min: 10, cut: "start" },
    { header: "time", min: 20 },
    { header: "ip", min: 15 },
    { header: "method", min: 7 },
    { header: "path", flex: 2, min: 12 },
    { header: "status", align: "right", min: 6 },
    { header: "size", align: "right" },
    { header: "user_agent", flex: 3, min: 12 },
  ];
  // Format extras (x_forwarded_for, request_time, upstream_status ...) get one column, when any record has them.
  const withExtra = records.some((r) => r.extra !== null);
  if (withExtra) columns.push({ header: "extra", flex: 2, min: 12 });

  const names = locationNames(records.map((r) => r.source));
  const rows = records.map((r) =>
    [
      `${names.get(r.source)!}:${r.line}`,
      dash(r.time_text),
      dash(r.ip),
      dash(r.method),
      dash(r.path),
      dash(r.status),
      dash(r.size),
      dash(r.user_agent),
      ...(withExtra ? [extraText(r.extra)] : []),
    ].map(escapeTerminal),
  );
  return `${renderTable({ columns, rows, width, headerStyle: palette.dim }).join("\n")}\n`;
}

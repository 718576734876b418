import type { Finding, ScoredRecord } from "@oddity/core";
import type { Palette } from "./color.js";
import { csvRow } from "./csv.js";
import { escapeTerminal } from "./escape.js";
import { jsonText } from "./json.js";
import { layoutTable, truncate, type Column } from "./table.js";

/** One anomaly as the machine-readable formats print it. */
export interface AnomalyJSON {
  source: string;
  line: number;
  raw: string;
  /** The request time (ISO 8601), null when the format has none. */
  time: string | null;
  score: number;
  findings: Array<
    Pick<
      Finding,
      | "detector"
      | "kind"
      | "fields"
      | "values"
      | "probability"
      | "surprisal"
      | "threshold"
      | "counts"
      | "message"
    > & { statistics?: Record<string, number> }
  >;
}

/** The output formats of commands that print anomalies. */
export type AnomalyFormat = "table" | "json" | "ndjson" | "csv";

// Date covers ±8.64e15 ms; a crafted timestamp beyond it must not throw while printing.
function isoTime(t: number | null): string | null {
  return t !== null && Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : null;
}

/** What the outputs print of a finding: its contract fields, never a plugin's own extra properties. */
export function printedFinding(f: Finding): Finding {
  return {
    detector: f.detector,
    kind: f.kind,
    fields: f.fields,
    values: f.values,
    probability: f.probability,
    surprisal: f.surprisal,
    threshold: f.threshold,
    counts: f.counts,
    message: f.message,
    ...(f.statistics === undefined ? {} : { statistics: f.statistics }),
  };
}

export function anomalyToJSON({ record, score, findings }: ScoredRecord): AnomalyJSON {
  return {
    source: record.source,
    line: record.line,
    raw: record.raw,
    time: isoTime(record.time),
    score,
    findings: findings.map(printedFinding),
  };
}

/** One NDJSON line: valid JSON on one line whatever the log held (see {@link jsonText}). */
export function anomalyNdjson(scored: ScoredRecord): string {
  return `${jsonText(anomalyToJSON(scored))}\n`;
}

export const ANOMALY_CSV_HEADER = csvRow(["score", "source", "line", "detectors", "explanation", "raw"]);

/** One CSV row per anomaly; findings are joined with ` | ` strongest first. */
export function anomalyCsv({ record, score, findings }: ScoredRecord): string {
  return csvRow([
    Number(score.toFixed(3)),
    record.source,
    record.line,
    [...new Set(findings.map((f) => f.detector))].join(" "),
    findings.map((f) => f.message).join(" | "),
    record.raw,
  ]);
}

/** Sources as the table shows them: file names alone when those are unambiguous, else as given. */
export function locationNames(sources: readonly string[]): Map<string, string> {
  const unique = [...new Set(sources)];
  const base = (source: string) => source.split(/[\\/]/).pop() || source;
  const bases = new Set(unique.map(base));
  return new Map(unique.map((source) => [source, bases.size === unique.length ? base(source) : source]));
}

function bits(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : "∞";
}

/**
 * The ranked anomalies as a terminal table no wider than `width`: one row per finding under its record,
 * then the raw line, every log-derived text escaped.
 */
export function anomalyTable({
  anomalies,
  width,
  palette,
}: {
  anomalies: readonly ScoredRecord[];
  width: number;
  palette: Palette;
}): string {
  if (anomalies.length === 0) return "";
  const columns: Column[] = [
    { header: "#", align: "right" },
    { header: "score", align: "right", style: palette.bold },
    { header: "where", flex: 1, min: 12, cut: "start" },
    { header: "detector", min: 6 },
    { header: "bits", align: "right" },
    { header: "explanation", flex: 2, min: 20, wrap: true },
  ];
  const names = locationNames(anomalies.map((a) => a.record.source));
  const rows: string[][] = [];
  const owner: number[] = [];
  anomalies.forEach(({ record, score, findings }, i) => {
    findings.forEach((f, j) => {
      rows.push([
        j === 0 ? String(i + 1) : "",
        j === 0 ? bits(score) : "",
        j === 0 ? escapeTerminal(`${names.get(record.source)!}:${record.line}`) : "",
        escapeTerminal(`${f.detector}/${f.kind}`),
        bits(f.surprisal),
        escapeTerminal(f.message),
      ]);
      owner.push(i);
    });
  });
  const table = layoutTable({ columns, rows, width, headerStyle: palette.dim });
  const out = [table.header];
  table.rows.forEach((lines, r) => {
    out.push(...lines);
    const i = owner[r]!;
    if (owner[r + 1] !== i)
      out.push(palette.dim(`    ${truncate(escapeTerminal(anomalies[i]!.record.raw), width - 4)}`));
  });
  return `${out.join("\n")}\n`;
}

import type { Finding, ScoredRecord } from "@oddity/core";
import type { Palette } from "./color.js";
import { csvRow } from "./csv.js";
import { escapeTerminal } from "./escape.js";
import { jsonText } from "./json.js";
import { isoTime, recordJSON, type RecordJSON } from "./record-json.js";
import { MAX_CLIENTS_COUNTED, recordIncidentId, type Incident, type IncidentTime } from "./incidents.js";
import { layoutTable, truncate, type Column } from "./table.js";

/** One anomaly as the machine-readable formats print it: the record's fields, its incident, score and findings. */
export interface AnomalyJSON extends RecordJSON {
  /** The incident (client and evidence) the record belongs to: the id the table's grouping uses. */
  incident: string;
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

/** What the outputs print of a finding: its contract fields, never a plugin's own extra properties. */
export function printedFinding(f: Finding): Finding {
  return {
    detector: f.detector,
    kind: f.kind,
    fields: f.fields,
    values: f.values,
    ...(f.subject === undefined ? {} : { subject: f.subject }),
    probability: f.probability,
    surprisal: f.surprisal,
    threshold: f.threshold,
    counts: f.counts,
    message: f.message,
    ...(f.statistics === undefined ? {} : { statistics: f.statistics }),
  };
}

/** One anomaly for `json` and `ndjson`: the parsed fields beside the raw line, so `jq` need not re-parse it. */
export function anomalyToJSON(scored: ScoredRecord): AnomalyJSON {
  const { source, line, ...fields } = recordJSON(scored.record);
  return {
    source,
    line,
    incident: recordIncidentId(scored),
    ...fields,
    score: scored.score,
    findings: scored.findings.map(printedFinding),
  };
}

/** One NDJSON line: valid JSON on one line whatever the log held (see {@link jsonText}). */
export function anomalyNdjson(scored: ScoredRecord): string {
  return `${jsonText(anomalyToJSON(scored))}\n`;
}

export const ANOMALY_CSV_HEADER = csvRow([
  "score",
  "source",
  "line",
  "incident",
  "detectors",
  "explanation",
  "raw",
]);

/** One CSV row per anomaly; findings are joined with ` | ` strongest first. */
export function anomalyCsv(scored: ScoredRecord): string {
  const { record, score, findings } = scored;
  return csvRow([
    Number(score.toFixed(3)),
    record.source,
    record.line,
    recordIncidentId(scored),
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

function span(incident: Incident): string {
  const { first, last } = incident;
  if (first === null || last === null) return "";
  const text = (t: IncidentTime) => t.text ?? isoTime(t.time) ?? String(t.time);
  return first.time === last.time ? text(first) : `${text(first)} → ${text(last)}`;
}

/** The line under an incident's findings: who, how many, when (as the log wrote its times). */
function incidentLine(incident: Incident): string {
  const who =
    incident.client !== null
      ? `client ${incident.client}`
      : incident.clients === 1
        ? "no client address"
        : `${incident.clients}${incident.clients > MAX_CLIENTS_COUNTED ? "+" : ""} clients`;
  const count = `${incident.count.toLocaleString("en-US")} record${incident.count === 1 ? "" : "s"}`;
  return [who, count, span(incident)].filter((part) => part !== "").join(" · ");
}

/**
 * Incidents as a terminal table no wider than `width` (Infinity: nothing wrapped or cut, for pipes and
 * files): one row per finding of the incident's strongest record, then who, how many and when, then
 * that record's raw line; every log-derived text escaped.
 */
export function incidentTable({
  incidents,
  width,
  palette,
}: {
  incidents: readonly Incident[];
  width: number;
  palette: Palette;
}): string {
  if (incidents.length === 0) return "";
  const columns: Column[] = [
    { header: "#", align: "right" },
    { header: "score", align: "right", style: palette.bold },
    { header: "n", align: "right" },
    { header: "where", flex: 1, min: 10, cut: "start" },
    { header: "detector", min: 6 },
    { header: "bits", align: "right" },
    { header: "explanation", flex: 2, min: 20, wrap: true },
  ];
  const names = locationNames(incidents.map((a) => a.example.record.source));
  const rows: string[][] = [];
  const owner: number[] = [];
  incidents.forEach(({ example: { record, score, findings }, count }, i) => {
    findings.forEach((f, j) => {
      rows.push([
        j === 0 ? String(i + 1) : "",
        j === 0 ? bits(score) : "",
        j === 0 ? count.toLocaleString("en-US") : "",
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
  const under = (text: string) => palette.dim(`    ${truncate(escapeTerminal(text), width - 4)}`);
  table.rows.forEach((lines, r) => {
    out.push(...lines);
    const i = owner[r]!;
    if (owner[r + 1] === i) return;
    out.push(under(incidentLine(incidents[i]!)), under(incidents[i]!.example.record.raw));
  });
  return `${out.join("\n")}\n`;
}

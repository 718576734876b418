import type { CombineMode, InputStats, Model, ScoredRecord } from "@oddity/core";
import {
  ANOMALY_CSV_HEADER,
  anomalyCsv,
  anomalyNdjson,
  anomalyToJSON,
  incidentTable,
  type AnomalyFormat,
} from "./anomalies.js";
import type { Palette } from "./color.js";
import { groupIncidents, type GroupBy } from "./incidents.js";
import { jsonText } from "./json.js";
import type { Sink } from "./sink.js";

/** The `summary` object of `--format json`: totals, what ran, and what the model was fitted on. */
export interface RunSummaryJSON {
  inputs: string[];
  format: string | null;
  read: number;
  parsed: number;
  rejected: number;
  blank: number;
  bytes: number;
  /** Records per layout, when the format reads several (an auto-detected NCSA log). */
  layouts: Record<string, number>;
  /** Rejected lines per kind of reason. */
  rejectedBy: Record<string, number>;
  /** Parsed records the engine kept because no detector could flag them (`--engine`, a selection). */
  unscored: number;
  flagged: number;
  shown: number;
  minScore: number;
  combine: CombineMode;
  detectors: Array<{ id: string; use: string; name: string; options: unknown }>;
  baseline: {
    inputs: string[] | null;
    records: number;
    from: string | null;
    to: string | null;
    sources: string[];
  };
  warnings: string[];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function summaryJSON({
  model,
  stats,
  inputs,
  format,
  flagged,
  shown,
  baselineInputs,
  warnings,
}: {
  model: Model;
  stats: InputStats;
  inputs: string[];
  format: string | null;
  flagged: number;
  shown: number;
  /** The separate baseline, or null when the model was fitted elsewhere or on the inputs themselves. */
  baselineInputs: string[] | null;
  warnings: readonly string[];
}): RunSummaryJSON {
  return {
    inputs,
    format,
    read: stats.read,
    parsed: stats.parsed,
    rejected: stats.rejected,
    blank: stats.blank,
    bytes: stats.bytes,
    layouts: stats.layouts ?? {},
    rejectedBy: stats.rejectedBy ?? {},
    unscored: stats.unscored ?? 0,
    flagged,
    shown,
    minScore: model.pipeline.scoring.minScore,
    combine: model.pipeline.scoring.combine,
    detectors: model.pipeline.detectors.map((d) => ({
      id: d.id,
      use: d.use,
      name: d.definition.meta.name,
      options: d.options,
    })),
    baseline: {
      inputs: baselineInputs,
      records: model.meta.records,
      from: iso(model.meta.timeRange.from),
      to: iso(model.meta.timeRange.to),
      sources: model.meta.sources,
    },
    warnings: [...new Set([...warnings, ...model.pipeline.warnings])],
  };
}

function* firstOf<T>(items: Iterable<T>, limit: number): Generator<T> {
  if (limit <= 0) return;
  let n = 0;
  for (const item of items) {
    yield item;
    if (++n >= limit) return;
  }
}

/**
 * Writes ranked anomalies in any format; the JSON form carries the summary. Anomalies are written one
 * at a time as they are read, so a ranking kept on disk is never all in memory. A table groups them
 * into incidents (`group`) and shows the first `limit`; the other formats print every anomaly given.
 */
export async function writeRanked({
  sink,
  format,
  anomalies,
  summary,
  palette,
  minScore,
  group = "incident",
  limit = Number.POSITIVE_INFINITY,
}: {
  sink: Sink;
  format: AnomalyFormat;
  anomalies: Iterable<ScoredRecord>;
  summary: RunSummaryJSON;
  palette: Palette;
  minScore: number;
  /** How a table groups anomalies (default: incidents). */
  group?: GroupBy;
  /** Table rows (incidents) or anomalies to show. */
  limit?: number;
}): Promise<{ shown: number; rows: string | undefined }> {
  const listed = format === "table" ? anomalies : firstOf(anomalies, limit);
  switch (format) {
    case "json": {
      // Each anomaly goes into the document's empty list with the indentation JSON.stringify gives a
      // list item (string values never hold a raw newline), so the bytes equal stringifying it whole.
      const document = jsonText({ summary, anomalies: [] }, 2);
      const list = document.lastIndexOf("[]");
      let first = true;
      for (const anomaly of listed) {
        const item = jsonText(anomalyToJSON(anomaly), 2).replaceAll("\n", "\n    ");
        await sink.write(first ? `${document.slice(0, list)}[\n    ${item}` : `,\n    ${item}`);
        first = false;
      }
      await sink.write(first ? `${document}\n` : `\n  ]${document.slice(list + 2)}\n`);
      return { shown: summary.shown, rows: undefined };
    }
    case "ndjson":
      for (const anomaly of listed) await sink.write(anomalyNdjson(anomaly));
      return { shown: summary.shown, rows: undefined };
    case "csv":
      await sink.write(ANOMALY_CSV_HEADER);
      for (const anomaly of listed) await sink.write(anomalyCsv(anomaly));
      return { shown: summary.shown, rows: undefined };
    case "table": {
      const incidents = groupIncidents({ ranked: anomalies, group, limit });
      // Only a terminal gets wrapped and cut cells: in a pipe or a file every line stays whole for grep.
      const width = sink.isTTY ? sink.columns : Number.POSITIVE_INFINITY;
      await sink.write(
        incidents.length === 0
          ? `No anomalies${minScore > 0 ? ` scoring ${minScore} bits or more` : ""} in ${summary.parsed.toLocaleString("en-US")} records.\n`
          : incidentTable({ incidents, width, palette }),
      );
      return {
        shown: incidents.length,
        rows:
          group === "none"
            ? undefined
            : `${group === "incident" ? "incident" : `${group} group`}${incidents.length === 1 ? "" : "s"}`,
      };
    }
  }
}

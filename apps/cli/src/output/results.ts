import type { CombineMode, InputStats, Model, ScoredRecord } from "@oddity/core";
import {
  ANOMALY_CSV_HEADER,
  anomalyCsv,
  anomalyNdjson,
  anomalyTable,
  anomalyToJSON,
  type AnomalyFormat,
} from "./anomalies.js";
import type { Palette } from "./color.js";
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

/**
 * Writes ranked anomalies in any format; the JSON form carries the summary. Anomalies are written one
 * at a time as they are read, so a ranking kept on disk is never all in memory (except for a table,
 * which lays out all its rows together).
 */
export async function writeRanked({
  sink,
  format,
  anomalies,
  summary,
  palette,
  minScore,
}: {
  sink: Sink;
  format: AnomalyFormat;
  anomalies: Iterable<ScoredRecord>;
  summary: RunSummaryJSON;
  palette: Palette;
  minScore: number;
}): Promise<void> {
  switch (format) {
    case "json": {
      // Each anomaly goes into the document's empty list with the indentation JSON.stringify gives a
      // list item (string values never hold a raw newline), so the bytes equal stringifying it whole.
      const document = jsonText({ summary, anomalies: [] }, 2);
      const list = document.lastIndexOf("[]");
      let first = true;
      for (const anomaly of anomalies) {
        const item = jsonText(anomalyToJSON(anomaly), 2).replaceAll("\n", "\n    ");
        await sink.write(first ? `${document.slice(0, list)}[\n    ${item}` : `,\n    ${item}`);
        first = false;
      }
      await sink.write(first ? `${document}\n` : `\n  ]${document.slice(list + 2)}\n`);
      return;
    }
    case "ndjson":
      for (const anomaly of anomalies) await sink.write(anomalyNdjson(anomaly));
      return;
    case "csv":
      await sink.write(ANOMALY_CSV_HEADER);
      for (const anomaly of anomalies) await sink.write(anomalyCsv(anomaly));
      return;
    case "table": {
      const rows = [...anomalies];
      await sink.write(
        rows.length === 0
          ? `No anomalies${minScore > 0 ? ` scoring ${minScore} bits or more` : ""} in ${summary.parsed.toLocaleString("en-US")} records.\n`
          : anomalyTable({ anomalies: rows, width: sink.columns, palette }),
      );
    }
  }
}

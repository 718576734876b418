import {
  DEFAULT_SCORING,
  getField,
  type Finding,
  type InputStats,
  type Model,
  type ScoredRecord,
  type Summary,
} from "@oddity/core";
import type { ReportCollector } from "./collector.js";
import { clipValue, limitConditional, limitDistribution, limitFrequency, type Limited } from "./limit.js";
import { distributionPoints, groupFields } from "./links.js";
import type { ReportAnomaly, ReportData, ReportDetector, TimelineData } from "./types.js";

/** Characters of a raw log line kept per anomaly. */
export const MAX_RAW_LENGTH = 2000;
/** Characters of a finding message kept. */
const MAX_MESSAGE_LENGTH = 1000;

/** What {@link buildReport} needs: the fitted model, the run's totals and its ranked anomalies. */
export interface BuildReportInput {
  /** The model the inputs were scored against; its detectors' `summarize` feed the charts. */
  model: Model;
  /** Totals of the scored inputs. */
  stats: InputStats;
  /** The inputs as the user named them. */
  inputs: string[];
  /** The log format used (description), null when unknown. */
  format: string | null;
  /** Ranked; the report lists every one. */
  anomalies: readonly ScoredRecord[];
  /** Names the incident of an anomaly (the CLI's client-and-evidence id), so the page can filter by it. */
  incidentOf?: (scored: ScoredRecord, index: number) => string | null;
  /** Saw every scored record: gives the timeline and the flagged total. */
  collector: ReportCollector;
  /** Warnings of the run (detector warnings from the model are added). */
  warnings: string[];
  /** E.g. `oddity 0.1.0`. */
  generatedBy?: string;
  /** Page title (default `oddity report`). */
  title?: string;
  /** The build time (default now); fixed in tests. */
  now?: Date;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function clipFinding(f: Finding): Finding {
  return {
    ...f,
    values: f.values.map(clipValue),
    message: f.message.length > MAX_MESSAGE_LENGTH ? `${f.message.slice(0, MAX_MESSAGE_LENGTH)}…` : f.message,
  };
}

/** The record fields the distribution charts need to place an anomaly: each chart's value and group. */
function chartFields(summaries: readonly Summary[]): string[] {
  const names = new Set<string>();
  for (const s of summaries) {
    if (s.kind !== "distribution") continue;
    names.add(s.field);
    for (const name of groupFields(s)) names.add(name);
  }
  return [...names].sort();
}

/** Turns scored records into table rows: bounded raw line, clipped values, the chart fields. */
export function toReportAnomalies(
  anomalies: readonly ScoredRecord[],
  fields: readonly string[],
  incidentOf: (scored: ScoredRecord, index: number) => string | null = () => null,
): ReportAnomaly[] {
  return anomalies.map((scored, i) => {
    const { record, score, findings } = scored;
    const values: Record<string, string | number | null> = Object.create(null) as Record<
      string,
      string | number | null
    >;
    for (const name of fields) {
      const value = getField(record, name);
      values[name] = typeof value === "string" ? clipValue(value) : value;
    }
    const raw = record.raw.length > MAX_RAW_LENGTH ? record.raw.slice(0, MAX_RAW_LENGTH) : record.raw;
    return {
      rank: i + 1,
      source: clipValue(record.source),
      line: record.line,
      raw,
      rawCut: record.raw.length - raw.length,
      score,
      time: record.time,
      timeText: record.time_text === null ? null : clipValue(record.time_text),
      incident: incidentOf(scored, i),
      fields: values,
      findings: findings.map(clipFinding),
    };
  });
}

/** Summaries of every detector that has `summarize`; a failing one becomes a warning, not a lost report. */
export function collectSummaries(model: Model, warnings: string[]): Summary[] {
  const summaries: Summary[] = [];
  model.pipeline.detectors.forEach((d, i) => {
    if (!d.hooks.summarize) return;
    try {
      summaries.push(...d.hooks.summarize(model.states[i]));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warnings.push(`${d.id}: could not summarize its statistics for the report: ${reason}`);
    }
  });
  return summaries;
}

/** Cuts each summary to what its chart shows, preferring distribution groups that hold listed anomalies. */
export function limitSummaries(
  summaries: readonly Summary[],
  anomalies: readonly ReportAnomaly[],
): { summaries: Summary[]; omitted: ReportData["omitted"] } {
  const omitted: ReportData["omitted"] = [];
  const limited = summaries.map((s, index) => {
    let result: Limited<Summary>;
    if (s.kind === "frequencies") result = limitFrequency(s);
    else if (s.kind === "conditional") result = limitConditional(s);
    else {
      const preferred = new Set(distributionPoints(s, anomalies).map((p) => p.group));
      result = limitDistribution(s, preferred);
    }
    if (result.omitted) omitted.push({ summary: index, ...result.omitted });
    return result.summary;
  });
  return { summaries: limited, omitted };
}

/** The detectors of a model as the report lists them (options made plain JSON). */
export function reportDetectors(model: Model): ReportDetector[] {
  return model.pipeline.detectors.map((d) => ({
    id: d.id,
    use: d.use,
    name: d.definition.meta.name,
    description: d.definition.meta.description,
    options: JSON.parse(JSON.stringify(d.options ?? null)) as unknown,
  }));
}

/** Assembles report data from its parts; shared by {@link buildReport} and saved-results reports. */
export function assembleReport({
  model,
  stats,
  inputs,
  format,
  anomalies,
  timeline,
  flagged,
  warnings,
  detectors,
  generatedBy,
  title,
  now,
  incidentOf,
}: {
  model: Model | null;
  stats: InputStats;
  inputs: string[];
  format: string | null;
  anomalies: readonly ScoredRecord[];
  timeline: TimelineData | null;
  flagged: number;
  warnings: readonly string[];
  detectors?: ReportDetector[];
  generatedBy?: string;
  title?: string;
  now?: Date;
  incidentOf?: ((scored: ScoredRecord, index: number) => string | null) | undefined;
}): ReportData {
  const allWarnings = [...warnings];
  const summaries = model === null ? [] : collectSummaries(model, allWarnings);
  if (model !== null) allWarnings.push(...model.pipeline.warnings);
  const rows = toReportAnomalies(anomalies, chartFields(summaries), incidentOf);
  const limited = limitSummaries(summaries, rows);
  const meta = model?.meta;
  return {
    format: "oddity-report",
    version: 1,
    title: title ?? "oddity report",
    generatedAt: (now ?? new Date()).toISOString(),
    generatedBy: generatedBy ?? null,
    run: {
      inputs: [...inputs],
      format,
      stats: { ...stats },
      flagged: Math.max(flagged, anomalies.length),
      // A partial timeline (saved results) spans only the listed anomalies, not the run.
      timeRange:
        timeline?.complete === true
          ? { from: iso(timeline.from), to: iso(timeline.to) }
          : { from: null, to: null },
      warnings: [...new Set(allWarnings)],
    },
    baseline: meta
      ? {
          records: meta.records,
          sources: [...meta.sources],
          timeRange: { from: iso(meta.timeRange.from), to: iso(meta.timeRange.to) },
        }
      : null,
    detectors: model === null ? (detectors ?? []) : reportDetectors(model),
    scoring: model === null ? { ...DEFAULT_SCORING } : { ...model.pipeline.scoring },
    summaries: limited.summaries,
    omitted: limited.omitted,
    timeline,
    anomalies: rows,
  };
}

/**
 * Builds the data of a report for a detect/score run: the run's totals, the model's summaries cut to
 * chart size, the collector's timeline and the ranked anomalies. Plain JSON, bounded in size whatever
 * the input size (summaries and timeline are aggregates; anomalies are the top N passed in).
 */
export function buildReport(input: BuildReportInput): ReportData {
  const {
    model,
    stats,
    inputs,
    format,
    anomalies,
    collector,
    warnings,
    generatedBy,
    title,
    now,
    incidentOf,
  } = input;
  return assembleReport({
    model,
    stats,
    inputs,
    format,
    anomalies,
    timeline: collector.requests > 0 ? collector.timeline() : null,
    flagged: collector.flagged,
    warnings,
    generatedBy,
    title,
    now,
    incidentOf,
  });
}

import type { Finding, InputStats, ScoringOptions, Summary } from "@oddity/core";

/** Requests and flagged requests per time bucket, aggregated while scoring. */
export interface TimelineData {
  /** Width of one bucket in milliseconds; buckets start at multiples of it since the epoch. */
  bucketMs: number;
  /** Buckets from the first to the last timed record, gaps filled with zeros, oldest first. */
  buckets: Array<{ start: number; requests: number; flagged: number }>;
  /** Records without a usable time: counted, not drawn. */
  untimed: { requests: number; flagged: number };
  /** Earliest and latest record time (epoch ms), null when no record had a time. */
  from: number | null;
  to: number | null;
  /** False when only the listed anomalies were counted (a report from saved results without the logs). */
  complete: boolean;
}

/** One ranked anomaly as the report shows it. */
export interface ReportAnomaly {
  /** 1-based rank among all anomalies of the run. */
  rank: number;
  source: string;
  line: number;
  /** The log line, shortened to a bounded length. */
  raw: string;
  /** Characters cut from `raw` (0 when whole). */
  rawCut: number;
  score: number;
  /** Request time (epoch ms), for the timeline. */
  time: number | null;
  /** The request time as the log wrote it (in the log's own offset), clipped; null when absent. */
  timeText?: string | null;
  /** The incident (client and evidence) the record belongs to, as the CLI names it; null when unknown. */
  incident?: string | null;
  /** The record's values of the fields the distribution charts use (the value and its group). */
  fields: Record<string, string | number | null>;
  findings: Finding[];
}

/** A configured detector as the report lists it. */
export interface ReportDetector {
  id: string;
  use: string;
  name: string;
  description: string;
  options: unknown;
}

/**
 * Everything a report shows, as plain JSON: {@link renderReport} turns it into HTML, and it can be
 * saved and rendered again later. Sizes are bounded: summaries are cut to what a chart can show and the
 * anomalies to the ones passed in.
 */
export interface ReportData {
  format: "oddity-report";
  version: 1;
  title: string;
  /** ISO 8601 time the data was built. */
  generatedAt: string;
  /** The tool that built it, e.g. `oddity 0.1.0`. */
  generatedBy: string | null;
  run: {
    inputs: string[];
    format: string | null;
    stats: InputStats;
    /** Records flagged in the whole run (the table may show fewer). */
    flagged: number;
    /** ISO times of the earliest and latest scored record. */
    timeRange: { from: string | null; to: string | null };
    warnings: string[];
  };
  /** What the model was fitted on; null when unknown. */
  baseline: {
    records: number;
    sources: string[];
    timeRange: { from: string | null; to: string | null };
  } | null;
  detectors: ReportDetector[];
  scoring: ScoringOptions;
  /** What each detector knows, for the charts (frequencies, conditional tables, distributions). */
  summaries: Summary[];
  /** Values a chart leaves out because there were too many, by summary index. */
  omitted: Array<{ summary: number; what: string; count: number }>;
  timeline: TimelineData | null;
  anomalies: ReportAnomaly[];
}

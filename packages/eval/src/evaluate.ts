import {
  combineFindings,
  evidenceGroups,
  createFitter,
  createScorer,
  type CombineMode,
  fitProtected,
  type Finding,
  type LogRecord,
  type Model,
  type Pipeline,
  type RecordBatch,
} from "@oddity/core";
import { computeMetrics, rankIndexes, type Metrics } from "./metrics.js";

/** What {@link evaluate} needs. */
export interface EvaluateOptions {
  pipeline: Pipeline;
  /**
   * A clean baseline to fit on (hold-out mode). Without it the model is fitted on `records` themselves,
   * anomalies included: the realistic "fit and score the same log" mode, where protection matters.
   */
  baseline?: readonly LogRecord[];
  /** The records to score. */
  records: readonly LogRecord[];
  /** Index in `records` → anomaly kind; every other record is normal. */
  labels: ReadonlyMap<number, string>;
  /** Cut-offs for precision@k (default 10, 50, 100). */
  k?: readonly number[];
  /** Fit, drop what the first model flags, refit (core's `fitProtected`). */
  protect?: boolean;
  /** How many of the highest-scoring normal records to list (default 10). */
  falsePositives?: number;
}

/** Metrics for one kind of anomaly: its records against all normal records, other kinds left out. */
export type KindMetrics = { kind: string } & Metrics;

/** What one detector contributes. */
export interface DetectorMetrics {
  detector: string;
  /** The record score built from this detector's findings only (as if it ran alone on the same model). */
  alone: Metrics;
  /** The score without this detector's findings: what the pipeline loses if it is removed. */
  without: Metrics;
  /** `alone`, per kind. */
  byKind: KindMetrics[];
}

/** What baseline protection dropped, and how many of the dropped records were planted anomalies. */
export interface ProtectionFigures {
  dropped: number;
  kept: number;
  /** Dropped records that are labelled anomalies (only possible when fitting on the scored log). */
  droppedAnomalies: number;
  /** Labelled anomalies that were in the fitted baseline. */
  anomaliesInBaseline: number;
}

/** A normal record the pipeline ranked high: what precision loses to. */
export interface FalsePositive {
  source: string;
  line: number;
  score: number;
  raw: string;
  /** The findings' messages, strongest first. */
  findings: string[];
}

/** The figures of one evaluation. */
export interface EvaluationResult {
  mode: "hold-out" | "same-log";
  protect: boolean;
  /** Records the final model was fitted on (after protection). */
  baselineRecords: number;
  records: number;
  anomalies: number;
  overall: Metrics;
  byKind: KindMetrics[];
  byDetector: DetectorMetrics[];
  protection: ProtectionFigures | null;
  topFalsePositives: FalsePositive[];
  /** Warnings detectors raised while fitting and scoring. */
  warnings: string[];
}

export const DEFAULT_K: readonly number[] = [10, 50, 100];

async function fit({
  pipeline,
  records,
  protect,
  labelled,
}: {
  pipeline: Pipeline;
  records: readonly LogRecord[];
  protect: boolean;
  labelled: ReadonlyMap<number, string> | null;
}): Promise<{ model: Model; protection: ProtectionFigures | null }> {
  if (!protect) {
    const fitter = createFitter(pipeline);
    for (const record of records) fitter.observe(record);
    return { model: fitter.finish(), protection: null };
  }
  const batch: RecordBatch = { records: [...records], rejections: [], blank: 0, read: records.length };
  const { model, protection } = await fitProtected({
    pipeline,
    read: () => [batch],
    sample: Number.POSITIVE_INFINITY,
  });
  const dropped = new Set(protection.top.map((scored) => scored.record));
  let droppedAnomalies = 0;
  if (labelled !== null) for (const i of labelled.keys()) if (dropped.has(records[i]!)) droppedAnomalies++;
  return {
    model,
    protection: {
      dropped: protection.dropped,
      kept: protection.kept,
      droppedAnomalies,
      anomaliesInBaseline: labelled?.size ?? 0,
    },
  };
}

function combine({
  findings,
  keep,
  mode,
  groups,
}: {
  findings: readonly Finding[];
  keep: (f: Finding) => boolean;
  mode: CombineMode;
  groups: ReadonlyMap<string, string>;
}): number | null {
  const kept = findings.filter(keep);
  return kept.length === 0 ? null : combineFindings({ findings: kept, mode, groups });
}

/** A score vector for one view of the findings (all, one detector, all but one). */
interface View {
  scores: Float64Array;
  flagged: boolean[];
}

function emptyView(n: number): View {
  return { scores: new Float64Array(n), flagged: new Array<boolean>(n).fill(false) };
}

function metricsByKind({
  view,
  kinds,
  labels,
  positive,
  k,
}: {
  view: View;
  kinds: readonly string[];
  labels: ReadonlyMap<number, string>;
  positive: readonly boolean[];
  k: readonly number[];
}): KindMetrics[] {
  return kinds.map((kind) => {
    const include = positive.map((p, i) => !p || labels.get(i) === kind);
    return { kind, ...computeMetrics({ ...view, positive, include, k }) };
  });
}

/**
 * Fits the pipeline (on `baseline`, or on `records` themselves), scores `records` and measures how well
 * the score finds the labelled anomalies: overall, per kind and per detector. A record's score is the
 * score the pipeline reports for it, 0 when it is not reported.
 */
export async function evaluate({
  pipeline,
  baseline,
  records,
  labels,
  k = DEFAULT_K,
  protect = false,
  falsePositives = 10,
}: EvaluateOptions): Promise<EvaluationResult> {
  const sameLog = baseline === undefined;
  const { model, protection } = await fit({
    pipeline,
    records: baseline ?? records,
    protect,
    labelled: sameLog ? labels : null,
  });
  const score = createScorer(model);
  const n = records.length;
  const ids = pipeline.detectors.map((d) => d.id);
  const mode = pipeline.scoring.combine;
  const groups = evidenceGroups(pipeline);
  const { minScore } = pipeline.scoring;
  const overall = emptyView(n);
  const alone = ids.map(() => emptyView(n));
  const without = ids.map(() => emptyView(n));
  const findings: Array<readonly Finding[] | null> = new Array<readonly Finding[] | null>(n).fill(null);
  const setView = (view: View, i: number, value: number | null) => {
    if (value !== null && value >= minScore) {
      view.scores[i] = value;
      view.flagged[i] = true;
    }
  };
  for (let i = 0; i < n; i++) {
    const scored = score(records[i]!);
    if (scored === null) continue;
    findings[i] = scored.findings;
    setView(overall, i, scored.score);
    ids.forEach((id, d) => {
      setView(
        alone[d]!,
        i,
        combine({ findings: scored.findings, keep: (f) => f.detector === id, mode, groups }),
      );
      setView(
        without[d]!,
        i,
        combine({ findings: scored.findings, keep: (f) => f.detector !== id, mode, groups }),
      );
    });
  }
  const positive = Array.from({ length: n }, (_, i) => labels.has(i));
  const kinds = [...new Set(labels.values())].sort();
  const top = rankIndexes(
    overall.scores,
    positive.flatMap((p, i) => (!p && overall.flagged[i] ? [i] : [])),
  ).slice(0, falsePositives);
  return {
    mode: sameLog ? "same-log" : "hold-out",
    protect,
    baselineRecords: model.meta.records,
    records: n,
    anomalies: labels.size,
    overall: computeMetrics({ ...overall, positive, k }),
    byKind: metricsByKind({ view: overall, kinds, labels, positive, k }),
    byDetector: ids.map((detector, d) => ({
      detector,
      alone: computeMetrics({ ...alone[d]!, positive, k }),
      without: computeMetrics({ ...without[d]!, positive, k }),
      byKind: metricsByKind({ view: alone[d]!, kinds, labels, positive, k }),
    })),
    protection,
    topFalsePositives: top.map((i) => ({
      source: records[i]!.source,
      line: records[i]!.line,
      score: overall.scores[i]!,
      raw: records[i]!.raw,
      findings: findings[i]!.map((f) => f.message),
    })),
    warnings: [...pipeline.warnings],
  };
}

import { addBatch, emptyStats, type InputStats, type RecordBatch } from "./batch.js";
import { DetectorError } from "./errors.js";
import type { Finding } from "./finding.js";
import { createFitter, type Model } from "./model.js";
import type { CombineMode, Pipeline } from "./pipeline.js";
import type { LogRecord } from "./record.js";

/** A record with its findings and combined score (bits). */
export interface ScoredRecord {
  record: LogRecord;
  /** Combined surprisal in bits (see `ScoringOptions.combine`). */
  score: number;
  /** Strongest first. */
  findings: Finding[];
}

function byStrength(a: Finding, b: Finding): number {
  return b.surprisal - a.surprisal || a.detector.localeCompare(b.detector) || a.kind.localeCompare(b.kind);
}

/**
 * Which findings count as one piece of evidence under `sum-max`: by detector id, the name of the
 * detector it is an instance of. Two instances of one detector (the client detector by address and by
 * user agent) judge the same requests by the same test, so only the stronger of their findings counts.
 */
export function evidenceGroups(pipeline: Pick<Pipeline, "detectors">): ReadonlyMap<string, string> {
  return new Map(pipeline.detectors.map((d) => [d.id, d.definition.meta.name]));
}

/**
 * A record's score from its findings, in bits (see `ScoringOptions.combine`). Exported so tools that
 * re-combine subsets of findings (per-detector evaluation) use exactly the engine's rule. `groups` (from
 * {@link evidenceGroups}) maps detector ids to the evidence they share; without it each id is its own.
 */
export function combineFindings({
  findings,
  mode,
  groups,
}: {
  findings: readonly Finding[];
  mode: CombineMode;
  groups?: ReadonlyMap<string, string>;
}): number {
  if (mode === "sum") {
    let score = 0;
    for (const f of findings) score += f.surprisal;
    return score;
  }
  if (mode === "max") {
    let score = 0;
    for (const f of findings) score = Math.max(score, f.surprisal);
    return score;
  }
  const strongest = new Map<string, number>();
  for (const f of findings) {
    const group = groups?.get(f.detector) ?? f.detector;
    strongest.set(group, Math.max(strongest.get(group) ?? 0, f.surprisal));
  }
  let score = 0;
  for (const bits of strongest.values()) score += bits;
  return score;
}

/**
 * Returns a function that scores one record against a model: null when no detector finds anything or the
 * score is under `minScore`.
 */
export function createScorer(model: Model): (record: LogRecord) => ScoredRecord | null {
  const { detectors, scoring } = model.pipeline;
  const { states } = model;
  const groups = evidenceGroups(model.pipeline);
  return (record) => {
    let findings: Finding[] | null = null;
    for (let i = 0; i < detectors.length; i++) {
      let found: readonly Finding[];
      try {
        found = detectors[i]!.hooks.score(states[i], record);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DetectorError(
          `detector "${detectors[i]!.id}" threw while scoring ${record.source}:${record.line}: ${reason}`,
          { cause: error },
        );
      }
      if (found.length > 0) (findings ??= []).push(...found);
    }
    if (findings === null) return null;
    findings.sort(byStrength);
    const score = combineFindings({ findings, mode: scoring.combine, groups });
    if (score < scoring.minScore) return null;
    return { record, score, findings };
  };
}

/** Ranking order: highest score first, then input order, so output is deterministic. */
export function compareScored(a: ScoredRecord, b: ScoredRecord): number {
  return (
    b.score - a.score ||
    (a.record.source < b.record.source ? -1 : a.record.source > b.record.source ? 1 : 0) ||
    a.record.line - b.record.line
  );
}

/**
 * Keeps the `limit` best-ranked records seen so far in bounded memory (all of them when limit is
 * Infinity).
 */
export class TopRecords {
  private items: ScoredRecord[] = [];
  private total = 0;
  constructor(private readonly limit: number = Number.POSITIVE_INFINITY) {}
  add(item: ScoredRecord): void {
    this.total++;
    this.items.push(item);
    if (this.items.length >= Math.max(2 * this.limit, 1024) && Number.isFinite(this.limit)) this.compact();
  }
  private compact(): void {
    this.items.sort(compareScored);
    this.items.length = Math.min(this.items.length, this.limit);
  }
  /** How many records were offered, kept or not. */
  get count(): number {
    return this.total;
  }
  /** The kept records, ranked. */
  ranked(): ScoredRecord[] {
    this.compact();
    return this.items;
  }
}

/** Fits a pipeline on batches of records; returns the model and the input totals. */
export async function fitBatches({
  pipeline,
  batches,
}: {
  pipeline: Pipeline;
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
}): Promise<{ model: Model; stats: InputStats }> {
  const fitter = createFitter(pipeline);
  const stats = emptyStats();
  for await (const batch of batches) {
    addBatch(stats, batch);
    for (const record of batch.records) fitter.observe(record);
  }
  return { model: fitter.finish(), stats };
}

/** Scores batches against a model, calling `onAnomaly` for each flagged record as it is found. */
export async function scoreBatches({
  model,
  batches,
  onAnomaly,
}: {
  model: Model;
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
  onAnomaly: (scored: ScoredRecord) => void | Promise<void>;
}): Promise<{ stats: InputStats; flagged: number }> {
  const score = createScorer(model);
  const stats = emptyStats();
  let flagged = 0;
  for await (const batch of batches) {
    addBatch(stats, batch);
    for (const record of batch.records) {
      const scored = score(record);
      if (scored !== null) {
        flagged++;
        const pending = onAnomaly(scored);
        if (pending) await pending;
      }
    }
  }
  return { stats, flagged };
}

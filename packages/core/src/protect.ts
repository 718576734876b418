import { addBatch, emptyStats, type InputStats, type RecordBatch } from "./batch.js";
import { createFitter, type Model } from "./model.js";
import type { Pipeline } from "./pipeline.js";
import { TopRecords, createScorer, type ScoredRecord } from "./score.js";

/** What baseline protection removed, so the user can see and review it. */
export interface ProtectionReport {
  /** Records dropped from the baseline because the first fit flagged them. */
  dropped: number;
  /** Baseline records kept for the final fit. */
  kept: number;
  /** The highest-scoring dropped records (at most `sample`). */
  top: ScoredRecord[];
}

/**
 * Fits a baseline that cannot be poisoned by the anomalies it contains: fit on everything, score the same
 * records, drop those flagged, and refit on the rest (river's `protect_anomaly_detector`, applied to a
 * batch fit). Reads the input twice more, so `read` must return a fresh iterable each call.
 */
export async function fitProtected({
  pipeline,
  read,
  sample = 20,
}: {
  pipeline: Pipeline;
  read: () => AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
  sample?: number;
}): Promise<{ model: Model; stats: InputStats; protection: ProtectionReport }> {
  const first = createFitter(pipeline);
  const stats = emptyStats();
  for await (const batch of read()) {
    addBatch(stats, batch);
    for (const record of batch.records) first.observe(record);
  }
  const score = createScorer(first.finish());
  const top = new TopRecords(sample);
  const refit = createFitter(pipeline);
  let kept = 0;
  for await (const batch of read()) {
    for (const record of batch.records) {
      const scored = score(record);
      if (scored === null) {
        refit.observe(record);
        kept++;
      } else {
        top.add(scored);
      }
    }
  }
  return { model: refit.finish(), stats, protection: { dropped: top.count, kept, top: top.ranked() } };
}

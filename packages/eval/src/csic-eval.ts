import path from "node:path";
import { formatCount, type LogRecord, type Pipeline } from "@oddity/core";
import { CSIC_FILES, convertCsic, csicLabel } from "./csic.js";
import { evaluate, type EvaluationResult } from "./evaluate.js";
import { formatEvaluation } from "./format.js";
import { createRandom } from "./random.js";

/** Options of {@link evaluateCsic}. */
export interface CsicEvaluationOptions {
  pipeline: Pipeline;
  /** The folder holding the three CSIC 2010 `.txt.gz` files. */
  dataDir: string;
  /** Read at most this many requests from each file (default all). */
  limit?: number;
  k?: readonly number[];
  /** Merge POST bodies into the query (see `convertCsic`; default true). */
  mergeBody?: boolean;
  /** Protect the training baseline (default false). */
  protect?: boolean;
  /** Seeds the interleaving of normal and anomalous test requests (default 1). */
  seed?: number;
}

/** The CSIC figures: requests read per file, and the evaluation of the record score. */
export interface CsicEvaluation {
  files: { training: number; normalTest: number; anomalousTest: number };
  result: EvaluationResult;
}

async function read(file: string, limit: number | undefined, mergeBody: boolean): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const record of convertCsic({ input: file, limit, mergeBody })) records.push(record);
  return records;
}

/**
 * The CSIC 2010 benchmark: fit on `normalTrafficTraining`, score `normalTrafficTest` and
 * `anomalousTrafficTest` together (labelled by file) and measure precision@k and ROC AUC. The test
 * requests are interleaved by a seeded shuffle, since files in sequence would make input-order tie
 * breaking favour one label.
 */
export async function evaluateCsic({
  pipeline,
  dataDir,
  limit,
  k = [100, 1_000, 10_000],
  mergeBody = true,
  protect = false,
  seed = 1,
}: CsicEvaluationOptions): Promise<CsicEvaluation> {
  const file = (name: string) => path.join(dataDir, name);
  const baseline = await read(file(CSIC_FILES.training), limit, mergeBody);
  const normal = await read(file(CSIC_FILES.normalTest), limit, mergeBody);
  const anomalous = await read(file(CSIC_FILES.anomalousTest), limit, mergeBody);
  const records = createRandom(seed).shuffle([...normal, ...anomalous]);
  const labels = new Map<number, string>();
  records.forEach((record, i) => {
    if (csicLabel(record.source) === "anomalous") labels.set(i, "anomalous");
  });
  const result = await evaluate({ pipeline, baseline, records, labels, k, protect });
  return {
    files: { training: baseline.length, normalTest: normal.length, anomalousTest: anomalous.length },
    result,
  };
}

/** The CSIC figures as text. */
export function formatCsicEvaluation({ files, result }: CsicEvaluation): string {
  return [
    `CSIC 2010: fit on ${formatCount(files.training)} normal training requests; scored ${formatCount(files.normalTest)} normal and ${formatCount(files.anomalousTest)} anomalous test requests`,
    "",
    formatEvaluation(result),
  ].join("\n");
}

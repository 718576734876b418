import { UserError, formatCount, type LogRecord, type Pipeline } from "@oddity/core";
import { evaluate, DEFAULT_K, type EvaluationResult } from "./evaluate.js";
import { formatEvaluation } from "./format.js";
import { generateRecords } from "./generate.js";
import { ANOMALY_KINDS, injectAnomalies, type AnomalyKind, type InjectedLog } from "./inject.js";
import { safeText } from "./text.js";

/**
 * How the model meets the anomalies. `hold-out`: fit on the clean first part of the log, score the rest
 * with anomalies planted in it. `same-log`: plant anomalies in the whole log, fit and score that same log
 * (what `oddity detect` does). `protected`: `same-log` with baseline protection.
 */
export type Scenario = "hold-out" | "same-log" | "protected";

export const SCENARIOS: readonly Scenario[] = ["hold-out", "same-log", "protected"];

/** Options of {@link runEvaluation}; everything but the pipeline has a default. */
export interface RunEvaluationOptions {
  pipeline: Pipeline;
  /** A real log, in time order. Default: traffic from {@link generateRecords}. */
  records?: readonly LogRecord[];
  /** What `records` are, for the report (e.g. the input files). */
  inputName?: string;
  /** Lines of generated traffic when no records are given (default 20,000). */
  lines?: number;
  /** Seeds the generator and the injector (default 1). */
  seed?: number;
  /** Anomalies planted per record (default 0.01). */
  rate?: number;
  kinds?: readonly AnomalyKind[];
  k?: readonly number[];
  /** Share of the log, from its start, used as the clean baseline in hold-out mode (default 0.5). */
  baselineShare?: number;
  scenarios?: readonly Scenario[];
  /** Normal records to list per scenario (default 5). */
  falsePositives?: number;
}

/** Everything one run measured, JSON-safe. */
export interface EvaluationReport {
  input: {
    kind: "generated" | "log";
    name: string;
    records: number;
    seed: number;
    rate: number;
    kinds: AnomalyKind[];
    skipped: InjectedLog["skipped"];
    baselineShare: number;
  };
  pipeline: { detectors: Array<{ id: string; use: string; options: unknown }>; scoring: Pipeline["scoring"] };
  scenarios: Array<{ scenario: Scenario; result: EvaluationResult }>;
}

// Decorrelates the injector's stream from the generator's, which uses `seed` itself.
const INJECT_SALT = 0x9e3779b9;

/**
 * The whole evaluation the `oddity eval` command runs: take a log (or generate one), plant labelled
 * anomalies, run the pipeline in each scenario and measure it. Returns the figures and their text tables.
 */
export async function runEvaluation({
  pipeline,
  records: given,
  inputName,
  lines = 20_000,
  seed = 1,
  rate = 0.01,
  kinds = ANOMALY_KINDS,
  k = DEFAULT_K,
  baselineShare = 0.5,
  scenarios = SCENARIOS,
  falsePositives = 5,
}: RunEvaluationOptions): Promise<{ report: EvaluationReport; text: string }> {
  if (!(baselineShare > 0 && baselineShare < 1)) {
    throw new UserError(`the baseline share must be a number in (0, 1), received ${String(baselineShare)}`);
  }
  if (given === undefined && !(Number.isInteger(lines) && lines > 0)) {
    throw new UserError(
      `the number of generated lines must be a positive integer, received ${String(lines)}`,
    );
  }
  const records = given ?? generateRecords({ seed, lines });
  if (records.length < 2)
    throw new UserError(`an evaluation needs at least 2 records, received ${records.length}`);
  const injectSeed = (seed ^ INJECT_SALT) >>> 0;
  const results: EvaluationReport["scenarios"] = [];
  let skipped: InjectedLog["skipped"] = [];
  let whole: InjectedLog | null = null;
  for (const scenario of scenarios) {
    if (scenario === "hold-out") {
      const cut = Math.max(1, Math.floor(records.length * baselineShare));
      const baseline = records.slice(0, cut);
      const test = injectAnomalies({ records: records.slice(cut), baseline, seed: injectSeed, rate, kinds });
      skipped = test.skipped;
      const result = await evaluate({
        pipeline,
        baseline,
        records: test.records,
        labels: test.labels,
        k,
        falsePositives,
      });
      results.push({ scenario, result });
    } else {
      whole ??= injectAnomalies({ records, seed: injectSeed, rate, kinds });
      skipped = whole.skipped;
      const protect = scenario === "protected";
      const result = await evaluate({
        pipeline,
        records: whole.records,
        labels: whole.labels,
        k,
        protect,
        falsePositives,
      });
      results.push({ scenario, result });
    }
  }
  const report: EvaluationReport = {
    input: {
      kind: given === undefined ? "generated" : "log",
      name: inputName ?? (given === undefined ? `generated traffic (${formatCount(lines)} lines)` : "log"),
      records: records.length,
      seed,
      rate,
      kinds: [...kinds],
      skipped,
      baselineShare,
    },
    pipeline: {
      detectors: pipeline.detectors.map((d) => ({ id: d.id, use: d.use, options: d.options })),
      scoring: pipeline.scoring,
    },
    scenarios: results,
  };
  return { report, text: formatReport(report) };
}

/** A whole report as text: what was evaluated, then each scenario's tables. */
export function formatReport(report: EvaluationReport): string {
  const { input } = report;
  const out = [
    `oddity eval: ${safeText(input.name, 120)}, ${formatCount(input.records)} records, seed ${input.seed}, ` +
      `anomaly rate ${input.rate}, detectors ${report.pipeline.detectors.map((d) => safeText(d.id, 40)).join(", ")} ` +
      `(scores combined by ${report.pipeline.scoring.combine})`,
  ];
  for (const s of input.skipped) out.push(`not planted: ${s.kind} (${s.reason})`);
  for (const { result } of report.scenarios) out.push("", formatEvaluation(result));
  return out.join("\n");
}

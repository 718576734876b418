import { UserError, type LogRecord } from "@oddity/core";
import {
  ANOMALY_KINDS,
  evaluateCsic,
  formatCsicEvaluation,
  runEvaluation,
  type AnomalyKind,
} from "@oddity/eval";
import { openSink } from "../output/sink.js";
import { buildPipeline } from "../pipeline.js";
import { openPass, startSession, withRereadableInputs } from "./common.js";
import type { InputOptions, RunContext } from "./context.js";

/** Options of `oddity eval`. */
export interface EvalOptions extends InputOptions {
  lines?: number | undefined;
  seed?: number | undefined;
  rate?: number | undefined;
  kinds?: string[] | undefined;
  k?: number[] | undefined;
  /** Folder of the CSIC 2010 files: evaluate on them instead of planted anomalies. */
  csic?: string | undefined;
  limit?: number | undefined;
  protect?: boolean | undefined;
  format?: "table" | "json" | undefined;
  output?: string | undefined;
}

function checkKinds(kinds: readonly string[]): AnomalyKind[] {
  const known = new Set<string>(ANOMALY_KINDS);
  for (const kind of kinds) {
    if (!known.has(kind)) {
      throw new UserError(`--kind ${JSON.stringify(kind)}: expected one of ${ANOMALY_KINDS.join(", ")}`);
    }
  }
  return kinds as AnomalyKind[];
}

function checkK(k: readonly number[]): number[] {
  for (const value of k) {
    if (!Number.isInteger(value) || value < 1)
      throw new UserError(`--k ${String(value)}: expected whole numbers ≥ 1`);
  }
  return [...k];
}

/**
 * `oddity eval`: runs the configured pipeline (config file or the bundled default) on a log with labelled
 * anomalies planted in it (generated API traffic when no log is given), or on CSIC 2010, and prints
 * precision, recall, precision@k and ROC AUC overall, per anomaly kind and per detector.
 */
export async function runEval(options: EvalOptions, ctx: RunContext): Promise<number> {
  const session = await startSession({ options, ctx });
  const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
  const rate = options.rate ?? 0.01;
  if (!(rate > 0 && rate < 0.5))
    throw new UserError(`--rate ${String(rate)}: expected a share of records in (0, 0.5)`);
  const k = options.k === undefined ? undefined : checkK(options.k);
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  try {
    if (options.csic !== undefined) {
      const evaluation = await evaluateCsic({
        pipeline,
        dataDir: options.csic,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        ...(k === undefined ? {} : { k }),
        protect: options.protect === true,
        seed: options.seed ?? 1,
      });
      await sink.write(
        options.format === "json"
          ? `${JSON.stringify({ csic: evaluation.files, result: evaluation.result }, null, 2)}\n`
          : `${formatCsicEvaluation(evaluation)}\n`,
      );
    } else {
      let records: LogRecord[] | undefined;
      let inputName: string | undefined;
      if (options.inputs.length > 0) {
        records = [];
        const collected = records;
        inputName = options.inputs.join(", ");
        await withRereadableInputs({
          inputs: options.inputs,
          stdin: ctx.stdin,
          fn: async (open) => {
            const { stream, progress } = await openPass({
              session,
              inputs: open(),
              options,
              ctx,
              label: "reading",
            });
            try {
              for await (const batch of stream) for (const record of batch.records) collected.push(record);
            } finally {
              progress.stop();
            }
            for (const warning of stream.warnings) session.reporter.warn(warning);
          },
        });
        if (records.length === 0) throw new UserError(`${inputName}: no records to evaluate on`);
      }
      const { report, text } = await runEvaluation({
        pipeline,
        ...(records === undefined ? { lines: options.lines ?? 20_000 } : { records, inputName: inputName! }),
        seed: options.seed ?? 1,
        rate,
        ...(options.kinds === undefined ? {} : { kinds: checkKinds(options.kinds) }),
        ...(k === undefined ? {} : { k }),
      });
      await sink.write(options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
    }
    await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  for (const warning of pipeline.warnings) session.reporter.warn(warning);
  return 0;
}

import { readFile } from "node:fs/promises";
import { UserError, type LogRecord } from "@oddity/core";
import {
  ANOMALY_KINDS,
  REAL_TRAFFIC_FIXTURE,
  evaluateCsic,
  evaluateLabelledLog,
  evaluateTopProbes,
  formatCsicEvaluation,
  formatLabelledLogEvaluation,
  formatTopProbes,
  parseAddressLabels,
  runEvaluation,
  type AnomalyKind,
} from "@oddity/eval";
import { openSink } from "../output/sink.js";
import { buildPipeline } from "../pipeline.js";
import { openPass, startSession, withRereadableInputs, type Session } from "./common.js";
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
  /** `planted` (default), `real` (a log labelled by source address) or `probes` (probes in the top). */
  scenario?: "planted" | "real" | "probes" | undefined;
  /** With `real` and a log: the labels file. */
  labels?: string | undefined;
  /** With `probes`: how many of the table's rows to judge (default 20). */
  top?: number | undefined;
}

/** Reads every record of the inputs, in order, reporting the reader's warnings. */
async function readRecords({
  session,
  options,
  ctx,
}: {
  session: Session;
  options: EvalOptions;
  ctx: RunContext;
}): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
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
        for await (const batch of stream) for (const record of batch.records) records.push(record);
      } finally {
        progress.stop();
      }
      for (const warning of stream.warnings) session.reporter.warn(warning);
    },
  });
  if (records.length === 0) throw new UserError(`${options.inputs.join(", ")}: no records to evaluate on`);
  return records;
}

async function readLabels(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(
      `--labels ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--labels ${file}: expected JSON: ${(error as Error).message}`);
  }
  return parseAddressLabels({ json, source: file });
}

function checkScenarioOptions(options: EvalOptions): void {
  const scenario = options.scenario ?? "planted";
  if (options.csic !== undefined && scenario !== "planted")
    throw new UserError(`--csic is its own evaluation: drop --scenario ${scenario}`);
  if (options.labels !== undefined && scenario !== "real")
    throw new UserError("--labels belongs to --scenario real");
  if (scenario === "real" && options.inputs.length > 0 && options.labels === undefined)
    throw new UserError(
      "--scenario real with a log needs --labels FILE (source address → normal or a tool name)",
    );
  if (scenario === "real" && options.inputs.length === 0 && options.labels !== undefined)
    throw new UserError("--labels needs the log it labels");
  if (scenario === "probes" && options.inputs.length === 0)
    throw new UserError("--scenario probes needs a log, e.g. oddity eval --scenario probes access.log");
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
  checkScenarioOptions(options);
  const session = await startSession({ options, ctx });
  const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
  const rate = options.rate ?? 0.01;
  if (!(rate > 0 && rate < 0.5))
    throw new UserError(`--rate ${String(rate)}: expected a share of records in (0, 0.5)`);
  const k = options.k === undefined ? undefined : checkK(options.k);
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  try {
    if (options.scenario === "real") {
      const bundled = options.inputs.length === 0;
      const inputs = bundled ? [REAL_TRAFFIC_FIXTURE.log] : options.inputs;
      const labelsFile = options.labels ?? REAL_TRAFFIC_FIXTURE.labels;
      const labels = await readLabels(labelsFile);
      const records = await readRecords({ session, options: { ...options, inputs }, ctx });
      const evaluation = await evaluateLabelledLog({
        pipeline,
        records,
        labels,
        labelsSource: labelsFile,
        ...(k === undefined ? {} : { k }),
      });
      const name = bundled ? "the bundled real-tool log" : inputs.join(", ");
      await sink.write(
        options.format === "json"
          ? `${JSON.stringify({ scenario: "real", log: inputs, labels: labelsFile, ...evaluation }, null, 2)}\n`
          : `${formatLabelledLogEvaluation({ name, evaluation })}\n`,
      );
    } else if (options.scenario === "probes") {
      const records = await readRecords({ session, options, ctx });
      const evaluation = evaluateTopProbes({ pipeline, records, top: options.top ?? 20 });
      const name = options.inputs.join(", ");
      await sink.write(
        options.format === "json"
          ? `${JSON.stringify({ scenario: "probes", log: options.inputs, ...evaluation }, null, 2)}\n`
          : `${formatTopProbes({ name, evaluation })}\n`,
      );
    } else if (options.csic !== undefined) {
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
        records = await readRecords({ session, options, ctx });
        inputName = options.inputs.join(", ");
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

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { formatCount, readInputs, UserError, type LogRecord, type Pipeline } from "@oddity/core";
import { evaluate, type EvaluationResult } from "./evaluate.js";
import { formatEvaluation } from "./format.js";
import { safeText } from "./text.js";

/**
 * The committed real-traffic log (nginx in front of a small shop API, ordinary clients and four attack
 * tools) and its labels by source address; see `fixtures/real-traffic/README.md` in this package.
 */
export const REAL_TRAFFIC_FIXTURE: { log: string; labels: string } = {
  // dist/index.js and src/labelled-log.ts both sit one folder below the package root
  log: fileURLToPath(new URL("../fixtures/real-traffic/access.log.gz", import.meta.url)),
  labels: fileURLToPath(new URL("../fixtures/real-traffic/labels.json", import.meta.url)),
};

/** The label of a source address whose requests are ordinary traffic. */
export const NORMAL_LABEL = "normal";

/** A label names a tool (`sqlmap`, `dirb`) or is `normal`: short, plain, safe to print. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads a labels document: a JSON object from source address to label, `normal` or the name of the tool
 * that sent every request from that address. `source` names the document in errors.
 */
export function parseAddressLabels({ json, source }: { json: unknown; source: string }): Map<string, string> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UserError(`${source}: expected a JSON object from source address to label`);
  }
  const labels = new Map<string, string>();
  for (const [address, label] of Object.entries(json)) {
    if (typeof label !== "string" || !LABEL.test(label)) {
      throw new UserError(
        `${source}: ${safeText(JSON.stringify(address))}: expected "${NORMAL_LABEL}" or a tool name (letters, digits, . _ -), received ${safeText(JSON.stringify(label) ?? String(label))}`,
      );
    }
    labels.set(address, label);
  }
  if (labels.size === 0) throw new UserError(`${source}: no addresses are labelled`);
  return labels;
}

/** The labelled records of a log: which records are attacks, and how many lines each label has. */
export interface LabelledRecords {
  /** Index in the records → tool; records labelled `normal` are absent. */
  labels: Map<number, string>;
  /** Lines per label, `normal` included, in the order labels first occur. */
  lines: Record<string, number>;
}

/**
 * Labels each record by its source address. A record whose address has no label is an error naming its
 * line: evaluating it as normal (or as an attack) would silently bias the figures.
 */
export function labelRecords({
  records,
  labels,
  labelsSource = "the labels",
}: {
  records: readonly LogRecord[];
  labels: ReadonlyMap<string, string>;
  /** Names the labels document in errors. */
  labelsSource?: string;
}): LabelledRecords {
  const indexLabels = new Map<number, string>();
  const lines: Record<string, number> = {};
  records.forEach((record, i) => {
    const label = record.ip === null ? undefined : labels.get(record.ip);
    if (label === undefined) {
      throw new UserError(
        `${record.source}:${record.line}: address ${safeText(JSON.stringify(record.ip))} has no label in ${labelsSource}`,
      );
    }
    lines[label] = (lines[label] ?? 0) + 1;
    if (label !== NORMAL_LABEL) indexLabels.set(i, label);
  });
  return { labels: indexLabels, lines };
}

/** Reads a combined-format log (plain or gzip) and its labels file into records and labels. */
export async function readLabelledLog({
  log,
  labels,
}: {
  log: string;
  labels: string;
}): Promise<{ records: LogRecord[]; labels: Map<string, string>; rejected: number }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(labels, "utf8"));
  } catch (error) {
    throw new UserError(`${labels}: cannot read the labels: ${(error as Error).message}`);
  }
  const addressLabels = parseAddressLabels({ json, source: labels });
  const stream = readInputs({ inputs: [log], format: { name: "combined" } });
  const records: LogRecord[] = [];
  for await (const batch of stream) for (const record of batch.records) records.push(record);
  return { records, labels: addressLabels, rejected: stream.stats.rejected };
}

/** One tool's lines and how many of them the pipeline flagged. */
export interface ToolRecall {
  tool: string;
  lines: number;
  flagged: number;
  recall: number | null;
}

/** What {@link evaluateLabelledLog} measured. */
export interface LabelledLogEvaluation {
  /** Lines per label, `normal` included. */
  lines: Record<string, number>;
  /** The figures, per tool in `byKind`. */
  result: EvaluationResult;
  /** Recall per tool, most lines first. */
  tools: ToolRecall[];
}

/**
 * Fits the pipeline on the log and scores that same log, as `oddity detect` does, then measures it
 * against labels by source address: line-level precision, recall, flagged count and precision@k overall,
 * and recall per tool.
 */
export async function evaluateLabelledLog({
  pipeline,
  records,
  labels,
  labelsSource,
  k = [10, 50, 100, 500, 1_000],
}: {
  pipeline: Pipeline;
  records: readonly LogRecord[];
  labels: ReadonlyMap<string, string>;
  labelsSource?: string;
  k?: readonly number[];
}): Promise<LabelledLogEvaluation> {
  const labelled = labelRecords({ records, labels, ...(labelsSource === undefined ? {} : { labelsSource }) });
  const result = await evaluate({ pipeline, records, labels: labelled.labels, k });
  const tools = result.byKind
    .map((kind) => ({
      tool: kind.kind,
      lines: kind.positives,
      flagged: kind.truePositives,
      recall: kind.recall,
    }))
    .sort((a, b) => b.lines - a.lines || a.tool.localeCompare(b.tool));
  return { lines: labelled.lines, result, tools };
}

const share = (value: number | null) => (value === null ? "n/a" : value.toFixed(3));

/** The figures as text: the headline line, recall per tool, then the full evaluation tables. */
export function formatLabelledLogEvaluation({
  name,
  evaluation,
}: {
  /** What the log is, for the heading. */
  name: string;
  evaluation: LabelledLogEvaluation;
}): string {
  const { lines, result, tools } = evaluation;
  const { overall } = result;
  const attacks = result.anomalies;
  const byLabel = Object.entries(lines)
    .map(([label, count]) => `${safeText(label)} ${formatCount(count)}`)
    .join(", ");
  const width = Math.max(4, ...tools.map((t) => t.tool.length));
  return [
    `${safeText(name)}: ${formatCount(result.records)} lines, ${formatCount(attacks)} from attack tools (${byLabel})`,
    `fit on the log and scored the same log, as oddity detect does`,
    "",
    `  flagged ${formatCount(overall.flagged)}, of which ${formatCount(overall.truePositives)} attack lines`,
    `  precision ${share(overall.precision)}  recall ${share(overall.recall)}  F1 ${share(overall.f1)}`,
    `  ${overall.precisionAtK.map((p) => `P@${p.k} ${share(p.precision)}`).join("  ")}`,
    "",
    "  recall per tool:",
    ...tools.map(
      (t) =>
        `    ${safeText(t.tool).padEnd(width)}  ${share(t.recall)}  (${formatCount(t.flagged)} of ${formatCount(t.lines)} lines flagged)`,
    ),
    "",
    formatEvaluation(result),
  ].join("\n");
}

import { performance } from "node:perf_hooks";
import type { Model, ScoredRecord } from "@oddity/core";
import { escapeTerminal } from "../output/escape.js";
import type { AnomalyFormat } from "../output/anomalies.js";
import { colorEnabled, createPalette } from "../output/color.js";
import type { GroupBy } from "../output/incidents.js";
import type { Ranking } from "../output/ranking.js";
import { runSummary } from "../output/report.js";
import { summaryJSON, writeRanked } from "../output/results.js";
import type { Sink } from "../output/sink.js";
import type { Session } from "./common.js";
import type { RunContext } from "./context.js";
import type { ScoringOutcome } from "./scoring-pass.js";

/** Writes the ranked anomalies in `format`; the JSON form carries the run's summary. */
export async function printRanked({
  ranking,
  model,
  pass,
  inputs,
  baselineInputs,
  minScore,
  sink,
  format,
  session,
  color,
  env,
  group,
  limit,
}: {
  ranking: Ranking;
  model: Model;
  pass: ScoringOutcome;
  /** The scored inputs as the summary names them. */
  inputs: string[];
  /** The separate baseline, or null when the model was fitted elsewhere or on the inputs themselves. */
  baselineInputs: string[] | null;
  /** The floor the table's "No anomalies" line names. */
  minScore: number;
  sink: Sink;
  format: AnomalyFormat;
  session: Session;
  /** False for `--no-color`. */
  color: boolean | undefined;
  env: RunContext["env"];
  group: GroupBy | undefined;
  /** Table rows to show (incidents); the other formats print every anomaly the ranking holds. */
  limit: number;
}): Promise<{ shown: number; rows: string | undefined }> {
  const summary = summaryJSON({
    model,
    stats: pass.stats,
    inputs,
    format: pass.inputFormat,
    flagged: pass.flagged,
    shown: Math.min(ranking.size, limit),
    baselineInputs,
    warnings: session.reporter.warnings,
  });
  const palette = createPalette(colorEnabled({ isTTY: sink.isTTY, noColor: color === false, env }));
  return writeRanked({
    sink,
    format,
    anomalies: ranking.ranked(),
    summary,
    palette,
    minScore,
    group: group ?? "incident",
    limit,
  });
}

/** Says on stderr what the run read and flagged, and how long it took since `started`. */
export function reportScoringRun({
  session,
  pass,
  shown,
  started,
  baseline,
  rows,
}: {
  session: Session;
  pass: ScoringOutcome;
  shown: number;
  /** What a shown row is, when it is not one anomaly. */
  rows?: string | undefined;
  /** `performance.now()` when the run began. */
  started: number;
  /** What the model was fitted on, when it is not the scored input itself. */
  baseline: string | undefined;
}): void {
  session.reporter.info(
    runSummary({
      stats: pass.stats,
      flagged: pass.flagged,
      shown,
      ms: performance.now() - started,
      palette: session.palette,
      baseline,
      rows,
    }).trimEnd(),
  );
}

/** The exit code `--fail-on` asks for: 1 when an anomaly scored at least `failOn` bits, else 0. */
export function failOnExitCode({ failOn, highest }: { failOn: number | undefined; highest: number }): number {
  return failOn !== undefined && highest >= failOn ? 1 : 0;
}

/**
 * Says on stderr (even with -q: it explains the exit code) which record reached `--fail-on`: `record`
 * is the highest-ranked anomaly, or the first to cross the bar when anomalies stream in input order.
 */
export function reportFailOn({
  failOn,
  record,
  stderr,
  what,
}: {
  failOn: number | undefined;
  record: ScoredRecord | undefined;
  stderr: RunContext["stderr"];
  /** How the record was chosen, e.g. `the highest` or `the first`. */
  what: string;
}): void {
  if (failOn === undefined || record === undefined || record.score < failOn) return;
  const where = escapeTerminal(`${record.record.source}:${record.record.line}`);
  const top = record.findings[0];
  const why = top === undefined ? "" : `: ${escapeTerminal(top.message)}`;
  stderr.write(
    `oddity: --fail-on ${failOn}: ${what} anomaly, ${where}, scored ${record.score.toFixed(1)} bits${why}\n`,
  );
}

import type { AnomalyFormat } from "../output/anomalies.js";
import type { ScoringCommandOptions } from "../runners/scoring-options.js";
import { GROUP_MODES, type GroupBy } from "../output/incidents.js";
import { analysisOptionsOf } from "./analysis-options.js";
import { bits } from "./options.js";

/** The formats ranked anomalies print in. */
export const ANOMALY_FORMATS = ["table", "json", "ndjson", "csv"] as const satisfies readonly AnomalyFormat[];

/** `--group`: what one table row stands for. */
export const groupOption = {
  alias: "g",
  choices: GROUP_MODES,
  default: "incident",
  describe:
    "table rows: incident (one per client and evidence), client, finding (same evidence, any client) or none (one per record)",
} as const;

/** `--min-score BITS`: records scoring less are not reported. */
export const minScoreOption = {
  type: "number",
  describe: "report only records scoring at least BITS",
  coerce: bits("min-score"),
} as const;

/** `--fail-on BITS`: the exit code that lets a script or CI job react to a strong anomaly. */
export const failOnOption = {
  type: "number",
  describe: "exit 1 when any anomaly scores at least BITS",
  coerce: bits("fail-on"),
} as const;

/** `--engine duckdb`: read and split the files in DuckDB; the detectors still score in Node. */
export const engineOption = {
  type: "string",
  choices: ["duckdb"],
  describe:
    "read and split the files in an engine: duckdb (npm install @oddity/engine-duckdb) reads common/combined files and Parquet, --jobs threads",
} as const;

/** The options `detect` and `score` share, parsed, as their runners take them. */
export function scoringCommandOptionsOf(
  argv: Parameters<typeof analysisOptionsOf>[0] & {
    format: AnomalyFormat;
    group?: GroupBy | undefined;
    top?: number | undefined;
    minScore?: number | undefined;
    failOn?: number | undefined;
    rejects?: string | undefined;
    engine?: string | undefined;
    memoryLimit?: string | undefined;
  },
): ScoringCommandOptions {
  return {
    ...analysisOptionsOf(argv),
    format: argv.format,
    group: argv.group,
    top: argv.top,
    minScore: argv.minScore,
    failOn: argv.failOn,
    rejects: argv.rejects,
    engine: argv.engine as "duckdb" | undefined,
    memoryLimit: argv.memoryLimit,
  };
}

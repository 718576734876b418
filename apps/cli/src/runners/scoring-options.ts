import type { AnomalyFormat } from "../output/anomalies.js";
import type { GroupBy } from "../output/incidents.js";
import type { InputOptions } from "./context.js";

/** Options `oddity detect` and `oddity score` share: what to print, where, and when to fail. */
export interface ScoringCommandOptions extends InputOptions {
  format?: AnomalyFormat | undefined;
  output?: string | undefined;
  /** How the table groups anomalies into rows (default: incidents, by client and evidence). */
  group?: GroupBy | undefined;
  /** Anomalies to print; 0 for all. Default: the config's `scoring.top`, else 20 for tables and all otherwise. */
  top?: number | undefined;
  minScore?: number | undefined;
  /** Exit 1 when any anomaly scores at least this many bits. */
  failOn?: number | undefined;
  color?: boolean | undefined;
  /** Worker threads over files; the output is the same as with one. With `engine`, its threads. */
  jobs?: number | undefined;
  /** Read and split the files in this engine; the detectors score in Node. */
  engine?: "duckdb" | undefined;
  /** With `engine`: the most memory it may hold before it spills (`--memory-limit`, `4GB`). */
  memoryLimit?: string | undefined;
}

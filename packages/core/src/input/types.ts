import type { InputStats, RecordBatch } from "../batch.js";
import type { LogRecord } from "../record.js";

/** Names of the built-in log formats. */
export type FormatName =
  "ncsa" | "common" | "combined" | "vcombined" | "nginx" | "apache" | "jsonl" | "csv" | "tsv";

/** Which format to parse and how; `auto` sniffs the first lines. */
export interface FormatSpec {
  name: FormatName | "auto";
  /**
   * For `ncsa` (every NCSA layout, read line by line): the layout read first, the one most lines have.
   * Auto-detection fills it in.
   */
  layout?: "common" | "combined" | "vcombined";
  /** For `apache`: a `LogFormat` string (`%h %l %u %t "%r" %>s %b`); for `nginx`, a `log_format` string. */
  logFormat?: string;
  /**
   * For `jsonl`, `csv`, `tsv`: record field ← source key/column, e.g. `{ ip: "remote_addr", time: "ts" }`.
   * Unmapped keys become `extra` fields.
   */
  fields?: Record<string, string>;
  /** For `csv`/`tsv` exports holding one raw log line per row (the lesson's `entry` column). */
  column?: string;
  /** With `column`: the format of the raw lines inside it (default `auto`). */
  inner?: FormatSpec;
  /** For `csv`/`tsv`: whether the first row names the columns (default true). */
  header?: boolean;
}

/** Parses one line; returns a record, or the reason it was rejected. Never throws. */
export interface LineParser {
  /** The format it parses, e.g. `combined` or `apache "%h %l %u %t \"%r\" %>s %b"`. */
  readonly description: string;
  parse(line: string, source: string, lineNumber: number): LogRecord | string;
  /**
   * For parsers that read several layouts (`ncsa`): records per layout parsed since the last call, e.g.
   * `{ combined: 500, "combined + x_forwarded_for": 12 }`, or null when none; see {@link InputStats.layouts}.
   */
  takeLayouts?(): Record<string, number> | null;
  /**
   * Present on formats whose first row names the columns (CSV/TSV with a header): pass it the first
   * non-blank line of the source before any `parse`. Returns null, or why the header is unusable. Such
   * parsers hold per-source state: create one per source.
   */
  readHeader?(line: string): string | null;
}

/** How inputs are read. */
export interface ReadOptions {
  format?: FormatSpec;
  /** Lines longer than this many characters are rejected with a reason (default 1 MiB). */
  maxLineLength?: number;
  /**
   * Lines per batch, records, rejections and blank lines together (default 512: a batch in flight survives
   * the young-generation collections it meets, and smaller ones give them less to copy).
   */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called now and then with running totals, for progress bars. */
  onProgress?: (stats: InputStats) => void;
  /** Throw an `InputError` naming `source:line: reason` at the first rejected line (or damaged `.gz`). */
  strict?: boolean;
}

/** An input that is not a file: a name for messages and records, and its bytes (or text). */
export interface StreamInput {
  /** Shown as `record.source`, e.g. `-` or `mysql:logs.api_access`. */
  name: string;
  stream: AsyncIterable<Uint8Array | string>;
}

/** Batches of records from one or more inputs, with totals kept as it goes. */
export interface RecordStream extends AsyncIterable<RecordBatch> {
  /** Totals so far; final once iteration ends. */
  readonly stats: InputStats;
  /** The format used, once known (after sniffing for `auto`); sources read differently are joined with `; `. */
  readonly format: string | null;
  /** Problems that did not stop the run (a damaged `.gz`, a format that fits few sample lines), in order. */
  readonly warnings: string[];
}

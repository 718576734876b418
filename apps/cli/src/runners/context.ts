import type { Readable, Writable } from "node:stream";

/** The process around a runner; tests pass their own streams and folders. */
export interface RunContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Aborted on Ctrl-C: runners stop reading and discard unfinished output files. */
  signal: AbortSignal;
}

/** Options of every command that reads logs. */
export interface InputOptions {
  /** Log files, globs, `-` for stdin, or database URLs; the config's `inputs` when empty. */
  inputs: string[];
  config?: string | undefined;
  /** `--log-format`: overrides the config's `format`. */
  logFormat?: string | undefined;
  strict?: boolean | undefined;
  /** Lines longer than this many characters are rejected (default 1 MiB). */
  maxLineLength?: number | undefined;
  /** Write rejected lines (NDJSON: source, line, reason, excerpt) to this file. */
  rejects?: string | undefined;
  quiet?: boolean | undefined;
  table?: string | undefined;
  column?: string | undefined;
  query?: string | undefined;
  primaryKey?: string | undefined;
}

/** The process's own streams and signal. */
export function processContext(signal: AbortSignal): RunContext {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal,
  };
}

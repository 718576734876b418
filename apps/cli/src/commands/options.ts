import type { Argv } from "yargs";
import type { InputOptions } from "../runners/context.js";

// yargs drops a lone "-" from positionals; main swaps it for this token (argv strings cannot hold NUL)
// and commands swap it back.
export const STDIN_TOKEN = "\u0000-";

/** Restores `-` in a list of inputs. */
export function restoreStdin(values: ReadonlyArray<string | number> | undefined): string[] {
  return (values ?? []).map((value) => (String(value) === STDIN_TOKEN ? "-" : String(value)));
}

function shown(value: unknown): string {
  return typeof value === "number" && Number.isNaN(value)
    ? "something that is not a number"
    : JSON.stringify(value);
}

/** A `coerce` for counts: whole numbers ≥ `min`; yargs reports the thrown message as a usage error. */
export function wholeNumber(name: string, min = 0): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: expected a whole number ≥ ${min}, received ${shown(value)}`);
    return n;
  };
}

/** A `coerce` for a size in bytes as DuckDB reads one: a number and a unit (`512MB`, `4GiB`), kept as text. */
export function byteSize(name: string): (value: unknown) => string | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const text = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
    if (!/^\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)$/i.test(text))
      throw new Error(`--${name}: expected a size such as 512MB or 4GB, received ${shown(value)}`);
    return text;
  };
}

/**
 * `--memory-limit SIZE`, for commands with `--engine`: the most memory the engine may hold; past it,
 * DuckDB spills to a private temp folder, removed on any exit. Refused without `--engine`.
 */
export function withMemoryLimit<T>(yargs: Argv<T>) {
  return yargs
    .option("memory-limit", {
      type: "string",
      describe:
        "with --engine: the most memory DuckDB may hold (512MB, 4GB; default 80% of RAM); past it, it spills to a private temp folder",
      coerce: byteSize("memory-limit"),
    })
    .check((argv) => {
      const given = argv as { memoryLimit?: unknown; engine?: unknown };
      // A string is yargs' usage error (a thrown Error would be reported as a bug).
      return given.memoryLimit !== undefined && given.engine === undefined
        ? "--memory-limit applies to --engine duckdb; without an engine, the detectors' own caps bound oddity's memory"
        : true;
    });
}

/** A `coerce` for bits: finite numbers ≥ 0. */
export function bits(name: string): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${name}: expected a number of bits ≥ 0, received ${shown(value)}`);
    return n;
  };
}

/** Options of every command that reads logs: config, format, strictness, database sources. */
export function withInputOptions<T>(yargs: Argv<T>) {
  return yargs
    .positional("inputs", {
      describe: 'log files, globs, "-" for stdin, or database URLs (default: the config\'s inputs)',
      type: "string",
      array: true,
    })
    .option("config", { type: "string", describe: "config file (default: nearest oddity.config.* upward)" })
    .option("log-format", {
      type: "string",
      describe:
        "input format: auto, ncsa, common, combined, vcombined, nginx, jsonl, csv, tsv, csv:<column>, apache:<LogFormat>, nginx:<log_format> (docs/formats.md)",
    })
    .option("strict", { type: "boolean", describe: "stop at the first line that does not parse (exit 2)" })
    .option("max-line-length", {
      type: "number",
      describe: "reject lines longer than this many characters (default 1048576)",
      coerce: wholeNumber("max-line-length", 1),
    })
    .option("quiet", {
      alias: "q",
      type: "boolean",
      describe: "no progress bar, warnings or run summary on stderr (errors still print)",
    })
    .option("table", {
      type: "string",
      describe:
        "database input: table holding one raw log line per row (clickhouse://: without --column, columns named like record fields, the others extra fields)",
    })
    .option("column", { type: "string", describe: "database input: the column holding the raw line" })
    .option("query", {
      type: "string",
      describe:
        "database input: instead of --table, a query whose columns are record fields (SELECT client AS ip, ...)",
    })
    .option("primary-key", {
      type: "string",
      describe: "database input: column that identifies a row in findings",
    })
    .group(["table", "column", "query", "primary-key"], "Database inputs:");
}

/** The parsed input options, as runners take them. */
export function inputOptionsOf(argv: {
  inputs?: string[] | undefined;
  config?: string | undefined;
  logFormat?: string | undefined;
  strict?: boolean | undefined;
  maxLineLength?: number | undefined;
  quiet?: boolean | undefined;
  table?: string | undefined;
  column?: string | undefined;
  query?: string | undefined;
  primaryKey?: string | undefined;
}): InputOptions {
  return {
    inputs: restoreStdin(argv.inputs),
    config: argv.config,
    logFormat: argv.logFormat,
    strict: argv.strict,
    maxLineLength: argv.maxLineLength,
    quiet: argv.quiet,
    table: argv.table,
    column: argv.column,
    query: argv.query,
    primaryKey: argv.primaryKey,
  };
}

/** `--output FILE` and `--no-color`, for commands that print results. */
export function withOutputOptions<T>(yargs: Argv<T>) {
  return yargs
    .option("output", {
      alias: "o",
      type: "string",
      describe: "write results to FILE (atomically) instead of stdout",
    })
    .option("color", {
      type: "boolean",
      default: true,
      describe: "colour tables on a terminal (--no-color: never; NO_COLOR is honoured)",
    });
}

/** `--jobs N`: worker threads over files (byte ranges of big ones); output is the same as one job. */
export function withJobsOption<T>(yargs: Argv<T>) {
  return yargs.option("jobs", {
    alias: "j",
    type: "number",
    describe:
      "worker threads for files (default 1; at most one per 64 MiB of input); the output is byte-identical to one job",
    coerce: wholeNumber("jobs", 1),
  });
}

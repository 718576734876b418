import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import {
  InputError,
  SNIFF_LINES,
  UserError,
  createParser,
  expandInputs,
  resolveFormat,
  type FormatSpec,
  type Model,
  type Pipeline,
} from "@oddity/core";
import type * as DuckDBEngine from "@oddity/engine-duckdb";
import { loadClickHouse } from "../input/clickhouse.js";
import { createTempFolder, removeTempFolder } from "../output/temp-files.js";
import type { Session } from "./common.js";
import type { InputOptions } from "./context.js";

/** Engines `--engine` accepts. */
export const ENGINES = ["duckdb"] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * Loads `@oddity/engine-duckdb` on demand: it is an optional peer of the CLI (DuckDB's native library is
 * large), so `oddity --help` and installs without it stay as they are.
 */
export async function loadDuckDBEngine(): Promise<typeof DuckDBEngine> {
  try {
    return await import("@oddity/engine-duckdb");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new UserError(
        "--engine duckdb needs the DuckDB engine, which is not installed: npm install @oddity/engine-duckdb",
        { cause: error },
      );
    }
    throw error;
  }
}

// Enough lines for the sniffer, which reads the first 50 non-blank ones.
const SAMPLE_LINES = SNIFF_LINES * 4;

async function firstLines(file: string): Promise<string[]> {
  const raw = createReadStream(file);
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const lines: string[] = [];
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      lines.push(line);
      if (lines.length >= SAMPLE_LINES) break;
    }
  } finally {
    reader.close();
    raw.destroy();
  }
  return lines;
}

/** What an engine reads, as `engineInputs` settles it. */
export interface EngineInputs {
  files: string[];
  layout: "common" | "combined";
  leftoverFormat: FormatSpec;
  /** The Parquet column of raw lines (`--column`); without it a Parquet file's columns are record fields. */
  column: string | undefined;
  /** The formats read, named as oddity's reader names them (`combined, auto-detected`). */
  format: string | null;
  /** What sniffing doubted, as oddity's reader words it. */
  warnings: string[];
}

/**
 * The files an engine reads and the layout it splits them by: globs expanded, and the format named or
 * sniffed from each file's first lines as `oddity fit` would. Parquet files hold raw lines in `column`
 * (sniffed likewise) or, without it, record fields. Anything an engine cannot read (stdin, databases,
 * other formats) is refused with what to do instead.
 */
export async function engineInputs({
  inputs,
  format,
  column,
  engine,
}: {
  inputs: readonly string[];
  format: FormatSpec;
  column: string | undefined;
  engine: typeof DuckDBEngine;
}): Promise<EngineInputs> {
  const unreadable = inputs.find((input) => input === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(input));
  if (unreadable !== undefined) {
    throw new UserError(
      `--engine duckdb reads files; ${unreadable === "-" ? "stdin" : "a database URL"} is read without --engine`,
    );
  }
  const files = await expandInputs(inputs);
  const layouts = new Set<string>();
  const formats: string[] = [];
  const warnings: string[] = [];
  let ncsa = false;
  for (const file of files) {
    const parquet = engine.isParquet(file);
    if (parquet && column === undefined) {
      if (!formats.includes(PARQUET_RECORDS)) formats.push(PARQUET_RECORDS);
      continue;
    }
    let spec = format;
    let shown: string;
    if (format.name === "auto") {
      try {
        const lines = parquet
          ? await engine.parquetLines({ file, column: column!, limit: SAMPLE_LINES })
          : await firstLines(file);
        const result = resolveFormat({ spec: format, lines });
        spec = result.spec;
        const description = createParser(spec).description;
        shown = `${description}, auto-detected`;
        if (result.sampled > 0 && result.parsed * 2 < result.sampled) {
          warnings.push(
            `${file}: only ${result.parsed} of ${result.sampled} sample lines parse as ${description}; name the format if that is not it`,
          );
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(
          `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    } else {
      shown = createParser(format).description;
    }
    // Auto-detection reads the NCSA family line by line: the SQL split takes the lines of its leading
    // layout, and oddity's NCSA reader the rest (trailing fields, mixed layouts), as `oddity fit` does.
    const sql = spec.name === "ncsa" ? spec.layout : spec.name;
    if (sql !== "common" && sql !== "combined") {
      throw new UserError(
        `${file}: --engine duckdb splits common and combined logs only, and this one reads as ${spec.layout === undefined ? spec.name : `${spec.name} led by ${spec.layout}`}; read it without --engine`,
      );
    }
    layouts.add(sql);
    if (!formats.includes(shown)) formats.push(shown);
    if (spec.name === "ncsa") ncsa = true;
  }
  if (layouts.size > 1) {
    throw new UserError("--engine duckdb reads files of one layout at a time; these mix common and combined");
  }
  const layout = layouts.has("common") ? "common" : "combined";
  return {
    files,
    layout,
    leftoverFormat: ncsa ? { name: "ncsa", layout } : { name: layout },
    column,
    format: formats.length === 0 ? null : formats.join("; "),
    warnings,
  };
}

/** What a command's options say of an engine run: `--max-line-length`, `--jobs`, `--memory-limit`. */
export type EngineRunOptions = Pick<InputOptions, "maxLineLength"> & {
  jobs?: number | undefined;
  memoryLimit?: string | undefined;
};

/**
 * The options of a DuckDB scan of `read`: what to read and how, and what the engine may use (`--jobs`
 * threads, `--memory-limit`), with a spill folder of the CLI's own, which `release` removes, as does
 * any exit: an interrupted run leaves no spilled data behind. Ctrl-C (`signal`) interrupts DuckDB's query.
 */
export function scanSettings({
  read,
  options,
  signal,
}: {
  read: EngineInputs;
  options: EngineRunOptions;
  signal: AbortSignal;
}): {
  settings: Omit<DuckDBEngine.DuckDBScanOptions, "keepLines" | "countable" | "countedFields">;
  release: () => void;
} {
  const tempDirectory = createTempFolder();
  return {
    settings: {
      files: read.files,
      layout: read.layout,
      leftoverFormat: read.leftoverFormat,
      column: read.column,
      threads: options.jobs ?? 1,
      memoryLimit: options.memoryLimit,
      tempDirectory,
      signal,
      ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
    },
    release: () => removeTempFolder(tempDirectory),
  };
}

// How the summary names what a Parquet file of record-field columns was read as.
const PARQUET_RECORDS = "parquet (record fields)";

/**
 * Opens the inputs in DuckDB once for `detect` or `score` (`--engine duckdb`, `--jobs` threads): the
 * scan keeps every line, so its records can be streamed back in order for the detectors to score.
 */
export async function openEngineScan({
  session,
  inputs,
  options,
  keepLines = true,
  countable = true,
  signal,
}: {
  session: Session;
  inputs: readonly string[];
  options: EngineRunOptions;
  /** Ctrl-C: interrupts DuckDB's query. */
  signal: AbortSignal;
  /** Keep the lines for `records` (false for a scan that only fits). */
  keepLines?: boolean;
  /** Keep the fields for `count` (false for a scan that is only scored). */
  countable?: boolean;
}): Promise<{ scan: DuckDBEngine.DuckDBScan; read: EngineInputs; engine: typeof DuckDBEngine }> {
  const engine = await loadDuckDBEngine();
  const read = await engineInputs({
    inputs,
    format: session.format,
    column: session.database.column,
    engine,
  });
  const { settings, release } = scanSettings({ read, options, signal });
  const opened = await engine.openScan({ ...settings, keepLines, countable }).catch((error: unknown) => {
    release();
    throw error;
  });
  const scan: DuckDBEngine.DuckDBScan = {
    ...opened,
    close() {
      opened.close();
      release();
    },
  };
  return { scan, read, engine };
}

/**
 * `oddity fit clickhouse://USER[:PASS]@HOST:PORT/DB --table T` (or `--query Q`): the declared counts as
 * GROUP BY queries in ClickHouse over a table of parsed requests (a Distributed table counts on every
 * shard), or over the rows of a query whose columns are named like record fields. A raw-line
 * column (`--column`) is read as records instead, through the input stream every command uses.
 */
export async function fitOnClickHouse({
  pipeline,
  inputs,
  table,
  query,
  primaryKey,
  env,
}: {
  pipeline: Pipeline;
  inputs: readonly string[];
  table: string | undefined;
  query: string | undefined;
  /** Counted as `extra.primary_key`, as records read with the key carry it. */
  primaryKey: string | undefined;
  env: Record<string, string | undefined>;
}): Promise<Model> {
  const { source: clickhouse } = await loadClickHouse();
  if (inputs.length !== 1) throw new UserError("fit one clickhouse:// table at a time");
  const target = clickhouse.parseClickHouseUrl({ url: inputs[0]!, env });
  if (table === undefined && query === undefined)
    throw new UserError(`${target.display}: name the table with --table, or give --query`);
  const connection = await clickhouse.connectClickHouse(target);
  try {
    const { model } = await clickhouse.fitInClickHouse({
      pipeline,
      client: connection,
      database: target.database,
      table,
      query,
      primaryKey,
      source:
        query === undefined ? `${target.display}#${table}` : clickhouse.querySource(target.display, query),
    });
    return model;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw clickhouse.connectionError(target, error);
  } finally {
    await connection.close();
  }
}

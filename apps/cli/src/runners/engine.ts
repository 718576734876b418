import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import {
  InputError,
  SNIFF_LINES,
  UserError,
  expandInputs,
  resolveFormat,
  type FormatSpec,
  type Model,
  type Pipeline,
} from "@oddity/core";
import type * as DuckDBEngine from "@oddity/engine-duckdb";
import { loadClickHouse } from "../input/clickhouse.js";

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

/**
 * The files an engine reads and the layout it splits them by: globs expanded, and the format named or
 * sniffed from each file's first lines as `oddity fit` would. Anything an engine cannot read (stdin,
 * databases, other formats) is refused with what to do instead.
 */
export async function engineInputs({
  inputs,
  format,
}: {
  inputs: readonly string[];
  format: FormatSpec;
}): Promise<{ files: string[]; layout: "common" | "combined"; leftoverFormat: FormatSpec }> {
  const unreadable = inputs.find((input) => input === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(input));
  if (unreadable !== undefined) {
    throw new UserError(
      `--engine duckdb reads log files; ${unreadable === "-" ? "stdin" : "a database URL"} is fitted without --engine`,
    );
  }
  const files = await expandInputs(inputs);
  const layouts = new Set<string>();
  let ncsa = false;
  for (const file of files) {
    let spec = format;
    if (format.name === "auto") {
      try {
        spec = resolveFormat({ spec: format, lines: await firstLines(file) }).spec;
      } catch (error) {
        throw new InputError(
          `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    // Auto-detection reads the NCSA family line by line: the SQL split takes the lines of its leading
    // layout, and oddity's NCSA reader the rest (trailing fields, mixed layouts), as `oddity fit` does.
    const sql = spec.name === "ncsa" ? spec.layout : spec.name;
    if (sql !== "common" && sql !== "combined") {
      throw new UserError(
        `${file}: --engine duckdb splits common and combined logs only, and this one reads as ${spec.layout === undefined ? spec.name : `${spec.name} led by ${spec.layout}`}; fit without --engine`,
      );
    }
    layouts.add(sql);
    if (spec.name === "ncsa") ncsa = true;
  }
  if (layouts.size > 1) {
    throw new UserError("--engine duckdb fits files of one layout at a time; these mix common and combined");
  }
  const layout = layouts.has("common") ? "common" : "combined";
  return { files, layout, leftoverFormat: ncsa ? { name: "ncsa", layout } : { name: layout } };
}

/**
 * `oddity fit clickhouse://USER[:PASS]@HOST:PORT/DB --table T`: the declared counts as GROUP BY queries
 * in ClickHouse over a table of parsed requests (a Distributed table counts on every shard). A raw-line
 * column (`--column`) is read as records instead, through the input stream every command uses.
 */
export async function fitOnClickHouse({
  pipeline,
  inputs,
  table,
  env,
}: {
  pipeline: Pipeline;
  inputs: readonly string[];
  table: string | undefined;
  env: Record<string, string | undefined>;
}): Promise<Model> {
  const { source: clickhouse, client } = await loadClickHouse();
  if (inputs.length !== 1) throw new UserError("fit one clickhouse:// table at a time");
  const target = clickhouse.parseClickHouseUrl({ url: inputs[0]!, env });
  if (table === undefined) throw new UserError(`${target.display}: name the table with --table`);
  const connection = client.createClient(clickhouse.clientOptions(target));
  try {
    const { model } = await clickhouse.fitInClickHouse({
      pipeline,
      client: connection,
      database: target.database,
      table,
      source: `${target.display}#${table}`,
    });
    return model;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw clickhouse.connectionError(target, error);
  } finally {
    await connection.close();
  }
}

import { UserError, type FormatSpec, type InputStats, type Model } from "@oddity/core";
import type * as ClickHouseClient from "@clickhouse/client";
import type * as ClickHouseSource from "@oddity/source-clickhouse";
import type { DatabaseSettings } from "../config/normalize.js";
import type { InputStream } from "./concat.js";

/** True when an input names a ClickHouse table rather than a file (a cheap test: nothing is loaded). */
export function isClickHouseInput(input: unknown): boolean {
  return typeof input === "string" && /^clickhouse:\/\//i.test(input);
}

/**
 * Loads `@oddity/source-clickhouse` and `@clickhouse/client` on demand: optional peers of the CLI, so
 * runs without a clickhouse:// input never load them, and installs without them say what to add.
 */
export async function loadClickHouse(): Promise<{
  source: typeof ClickHouseSource;
  client: typeof ClickHouseClient;
}> {
  try {
    return { source: await import("@oddity/source-clickhouse"), client: await import("@clickhouse/client") };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new UserError(
        "a clickhouse:// input needs the ClickHouse source, which is not installed: npm install @oddity/source-clickhouse @clickhouse/client",
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Streams a ClickHouse table's records into a pass: its raw-line column (`--column`) parsed by oddity,
 * or its columns named like record fields, or those of a `--query`. Scoring against `model` with
 * `--primary-key`, only the rows the model could flag come back (of parsed columns, a query, or a
 * raw-line column of common or combined lines split in SQL, whose lines the SQL does not read all come
 * back for oddity's parser); the others are counted as read and parsed in ClickHouse.
 */
export function openClickHouse({
  module,
  url,
  database,
  format,
  strict,
  maxLineLength,
  signal,
  onProgress,
  env,
  model,
}: {
  module: typeof ClickHouseSource;
  url: string;
  database: DatabaseSettings;
  format: FormatSpec;
  strict?: boolean | undefined;
  maxLineLength?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((stats: InputStats) => void) | undefined;
  env?: Record<string, string | undefined> | undefined;
  /** The model the records are scored against, if they are. */
  model?: Model | undefined;
}): InputStream {
  const shown = module.maskClickHouseUrl(url);
  if (database.table === undefined && database.query === undefined)
    throw new UserError(`${shown}: name the table with --table, or give --query`);
  // The source refuses a query with --table or --column, saying which to drop.
  const options = {
    url,
    table: database.table,
    query: database.query,
    column: database.column,
    primaryKey: database.primaryKey,
    format,
    strict,
    maxLineLength,
    signal,
    onProgress,
    env,
  };
  return model === undefined
    ? module.readClickHouse(options)
    : module.readClickHouseCandidates({ ...options, model });
}

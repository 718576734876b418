import { readInputs, type FormatSpec, type InputStats, type Model, type StreamInput } from "@oddity/core";
import type { DatabaseSettings } from "../config/normalize.js";
import type * as SqlSource from "@oddity/source-sql";
import { isClickHouseInput, loadClickHouse, openClickHouse } from "./clickhouse.js";
import { concatStreams, type InputStream } from "./concat.js";

/** An input as a command gets it: a path, a glob, `-`, a database URL, or an already open stream. */
export type InputSpec = string | StreamInput;

/** How to read the inputs of one pass. */
export interface OpenOptions {
  inputs: readonly InputSpec[];
  format: FormatSpec;
  database: DatabaseSettings;
  strict?: boolean;
  maxLineLength?: number;
  signal?: AbortSignal;
  onProgress?: (stats: InputStats) => void;
  /** Where database passwords are looked up (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** What `-` reads (default: the process's stdin). */
  stdin?: AsyncIterable<Uint8Array | string>;
  /**
   * The model the pass scores against: a ClickHouse table with a primary key then streams back only the
   * rows it could flag (see `@oddity/source-clickhouse`'s readClickHouseCandidates).
   */
  model?: Model;
}

// Cheap test first so plain file runs never load the database drivers.
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

type SqlModule = typeof SqlSource;
let sql: Promise<SqlModule> | undefined;
function loadSql(): Promise<SqlModule> {
  return (sql ??= import("@oddity/source-sql"));
}

/** Which inputs are database URLs (loads the SQL source only when something looks like a URL). */
async function databaseFlags(inputs: readonly InputSpec[]): Promise<boolean[]> {
  if (!inputs.some((input) => typeof input === "string" && URL_LIKE.test(input)))
    return inputs.map(() => false);
  const { isDatabaseUrl } = await loadSql();
  return inputs.map((input) => typeof input === "string" && isDatabaseUrl(input));
}

/** How inputs are named in summaries and reports: database URLs with their password masked. */
export async function displayInputs(inputs: readonly InputSpec[]): Promise<string[]> {
  const flags = await databaseFlags(inputs);
  const mask = flags.some(Boolean) ? (await loadSql()).maskUrl : (url: string) => url;
  const clickhouse = inputs.some(isClickHouseInput) ? (await loadClickHouse()).source : null;
  return inputs.map((input, i) =>
    typeof input !== "string"
      ? input.name
      : isClickHouseInput(input)
        ? clickhouse!.maskClickHouseUrl(input)
        : flags[i]
          ? mask(input)
          : input,
  );
}

/**
 * Opens the inputs of one pass as one stream: runs of files (and stdin, globs, open streams) go to core's
 * `readInputs`, each database URL to `@oddity/source-sql` (`@oddity/source-clickhouse` for clickhouse://),
 * in the order given.
 */
export async function openInputs(options: OpenOptions): Promise<InputStream> {
  const { inputs, format, database, strict, maxLineLength, signal, onProgress, stdin, env, model } = options;
  const flags = await databaseFlags(inputs);
  const sqlModule = flags.some(Boolean) ? await loadSql() : null;
  const clickhouse = inputs.some(isClickHouseInput) ? (await loadClickHouse()).source : null;
  type Opener = (progress: ((stats: InputStats) => void) | undefined) => InputStream;
  const openers: Opener[] = [];
  let files: InputSpec[] = [];
  const flushFiles = () => {
    if (files.length === 0) return;
    const group = files;
    files = [];
    openers.push((progress) =>
      readInputs({
        inputs: group,
        format,
        ...(strict === undefined ? {} : { strict }),
        ...(maxLineLength === undefined ? {} : { maxLineLength }),
        ...(signal === undefined ? {} : { signal }),
        ...(progress === undefined ? {} : { onProgress: progress }),
      }),
    );
  };
  inputs.forEach((input, i) => {
    if (isClickHouseInput(input)) {
      flushFiles();
      openers.push((progress) =>
        openClickHouse({
          module: clickhouse!,
          url: input as string,
          database,
          format,
          strict,
          maxLineLength,
          signal,
          onProgress: progress,
          env,
          model,
        }),
      );
      return;
    }
    if (!flags[i]) {
      files.push(input === "-" && stdin !== undefined ? { name: "-", stream: stdin } : input);
      return;
    }
    flushFiles();
    const url = input as string;
    openers.push((progress) =>
      sqlModule!.readDatabase({
        url,
        ...database,
        format,
        ...(strict === undefined ? {} : { strict }),
        ...(maxLineLength === undefined ? {} : { maxLineLength }),
        ...(signal === undefined ? {} : { signal }),
        ...(progress === undefined ? {} : { onProgress: progress }),
        ...(env === undefined ? {} : { env }),
      }),
    );
  });
  flushFiles();
  return concatStreams({ openers, onProgress });
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { UserError } from "@oddity/core";

/** How much of the machine a scan's DuckDB may use. */
export interface DuckDBResources {
  /** DuckDB threads (`--jobs`). */
  threads?: number;
  /**
   * The most memory DuckDB may hold (its `memory_limit`: `4GB`, `512MiB` ...). Past it, DuckDB writes
   * what it holds to `tempDirectory` and reads it back when needed. Default: DuckDB's, 80% of the
   * machine's memory.
   */
  memoryLimit?: string | undefined;
  /**
   * The folder DuckDB spills to past `memoryLimit`; the caller makes and removes it. Default: a private
   * folder made in the system's temp folder (`TMPDIR`) and removed on close.
   */
  tempDirectory?: string | undefined;
}

/** An open in-memory DuckDB and the means to free everything it holds, spilled files included. */
export interface OpenInstance {
  instance: DuckDBInstance;
  close(): void;
}

/**
 * An in-memory DuckDB for one scan: offline, keeping insertion order, with the given threads and memory
 * limit, spilling into a folder of its own. DuckDB's default spill folder is `.tmp` in the working
 * directory, which would put gigabytes beside the user's files and leave them there after an
 * interrupted run.
 */
export async function openInstance({
  threads = 1,
  memoryLimit,
  tempDirectory,
}: DuckDBResources): Promise<OpenInstance> {
  const own = tempDirectory === undefined ? mkdtempSync(path.join(tmpdir(), "oddity-duckdb-")) : null;
  const removeOwn = () => {
    if (own !== null) rmSync(own, { recursive: true, force: true });
  };
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:", {
      threads: String(Math.max(1, Math.floor(threads))),
      // Offline: nothing is downloaded; reading text, gzip and Parquet is built in.
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      // A scan streams rows in the order they were inserted, the files' order.
      preserve_insertion_order: "true",
      temp_directory: tempDirectory ?? own!,
      ...(memoryLimit === undefined ? {} : { memory_limit: memoryLimit }),
    });
  } catch (error) {
    removeOwn();
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UserError(
      `DuckDB refused its settings (memory limit ${JSON.stringify(memoryLimit)}): ${reason}`,
      {
        cause: error,
      },
    );
  }
  return {
    instance,
    close() {
      instance.closeSync();
      removeOwn();
    },
  };
}

/**
 * DuckDB's "Out of Memory" error as what to do about it (a user error, exit 2, not a bug); null for any
 * other error. DuckDB spills what it can past its limit, but each thread's reader buffer and each
 * pinned block of a query must fit.
 */
export function memoryError({
  error,
  memoryLimit,
}: {
  error: unknown;
  memoryLimit: string | undefined;
}): UserError | null {
  if (!(error instanceof Error) || !/Out of Memory Error/i.test(error.message)) return null;
  const limit = memoryLimit === undefined ? "the memory it may use" : `its memory limit (${memoryLimit})`;
  return new UserError(
    `DuckDB needs more than ${limit}: ${error.message.split("\n")[0]}; raise the limit (a few hundred MB at least), or read without --engine`,
    { cause: error },
  );
}

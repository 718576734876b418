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
} from "@oddity/core";
import type * as DuckDBEngine from "@oddity/engine-duckdb";

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
}): Promise<{ files: string[]; layout: "common" | "combined" }> {
  const unreadable = inputs.find((input) => input === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(input));
  if (unreadable !== undefined) {
    throw new UserError(
      `--engine duckdb reads log files; ${unreadable === "-" ? "stdin" : "a database URL"} is fitted without --engine`,
    );
  }
  const files = await expandInputs(inputs);
  const layouts = new Set<string>();
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
    if (spec.name !== "common" && spec.name !== "combined") {
      throw new UserError(
        `${file}: --engine duckdb splits common and combined logs only, and this one reads as ${spec.name}; fit without --engine`,
      );
    }
    layouts.add(spec.name);
  }
  if (layouts.size > 1) {
    throw new UserError("--engine duckdb fits files of one layout at a time; these mix common and combined");
  }
  return { files, layout: layouts.has("common") ? "common" : "combined" };
}

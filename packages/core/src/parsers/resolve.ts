import type { FormatSpec } from "../input/types.js";
import { createParser } from "./create.js";
import { resolveFormatWith, type SniffResult } from "./sniff.js";

// The sniffer bound to the parser factory: above both, since the factory's `auto` parser sniffs too.

/**
 * Completes a format from sample lines: `auto` becomes the format most of the first 50 non-blank lines
 * parse with, `csv` learns which column holds raw lines or that columns are fields, `csv:<column>` learns
 * the inner format. A complete spec is returned as is, with how many sample lines it parses.
 */
export function resolveFormat({ spec, lines }: { spec: FormatSpec; lines: readonly string[] }): SniffResult {
  return resolveFormatWith({ spec, lines, createParser });
}

/** Chooses the format most of the first non-blank lines parse with, and says how well it fits. */
export function sniffFormat({ lines }: { lines: readonly string[] }): SniffResult {
  return resolveFormat({ spec: { name: "auto" }, lines });
}

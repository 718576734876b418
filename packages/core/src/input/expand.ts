import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { InputError } from "../errors.js";

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Expands glob patterns (`logs/*.log.gz`, `**`) to the files they match, sorted, in argument order.
 * `-` and plain paths pass through unchanged (a path that exists is never read as a pattern, even with
 * `[` in its name); a pattern that matches nothing is an InputError.
 */
export async function expandInputs(patterns: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const pattern of patterns) {
    if (pattern === "-" || !isDynamicPattern(pattern) || (await exists(pattern))) {
      paths.push(pattern);
      continue;
    }
    // Absolute patterns give absolute paths: record.source should read like what was typed.
    const matches = await glob(pattern, {
      onlyFiles: true,
      expandDirectories: false,
      absolute: isAbsolute(pattern),
    });
    if (matches.length === 0) throw new InputError(`no files match ${pattern}`);
    paths.push(...matches.sort());
  }
  return paths;
}

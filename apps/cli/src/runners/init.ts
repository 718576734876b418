import { existsSync } from "node:fs";
import path from "node:path";
import { UserError } from "@oddity/core";
import { stringify } from "yaml";
import { CONFIG_NAMES } from "../config/load.js";
import { DEFAULT_PIPELINE } from "../config/normalize.js";
import { writeFileAtomic } from "../output/atomic.js";
import { builtinPackage, importBuiltin } from "../plugins/builtins.js";
import { describeOptions } from "../plugins/describe.js";
import { pickDetector } from "../plugins/load.js";
import type { RunContext } from "./context.js";

/** Options of `oddity init`. */
export interface InitOptions {
  force?: boolean | undefined;
  /** Where to write (default `oddity.config.yaml` in the working directory). */
  file?: string | undefined;
}

const HEADER = `# oddity.config.yaml: settings for oddity detect, fit, score, profile and show.
# oddity looks for this file from the working directory upward (or use --config FILE).
# Every key is optional; delete what you do not need. Run \`oddity detectors\` to list the
# detectors this file loads with their options, defaults and current values.

# Input format: auto (sniffed from the first lines), common, combined, vcombined, nginx,
# jsonl, csv, tsv, csv:<column> (one raw log line per row, e.g. csv:entry), or
# apache:<LogFormat string>, e.g. 'apache:%h %l %u %t "%r" %>s %b %D'.
format: auto

# JSON Lines / CSV logs: record field <- key or column in your logs (unmapped keys become extras).
# fields:
#   ip: remote_addr
#   time: timestamp
#   user_agent: http_user_agent

# Inputs read when the command line names none: files, globs, "-" (stdin) or database URLs.
# Relative paths are read from this file's folder.
# inputs:
#   - logs/access.log

# For database URL inputs (mysql://, postgres://): a table with one raw line per row, or a query
# whose columns are record fields. The password comes from the URL or ODDITY_DB_PASSWORD.
# database:
#   table: api_access
#   column: entry
#   # query: SELECT ip, ts AS time, method, path, status, size, user_agent FROM requests

# The detectors, in order. \`use\` is a bundled detector (rarity, conditional, size, params,
# client, targets), an npm package
# installed next to this file, or a path to an ES module relative to this file. Give two instances
# of one detector distinct ids. Options left out take their defaults (shown commented).
detectors:
`;

const FOOTER = `
# How findings combine into a record's score, in bits of surprisal (-log2 p).
scoring:
  # sum-max: add each detector's strongest finding (different kinds of evidence add up, one
  # detector's correlated fields, and two instances of one detector, count once); sum: add every
  # finding; max: the strongest finding.
  combine: sum-max
  # Records scoring fewer bits are not reported.
  minScore: 0
  # Anomalies a table shows (default 20 for tables, all for json/ndjson/csv; 0 for all).
  # top: 20
`;

function commented(value: unknown, indent: string): string {
  return stringify(value, { lineWidth: 0 })
    .trimEnd()
    .split("\n")
    .map((line) => `${indent}#   ${line}`)
    .join("\n");
}

/** The starter config: the bundled detectors with their real defaults, as comments. */
export async function starterConfig(): Promise<string> {
  const entries: string[] = [];
  for (const { use, id, options } of DEFAULT_PIPELINE) {
    const module = (await importBuiltin(builtinPackage(use)!)) as Record<string, unknown>;
    const definition = pickDetector(module);
    let entry = `  - use: ${use}\n${id === undefined ? "" : `    id: ${id}\n`}`;
    if (!Array.isArray(definition)) {
      entry += `    # ${definition.meta.description}\n`;
      if (options !== undefined) {
        const set = stringify(options, { lineWidth: 0 }).trimEnd().split("\n");
        entry += `    options:\n${set.map((line) => `      ${line}`).join("\n")}\n`;
      }
      const docs = describeOptions(definition).filter(
        (o) => o.default !== undefined && (options === undefined || !Object.hasOwn(options, o.name)),
      );
      if (docs.length > 0) {
        const defaults = Object.fromEntries(docs.map((o) => [o.name, o.default]));
        entry += `    # ${options === undefined ? "options" : "other options, at their defaults"}:\n${commented(defaults, "    ")}\n`;
      }
    }
    entries.push(entry);
  }
  return `${HEADER}${entries.join("")}${FOOTER}`;
}

/** `oddity init`: writes a commented starter config; never overwrites one without `--force`. */
export async function runInit(options: InitOptions, ctx: RunContext): Promise<number> {
  const file = path.resolve(ctx.cwd, options.file ?? "oddity.config.yaml");
  if (existsSync(file) && options.force !== true) {
    throw new UserError(
      `${path.relative(ctx.cwd, file) || file} already exists; use --force to overwrite it`,
    );
  }
  const others = CONFIG_NAMES.map((name) => path.join(path.dirname(file), name)).filter(
    (other) => other !== file && existsSync(other),
  );
  await writeFileAtomic(file, await starterConfig());
  ctx.stderr.write(`wrote ${path.relative(ctx.cwd, file) || file}\n`);
  for (const other of others) {
    ctx.stderr.write(
      `warning: ${path.relative(ctx.cwd, other)} is also here; oddity uses one config per folder, in the order ${CONFIG_NAMES.join(", ")}\n`,
    );
  }
  return 0;
}

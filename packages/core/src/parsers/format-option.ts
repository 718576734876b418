import { ConfigError } from "../errors.js";
import type { FormatSpec } from "../input/types.js";
import { createParser } from "./create.js";

const NAMES: Readonly<Record<string, FormatSpec["name"]>> = {
  auto: "auto",
  common: "common",
  clf: "common",
  combined: "combined",
  vcombined: "vcombined",
  ncsa: "ncsa",
  nginx: "nginx",
  apache: "apache",
  jsonl: "jsonl",
  json: "jsonl",
  ndjson: "jsonl",
  csv: "csv",
  tsv: "tsv",
};

const USAGE =
  "auto, ncsa, common, combined, vcombined, nginx, jsonl, csv, tsv, csv:<column>, tsv:<column>, apache:<LogFormat>, nginx:<log_format>";

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

function suggestion(name: string): string {
  let nearest = "";
  let nearestDistance = Number.POSITIVE_INFINITY;
  for (const known of Object.keys(NAMES)) {
    const d = distance(name.toLowerCase(), known);
    if (d < nearestDistance) [nearest, nearestDistance] = [known, d];
  }
  return nearestDistance <= 2 ? ` (did you mean "${nearest}"?)` : "";
}

/**
 * Reads a `--log-format` value: a format name, `csv:<column>` / `tsv:<column>` for a column holding raw
 * lines, or `apache:<LogFormat>` / `nginx:<log_format>` for a custom layout. Throws ConfigError otherwise.
 */
export function parseFormatOption(text: string): FormatSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const word = (colon === -1 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const argument = colon === -1 ? null : trimmed.slice(colon + 1);
  const name = Object.hasOwn(NAMES, word) ? NAMES[word] : undefined;
  if (name === undefined) {
    throw new ConfigError(
      `unknown log format ${JSON.stringify(text)}${suggestion(word)}; expected one of ${USAGE}`,
    );
  }
  if (argument === null) {
    if (name === "apache") {
      throw new ConfigError(
        'the apache format needs a LogFormat string, e.g. apache:%h %l %u %t "%r" %>s %b',
      );
    }
    return { name };
  }
  if (argument.trim().length === 0) throw new ConfigError(`nothing follows "${word}:" in the log format`);
  let spec: FormatSpec;
  if (name === "csv" || name === "tsv") spec = { name, column: argument.trim() };
  else if (name === "apache" || name === "nginx") spec = { name, logFormat: argument };
  else throw new ConfigError(`the ${word} log format takes no argument; expected one of ${USAGE}`);
  // Compiling now reports a bad format string before any input is read.
  createParser(spec);
  return spec;
}

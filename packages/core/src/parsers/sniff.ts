import type { FormatSpec, LineParser } from "../input/types.js";
import { parseClfLine } from "./clf.js";
import { parseFamilyLine } from "./clf-family.js";
import { createParser } from "./create.js";
import { findColumn, headerNames, RAW_COLUMN_NAMES, splitRow } from "./csv.js";
import { createFieldMapper } from "./field-map.js";

/** How many non-blank lines of a source are looked at to choose its format. */
export const SNIFF_LINES = 50;

/** A chosen format, with how well it fits the sample. */
export interface SniffResult {
  spec: FormatSpec;
  /** For people: `combined, auto-detected (50 of 50 sample lines parse)`. */
  description: string;
  /** Sample lines that parse with it (a CSV header row counts when it names the columns). */
  parsed: number;
  /** Non-blank lines looked at. */
  sampled: number;
}

interface Candidate {
  spec: FormatSpec;
  parser: LineParser;
  parsed: number;
}

// Ties go to the first: a vcombined line also reads as combined with a spaced user, never the reverse.
const LINE_FORMATS = ["vcombined", "combined", "common"] as const;

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

function countParsed(parser: LineParser, lines: readonly string[]): number {
  let parsed = 0;
  for (let i = 0; i < lines.length; i++) {
    if (typeof parser.parse(lines[i]!, "sniff", i + 1) !== "string") parsed++;
  }
  return parsed;
}

function best(candidates: readonly Candidate[]): Candidate | null {
  let winner: Candidate | null = null;
  for (const candidate of candidates)
    if (winner === null || candidate.parsed > winner.parsed) winner = candidate;
  return winner;
}

/**
 * The NCSA family as one candidate: it reads every layout of the family line by line, led by the layout
 * the hand-written reader reads most sample lines with (ties go to the first of LINE_FORMATS).
 */
function ncsaCandidate(lines: readonly string[]): Candidate {
  let layout: (typeof LINE_FORMATS)[number] = "combined";
  let most = 0;
  for (const name of LINE_FORMATS) {
    let parsed = 0;
    for (let i = 0; i < lines.length; i++)
      if (typeof parseClfLine(lines[i]!, "sniff", i + 1, name) !== "string") parsed++;
    if (parsed > most) [layout, most] = [name, parsed];
  }
  if (most === 0) {
    // No line has a plain layout (each has trailing fields, tabs...): lead with the commonest core.
    let virtual = 0;
    let common = 0;
    let total = 0;
    for (let i = 0; i < lines.length; i++) {
      const result = parseFamilyLine(lines[i]!, "sniff", i + 1);
      if (typeof result === "string") continue;
      total++;
      if (result.layout.startsWith("v")) virtual++;
      else if (result.layout.startsWith("common")) common++;
    }
    layout = virtual * 2 > total ? "vcombined" : common * 2 > total ? "common" : "combined";
  }
  const spec: FormatSpec = { name: "ncsa", layout };
  const parser = createParser(spec);
  return { spec, parser, parsed: countParsed(parser, lines) };
}

function lineCandidates(lines: readonly string[]): Candidate[] {
  const jsonl = createParser({ name: "jsonl" });
  return [
    ncsaCandidate(lines),
    { spec: { name: "jsonl" }, parser: jsonl, parsed: countParsed(jsonl, lines) },
  ];
}

// A header names columns; a log line (brackets, quotes, braces) does not.
const COLUMN_NAME = /^[\p{L}\p{N}_ .@$()\-:/#]{1,64}$/u;
const MAX_COLUMNS = 64;

function delimitedCandidates(base: FormatSpec, lines: readonly string[]): Candidate[] {
  const delimiter = base.name === "tsv" ? "\t" : ",";
  const header = lines[0];
  if (header === undefined) return [];
  const rows = lines.slice(1);
  const cells = splitRow(header, delimiter);
  if (typeof cells === "string" || cells.length > MAX_COLUMNS) return [];
  if (base.header !== false && !cells.every((cell) => COLUMN_NAME.test(cell.trim()))) return [];
  const names = base.header === false ? cells.map((_, i) => String(i + 1)) : headerNames(cells);
  const dataRows = base.header === false ? lines : rows;
  const candidates: Candidate[] = [];
  const tryCandidate = (spec: FormatSpec): void => {
    const parser = createParser(spec);
    if (parser.readHeader !== undefined && parser.readHeader(header) !== null) return;
    const parsed = countParsed(parser, dataRows);
    // A header that names the columns is understood, though it is no record; it tips a tie with a line format.
    const understood = base.header !== false && (parsed > 0 || spec.column === undefined) ? 1 : 0;
    candidates.push({ spec, parser, parsed: parsed + understood });
  };

  // A one-column table looks just like a log with a stray first line, unless the column says what it is.
  const columns =
    base.column !== undefined
      ? [base.column]
      : names.length === 1 && !RAW_COLUMN_NAMES.includes(names[0]!.toLowerCase())
        ? []
        : names;
  if (base.fields === undefined) {
    for (const column of columns) {
      const at = findColumn(names, column);
      const values: string[] = [];
      for (const row of dataRows) {
        const rowCells = splitRow(row, delimiter);
        if (typeof rowCells !== "string" && rowCells.length === names.length && at !== -1)
          values.push(rowCells[at]!);
      }
      const inner =
        base.inner !== undefined && base.inner.name !== "auto" ? base.inner : bestLineFormat(values);
      tryCandidate({ ...base, column, inner });
    }
  }
  if (base.column === undefined) {
    const mapper = createFieldMapper(base.fields);
    const known = names.filter((name) => mapper.route(name) !== null).length;
    if (known >= 2 || base.fields !== undefined) {
      const { column: _column, inner: _inner, ...fieldsSpec } = base;
      tryCandidate(fieldsSpec);
    }
  }
  return candidates;
}

function bestLineFormat(values: readonly string[]): FormatSpec {
  return (
    best(lineCandidates(values.filter((v) => !isBlank(v))))?.spec ?? { name: "ncsa", layout: "combined" }
  );
}

/** True when a spec cannot parse until it has seen sample lines (auto, csv without a column...). */
export function needsSample(spec: FormatSpec): boolean {
  if (spec.name === "auto") return true;
  if (spec.name !== "csv" && spec.name !== "tsv") return false;
  if (spec.column === undefined) return spec.fields === undefined;
  return spec.inner === undefined || spec.inner.name === "auto";
}

function describe(candidate: Candidate, sampled: number, sniffed: boolean): SniffResult {
  const name = candidate.parser.description;
  return {
    spec: candidate.spec,
    description: sniffed
      ? `${name}, auto-detected (${candidate.parsed} of ${sampled} sample lines parse)`
      : name,
    parsed: candidate.parsed,
    sampled,
  };
}

/**
 * Completes a format from sample lines: `auto` becomes the format most of the first 50 non-blank lines
 * parse with, `csv` learns which column holds raw lines or that columns are fields, `csv:<column>` learns
 * the inner format. A complete spec is returned as is, with how many sample lines it parses.
 */
export function resolveFormat({ spec, lines }: { spec: FormatSpec; lines: readonly string[] }): SniffResult {
  const sample = lines.filter((line) => !isBlank(line)).slice(0, SNIFF_LINES);
  if (!needsSample(spec)) {
    const parser = createParser(spec);
    let parsed = 0;
    if (parser.readHeader === undefined) parsed = countParsed(parser, sample);
    else if (sample.length > 0 && parser.readHeader(sample[0]!) === null)
      parsed = countParsed(parser, sample.slice(1));
    return describe({ spec, parser, parsed }, sample.length, false);
  }
  const candidates =
    spec.name === "auto"
      ? [
          ...lineCandidates(sample),
          ...delimitedCandidates({ name: "csv" }, sample),
          ...delimitedCandidates({ name: "tsv" }, sample),
        ]
      : delimitedCandidates(spec, sample);
  const winner = best(candidates);
  if (winner !== null && winner.parsed > 0) return describe(winner, sample.length, true);
  const fallback: FormatSpec = spec.name === "auto" ? { name: "ncsa", layout: "combined" } : spec;
  return describe({ spec: fallback, parser: createParser(fallback), parsed: 0 }, sample.length, true);
}

/** Chooses the format most of the first non-blank lines parse with, and says how well it fits. */
export function sniffFormat({ lines }: { lines: readonly string[] }): SniffResult {
  return resolveFormat({ spec: { name: "auto" }, lines });
}

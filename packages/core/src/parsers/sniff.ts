import type { FormatSpec, LineParser } from "../input/types.js";
import { parseClfLine } from "./clf.js";
import { parseFamilyLine } from "./clf-family.js";
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

// The sniffer tries candidates with the factory it is given rather than importing createParser: the
// factory's `auto` parser sniffs, so each would import the other.
type ParserFactory = (spec: FormatSpec) => LineParser;

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
function ncsaCandidate({
  lines,
  createParser,
}: {
  lines: readonly string[];
  createParser: ParserFactory;
}): Candidate {
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

function lineCandidates({
  lines,
  createParser,
}: {
  lines: readonly string[];
  createParser: ParserFactory;
}): Candidate[] {
  const jsonl = createParser({ name: "jsonl" });
  return [
    ncsaCandidate({ lines, createParser }),
    { spec: { name: "jsonl" }, parser: jsonl, parsed: countParsed(jsonl, lines) },
  ];
}

// A header names columns; a log line (brackets, quotes, braces) does not.
const COLUMN_NAME = /^[\p{L}\p{N}_ .@$()\-:/#]{1,64}$/u;
const MAX_COLUMNS = 64;

function delimitedCandidates({
  base,
  lines,
  createParser,
}: {
  base: FormatSpec;
  lines: readonly string[];
  createParser: ParserFactory;
}): Candidate[] {
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
        base.inner !== undefined && base.inner.name !== "auto"
          ? base.inner
          : bestLineFormat({ values, createParser });
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

function bestLineFormat({
  values,
  createParser,
}: {
  values: readonly string[];
  createParser: ParserFactory;
}): FormatSpec {
  return (
    best(lineCandidates({ lines: values.filter((v) => !isBlank(v)), createParser }))?.spec ?? {
      name: "ncsa",
      layout: "combined",
    }
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
 * Completes a format from sample lines as `resolveFormat` (resolve.ts) says, trying each candidate with
 * the parser `createParser` makes for it.
 */
export function resolveFormatWith({
  spec,
  lines,
  createParser,
}: {
  spec: FormatSpec;
  lines: readonly string[];
  createParser: ParserFactory;
}): SniffResult {
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
          ...lineCandidates({ lines: sample, createParser }),
          ...delimitedCandidates({ base: { name: "csv" }, lines: sample, createParser }),
          ...delimitedCandidates({ base: { name: "tsv" }, lines: sample, createParser }),
        ]
      : delimitedCandidates({ base: spec, lines: sample, createParser });
  const winner = best(candidates);
  if (winner !== null && winner.parsed > 0) return describe(winner, sample.length, true);
  const fallback: FormatSpec = spec.name === "auto" ? { name: "ncsa", layout: "combined" } : spec;
  return describe({ spec: fallback, parser: createParser(fallback), parsed: 0 }, sample.length, true);
}

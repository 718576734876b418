import type { FormatSpec, LineParser } from "../input/types.js";
import { createFieldMapper } from "./field-map.js";
import { quoteLogText } from "./text.js";

/** Splits one CSV/TSV row with RFC 4180 quoting (`"a ""b"""`); returns the cells or why it cannot. */
export function splitRow(line: string, delimiter: "," | "\t"): string[] | string {
  const cells: string[] = [];
  const code = delimiter.charCodeAt(0);
  let pos = 0;
  for (;;) {
    if (line.charCodeAt(pos) !== 34) {
      const next = line.indexOf(delimiter, pos);
      if (next === -1) {
        cells.push(line.slice(pos));
        return cells;
      }
      cells.push(line.slice(pos, next));
      pos = next + 1;
      continue;
    }
    const opened = pos;
    let value = "";
    let from = pos + 1;
    for (;;) {
      const quote = line.indexOf('"', from);
      if (quote === -1) {
        return `expected a closing quote for the field opened at column ${opened + 1} (quoted fields cannot span lines)`;
      }
      value += line.slice(from, quote);
      if (line.charCodeAt(quote + 1) === 34) {
        value += '"';
        from = quote + 2;
        continue;
      }
      pos = quote + 1;
      break;
    }
    cells.push(value);
    if (pos === line.length) return cells;
    if (line.charCodeAt(pos) !== code) {
      return `expected a ${delimiter === "," ? "comma" : "tab"} after the closing quote at column ${pos + 1}`;
    }
    pos++;
  }
}

/** Column names from a header row: trimmed, and made unique so no column hides another. */
export function headerNames(cells: readonly string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell, i) => {
    let name = cell.trim();
    if (name.length === 0) name = String(i + 1);
    while (seen.has(name)) name = `${name}_${i + 1}`;
    seen.add(name);
    return name;
  });
}

/** Finds a column by exact name, then ignoring case. */
export function findColumn(names: readonly string[], wanted: string): number {
  const exact = names.indexOf(wanted);
  if (exact !== -1) return exact;
  const lower = wanted.toLowerCase();
  return names.findIndex((name) => name.toLowerCase() === lower);
}

/** Column names that, alone in a table, hold whole log lines (the lesson's SQL table has `entry`). */
export const RAW_COLUMN_NAMES: readonly string[] = ["entry", "line", "raw", "log", "message", "request_line"];

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => quoteLogText(n));
  return shown.join(", ") + (names.length > 12 ? ", ..." : "");
}

/**
 * CSV/TSV rows: either one column holds a raw log line (`spec.column`, parsed with `spec.inner`), or each
 * column is a field mapped like JSON keys. With a header (the default) the parser must be given the first
 * row through `readHeader` before any `parse`; create one parser per source.
 */
export function createDelimitedParser(
  spec: FormatSpec,
  delimiter: "," | "\t",
  createInner: (spec: FormatSpec) => LineParser,
): LineParser {
  const name = delimiter === "," ? "csv" : "tsv";
  const mapper = createFieldMapper(spec.fields);
  const hasHeader = spec.header !== false;
  let names: string[] | null = null;
  let rawColumn = -1;
  let inner: LineParser | null =
    spec.column === undefined ? null : createInner(spec.inner ?? { name: "auto" });
  const describe = (column: string): string =>
    `${name} (column ${quoteLogText(column)} holds ${inner!.description} lines)`;
  let description = spec.column === undefined ? `${name} (columns mapped by name)` : describe(spec.column);

  function useColumns(columns: string[]): string | null {
    const problem = chooseColumns(columns);
    // Rows are refused until a header works: a missing raw column must not be read as column -1.
    if (problem === null) names = columns;
    return problem;
  }

  function chooseColumns(columns: string[]): string | null {
    let wanted = spec.column;
    if (wanted === undefined && spec.fields === undefined && columns.length === 1) {
      const only = columns[0]!.toLowerCase();
      if (RAW_COLUMN_NAMES.includes(only)) wanted = columns[0];
    }
    if (wanted !== undefined) {
      rawColumn = findColumn(columns, wanted);
      if (rawColumn === -1)
        return `no column named ${quoteLogText(wanted)} in the header (columns: ${listNames(columns)})`;
      inner ??= createInner(spec.inner ?? { name: "auto" });
      description = describe(columns[rawColumn]!);
      return null;
    }
    for (const [field, key] of mapper.explicit) {
      if (!columns.includes(key)) {
        return `no column named ${quoteLogText(key)} for the field ${field} (columns: ${listNames(columns)})`;
      }
    }
    return null;
  }

  const parser: LineParser = {
    get description() {
      return description;
    },
    parse(line, source, lineNumber) {
      const cells = splitRow(line, delimiter);
      if (typeof cells === "string") return cells;
      if (names === null) {
        if (hasHeader) return "expected the header row to be read first (readHeader)";
        const problem = useColumns(cells.map((_, i) => String(i + 1)));
        if (problem !== null) return problem;
      }
      const columns = names!;
      if (cells.length !== columns.length) {
        return `expected ${columns.length} fields as in the header, found ${cells.length}`;
      }
      if (inner !== null) {
        const result = inner.parse(cells[rawColumn]!, source, lineNumber);
        return typeof result === "string"
          ? `in column ${quoteLogText(columns[rawColumn]!)}: ${result}`
          : result;
      }
      return mapper.build({ keys: columns, values: cells, source, line: lineNumber, raw: line });
    },
  };
  if (hasHeader) {
    parser.readHeader = (line) => {
      const cells = splitRow(line, delimiter);
      if (typeof cells === "string") return `cannot read the header row: ${cells}`;
      return useColumns(headerNames(cells));
    };
  }
  return parser;
}

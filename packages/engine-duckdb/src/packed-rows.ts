import { TEXT_COLUMNS } from "./inputs.js";

// The record fields of a row as the stream reads them, one line each after `plain` and the numbers.
const PACKED_TEXT = TEXT_COLUMNS;

/** A packed part: `=` before a value, empty for null (see `packedSql`). */
const packedPart = (x: string) => `coalesce('=' || ${x}, '')`;
/** Text with `\` and newlines escaped, for text that may hold newlines (Parquet values). */
const escapedText = (x: string) => `replace(replace(${x}, '\\', '\\\\'), chr(10), '\\n')`;

// One string per row: converting a string out of DuckDB costs far more than splitting one in Node, so the
// fields travel joined by newlines. A field's text is prefixed with `=`, so an empty part is null and `=`
// an empty string. No line of a text file holds a newline, nor any field split from it; a Parquet value
// may, so the text of the files in `escaped` (their `src`) has `\` and newlines escaped.
export function packedSql(escaped: readonly number[]): string {
  const part = packedPart;
  const text = (x: string) =>
    escaped.length === 0
      ? part(x)
      : part(`CASE WHEN src IN (${escaped.join(", ")}) THEN ${escapedText(x)} ELSE ${x} END`);
  const parts = [
    `CASE WHEN plain THEN '1' ELSE '' END`,
    part(`CAST(CAST("time" AS DOUBLE) AS VARCHAR)`),
    part(`CAST(CAST(status AS DOUBLE) AS VARCHAR)`),
    part(`CAST(CAST(size AS DOUBLE) AS VARCHAR)`),
    text("line"),
    ...PACKED_TEXT.map((f) => text(`"${f}"`)),
    // Where a record of a Parquet file of parsed requests came from, when it says.
    text("source"),
    part(`CAST(line_no AS VARCHAR)`),
  ];
  return `concat_ws(chr(10), ${parts.join(", ")})`;
}

export function textOf(part: string | undefined, escaped: boolean): string | null {
  if (part === undefined || part.length === 0) return null;
  const text = part.slice(1);
  return escaped && text.includes("\\")
    ? text.replace(/\\([\\n])/g, (_, c: string) => (c === "n" ? "\n" : "\\"))
    : text;
}

export function numberOf(part: string | undefined): number | null {
  return part === undefined || part.length === 0 ? null : Number(part.slice(1));
}

// A spreadsheet treats a cell starting with one of these as a formula (CSV injection); a leading `'`
// makes it plain text in Excel, LibreOffice and Google Sheets.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A CSV cell value: text from the log is neutralised; numbers we computed are written as they are. */
export type CsvValue = string | number | null;

/** One RFC 4180 cell: text that starts a formula prefixed with `'` (a lone `-` or `+` does not), quoted when it holds `,` `"` CR or LF. */
export function csvCell(value: CsvValue): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  // A lone sign is no formula: `-` (an empty field in access logs) stays `-`.
  const text = FORMULA_START.test(value) && value !== "-" && value !== "+" ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record terminated by CRLF, as RFC 4180 specifies. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

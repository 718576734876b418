import { excerpt, type LineParser, type LogRecord, type Rejection } from "@oddity/core";

/** What became of a line the SQL split handed back. */
export type HandedBack =
  { kind: "blank" } | { kind: "record"; record: LogRecord } | { kind: "rejected"; rejection: Rejection };

/** Reads a handed-back line as oddity's own reader does: overlong first, then blank, then the parser. */
export function handBack({
  parser,
  source,
  n,
  line,
  maxLineLength,
}: {
  parser: LineParser;
  source: string;
  n: number;
  line: string | null;
  maxLineLength: number;
}): HandedBack {
  if (line === null) return { kind: "blank" };
  if (line.length > maxLineLength) {
    const reason = `line longer than ${maxLineLength} characters`;
    return { kind: "rejected", rejection: { source, line: n, reason, excerpt: excerpt(line) } };
  }
  if (line.trim().length === 0) return { kind: "blank" };
  const record = parser.parse(line, source, n);
  if (typeof record === "string") {
    return { kind: "rejected", rejection: { source, line: n, reason: record, excerpt: excerpt(line) } };
  }
  return { kind: "record", record };
}

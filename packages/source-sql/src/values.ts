import { parseTimeValue } from "@oddity/core";

/** A column value as text for a categorical field; `null` stays absent. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return JSON.stringify(value);
}

/**
 * A column value as a number for `status`/`size`: numeric text is converted and `-` (as logs write
 * "no value") is absent. Anything else is the reason the row is rejected.
 */
export function toNumber(value: unknown): { value: number | null } | { problem: string } {
  if (value === null || value === undefined) return { value: null };
  if (typeof value === "number") return Number.isFinite(value) ? { value } : { problem: String(value) };
  if (typeof value === "bigint") return { value: Number(value) };
  const text = toText(value)!.trim();
  if (text === "-" || text === "") return { value: null };
  const n = Number(text);
  return Number.isFinite(n) ? { value: n } : { problem: text };
}

/**
 * A time column as epoch milliseconds plus the text to show: Date values (DATETIME, timestamptz) as
 * they are; numbers and text the way core reads JSON and CSV time fields (epoch s/ms/µs/ns, ISO 8601,
 * or the access log's `16/Apr/2019:19:34:42 +0000`). Unparseable text keeps its text and gets no time,
 * like a log line would.
 */
export function toTime(value: unknown): { time: number | null; text: string | null } {
  if (value === null || value === undefined) return { time: null, text: null };
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? { time: null, text: null } : { time, text: value.toISOString() };
  }
  if (typeof value === "number" || typeof value === "bigint") {
    const time = parseTimeValue(Number(value));
    return { time, text: time === null ? String(value) : new Date(time).toISOString() };
  }
  const text = toText(value)!;
  return { time: parseTimeValue(text), text };
}

const MONTHS: ReadonlyMap<string, number> = new Map([
  ["Jan", 0],
  ["Feb", 1],
  ["Mar", 2],
  ["Apr", 3],
  ["May", 4],
  ["Jun", 5],
  ["Jul", 6],
  ["Aug", 7],
  ["Sep", 8],
  ["Oct", 9],
  ["Nov", 10],
  ["Dec", 11],
]);

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function dayMs(text: string): number | null {
  const day = twoDigits(text, 0);
  const month = MONTHS.get(text.slice(3, 6));
  const century = twoDigits(text, 7);
  const year = twoDigits(text, 9);
  if (day < 1 || month === undefined || century < 0 || year < 0) return null;
  if (text.charCodeAt(2) !== 47 || text.charCodeAt(6) !== 47 || text.charCodeAt(11) !== 58) return null;
  const fullYear = century * 100 + year;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as written.
  const ms = date.setUTCFullYear(fullYear, month, day);
  // A day the month does not have (31/Feb) rolls over into the next month: not a date.
  return date.getUTCDate() === day ? ms : null;
}

/**
 * Parses a Common Log Format timestamp, `16/Apr/2019:19:34:42 +0000` (zone optional), to epoch ms; null
 * when it is not one. A parser reading line after line uses {@link createClfTimeReader} instead.
 */
export function parseClfTime(text: string): number | null {
  return clfTime(text, null);
}

/** Reads CLF timestamps as {@link parseClfTime} does, remembering what makes the next line cheaper. */
export type ClfTimeReader = (text: string) => number | null;

/**
 * A CLF timestamp reader for one parser. Consecutive lines almost always share their day, so it resolves
 * the date part once per day, not per line; and busy logs write several lines a second, so a repeated
 * timestamp is resolved once. What it remembers is its own: each parser makes one.
 */
export function createClfTimeReader(): ClfTimeReader {
  const day: DayMemo = { prefix: "", ms: 0 };
  let lastText = "";
  let lastMs: number | null = null;
  return (text) => {
    if (text === lastText) return lastMs;
    const ms = clfTime(text, day);
    lastText = text;
    lastMs = ms;
    return ms;
  };
}

/** The last day a reader resolved: the timestamp's first 12 characters, and the day's epoch ms. */
interface DayMemo {
  prefix: string;
  ms: number;
}

function clfTime(text: string, day: DayMemo | null): number | null {
  const length = text.length;
  if (length !== 26 && length !== 20) return null;
  let base: number;
  if (day !== null && day.prefix.length !== 0 && text.startsWith(day.prefix)) {
    base = day.ms;
  } else {
    const ms = dayMs(text);
    if (ms === null) return null;
    if (day !== null) {
      day.prefix = text.slice(0, 12);
      day.ms = ms;
    }
    base = ms;
  }
  const hours = twoDigits(text, 12);
  const minutes = twoDigits(text, 15);
  const seconds = twoDigits(text, 18);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 60) return null;
  if (text.charCodeAt(14) !== 58 || text.charCodeAt(17) !== 58) return null;
  let offsetMinutes = 0;
  if (length === 26) {
    const sign = text.charCodeAt(21);
    const offsetHours = twoDigits(text, 22);
    const offsetRest = twoDigits(text, 24);
    if (text.charCodeAt(20) !== 32 || (sign !== 43 && sign !== 45)) return null;
    if (offsetHours < 0 || offsetHours > 23 || offsetRest < 0 || offsetRest > 59) return null;
    offsetMinutes = (offsetHours * 60 + offsetRest) * (sign === 45 ? -1 : 1);
  }
  return base + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000;
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds to ms, told apart by magnitude. */
export function epochToMs(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  if (value < 1e11) return Math.round(value * 1000);
  if (value < 1e14) return Math.round(value);
  if (value < 1e17) return Math.round(value / 1000);
  return Math.round(value / 1e6);
}

const ISO_8601 = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?)(Z|z|[+-]\d\d(?::?\d\d)?)?)?$/;
const NUMERIC = /^\d+(?:\.\d+)?$/;

function parseIso(text: string): number | null {
  const match = ISO_8601.exec(text);
  if (match === null) return null;
  const [, date, clock, zone] = match;
  if (clock === undefined) return Date.parse(`${date}T00:00:00Z`) || null;
  let offset = "Z";
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const digits = zone.slice(1).replace(":", "");
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2) : "00"}`;
  }
  // Without a zone the time is taken as UTC: the host's own zone has nothing to do with the log's.
  const ms = Date.parse(`${date}T${clock.replace(",", ".")}${offset}`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Reads a timestamp from a structured field: ISO 8601, CLF (with or without brackets) or an epoch number
 * (seconds, ms, µs, ns). Returns epoch ms, or null when the value is none of them.
 */
export function parseTimeValue(value: unknown): number | null {
  if (typeof value === "number") return epochToMs(value);
  if (typeof value !== "string") return null;
  let text = value.trim();
  if (text.length === 0) return null;
  if (NUMERIC.test(text)) return epochToMs(Number(text));
  if (text.charCodeAt(0) === 91 && text.charCodeAt(text.length - 1) === 93) text = text.slice(1, -1);
  if (text.charCodeAt(2) === 47) return parseClfTime(text);
  return parseIso(text);
}

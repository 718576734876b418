import { pathTemplate } from "./path-template.js";
import type { FieldValue, LogRecord } from "./record.js";

/** Fields every record has, as parsed. */
export const RECORD_FIELDS = [
  "source",
  "line",
  "raw",
  "ip",
  "ident",
  "user",
  "time",
  "time_text",
  "method",
  "path",
  "http_version",
  "status",
  "size",
  "referer",
  "user_agent",
] as const;

/** Fields computed from the parsed ones on demand; every detector can ask for them by name. */
export const DERIVED_FIELDS = ["endpoint", "query", "path_template", "hour", "weekday", "size_mb"] as const;

/** The lesson's column names, and a few common spellings, accepted wherever a field name is. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  request_method: "method",
  request_path: "path",
  status_code: "status",
  timestamp: "time",
  bytes: "size",
  client_ip: "ip",
  remote_addr: "ip",
  useragent: "user_agent",
  agent: "user_agent",
  referrer: "referer",
  protocol: "http_version",
});

/** Categorical fields `profile` shows by default, in this order. */
export const CATEGORICAL_FIELDS = [
  "ip",
  "method",
  "path",
  "path_template",
  "endpoint",
  "http_version",
  "status",
  "referer",
  "user_agent",
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];
export type DerivedField = (typeof DERIVED_FIELDS)[number];

const recordFieldSet = new Set<string>(RECORD_FIELDS);
const derivedFieldSet = new Set<string>(DERIVED_FIELDS);

/** Resolves an alias to its canonical field name; unknown names come back unchanged (they may be extras). */
export function canonicalField(name: string): string {
  return Object.hasOwn(FIELD_ALIASES, name) ? FIELD_ALIASES[name]! : name;
}

/** True for names that are record fields, derived fields or aliases of them. */
export function isKnownField(name: string): boolean {
  const canonical = canonicalField(name);
  return recordFieldSet.has(canonical) || derivedFieldSet.has(canonical);
}

const OFFSET = /([+-])(\d\d):?(\d\d)\s*$/;

// Hour and weekday are read in the log's own UTC offset: a 03:00 request in the server's zone is what
// an operator means by "at night", whatever UTC says.
function localDate(record: LogRecord): Date | null {
  if (record.time === null) return null;
  let offsetMinutes = 0;
  const match = record.time_text === null ? null : OFFSET.exec(record.time_text);
  if (match) {
    offsetMinutes = (Number(match[2]) * 60 + Number(match[3])) * (match[1] === "-" ? -1 : 1);
  }
  return new Date(record.time + offsetMinutes * 60_000);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

function derived(record: LogRecord, name: DerivedField): FieldValue {
  switch (name) {
    case "endpoint": {
      if (record.path === null) return null;
      const q = record.path.indexOf("?");
      return q === -1 ? record.path : record.path.slice(0, q);
    }
    case "query": {
      if (record.path === null) return null;
      const q = record.path.indexOf("?");
      return q === -1 ? null : record.path.slice(q + 1);
    }
    case "path_template":
      return record.path === null ? null : pathTemplate(record.path);
    case "hour": {
      const date = localDate(record);
      return date === null ? null : date.getUTCHours();
    }
    case "weekday": {
      const date = localDate(record);
      return date === null ? null : WEEKDAYS[date.getUTCDay()]!;
    }
    case "size_mb":
      return record.size === null ? null : record.size / 1024 / 1024;
  }
}

/**
 * Reads a field by name: record fields, derived fields, aliases, and format extras (`vhost`,
 * `response_time_ms`, ...). Unknown names read as null.
 */
export function getField(record: LogRecord, name: string): FieldValue {
  const canonical = canonicalField(name);
  if (recordFieldSet.has(canonical)) {
    if (canonical === "extra") return null;
    return record[canonical as RecordField];
  }
  if (derivedFieldSet.has(canonical)) return derived(record, canonical as DerivedField);
  const extra = record.extra;
  if (extra !== null && Object.hasOwn(extra, canonical)) return extra[canonical]!;
  return null;
}

/** A field as a categorical key: numbers become their decimal text; absent stays null. */
export function getFieldText(record: LogRecord, name: string): string | null {
  const value = getField(record, name);
  return value === null ? null : typeof value === "number" ? String(value) : value;
}

/** A field as a number: numeric text is converted, anything else is null. */
export function getFieldNumber(record: LogRecord, name: string): number | null {
  const value = getField(record, name);
  if (value === null) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * A field reader resolved once, for hot loops: resolving the alias and kind per record would cost
 * more than reading the value. It works path templates out afresh for each record; a detector reads
 * through its context's `fieldReader` instead, which remembers them for the pipeline (see `FieldCache`).
 */
export function fieldReader(name: string): (record: LogRecord) => string | null {
  return textReader({ name, template: pathTemplate });
}

/** {@link fieldReader} with the templates of paths given by `template` (a cache's, or `pathTemplate`). */
export function textReader({
  name,
  template,
}: {
  name: string;
  template: (path: string) => string;
}): (record: LogRecord) => string | null {
  const canonical = canonicalField(name);
  if (canonical === "path_template") {
    return (record) => (record.path === null ? null : template(record.path));
  }
  if (recordFieldSet.has(canonical)) return TEXT_READERS[canonical as RecordField];
  return (record) => getFieldText(record, canonical);
}

const numberOrNull = (value: number | null) => (value === null ? null : numberText(value));

// One function per field, each reading one property: a single reader shared by all fields (record[key])
// sees every key and goes megamorphic in the hottest loop there is.
const TEXT_READERS: Readonly<Record<RecordField, (record: LogRecord) => string | null>> = {
  source: (r) => r.source,
  line: (r) => numberText(r.line),
  raw: (r) => r.raw,
  ip: (r) => r.ip,
  ident: (r) => r.ident,
  user: (r) => r.user,
  time: (r) => numberOrNull(r.time),
  time_text: (r) => r.time_text,
  method: (r) => r.method,
  path: (r) => r.path,
  http_version: (r) => r.http_version,
  status: (r) => numberOrNull(r.status),
  size: (r) => numberOrNull(r.size),
  referer: (r) => r.referer,
  user_agent: (r) => r.user_agent,
};

// Status codes are read as text by several detectors for every record: one shared string per code
// saves the conversions, and map lookups find the very same string object they stored.
const SMALL_NUMBERS = Array.from({ length: 1000 }, (_, n) => String(n));

function numberText(value: number): string {
  return Number.isInteger(value) && value >= 0 && value < 1000 ? SMALL_NUMBERS[value]! : String(value);
}

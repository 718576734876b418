/**
 * One parsed request. Every parser produces this shape, whatever the log format, so detectors never care
 * where a line came from. Fields a format does not carry are `null`.
 */
export interface LogRecord {
  /** Where the record came from: a file path, `-` for stdin, or a masked source name such as a table. */
  source: string;
  /** 1-based line (or row ordinal) in `source`; findings point back here. */
  line: number;
  /** The line exactly as read (after decoding and CRLF removal). */
  raw: string;
  /** Client address (`%h`). */
  ip: string | null;
  /** RFC 1413 identity (`%l`), usually `-` in practice and kept as logged. */
  ident: string | null;
  /** Authenticated user (`%u`). */
  user: string | null;
  /** Request time as epoch milliseconds, or null when absent or unparseable. */
  time: number | null;
  /** Request time as written in the log, e.g. `16/Apr/2019:19:34:42 +0000`. */
  time_text: string | null;
  /** HTTP method, e.g. `GET`. */
  method: string | null;
  /** The request target exactly as sent, query string included. */
  path: string | null;
  /** Protocol, e.g. `HTTP/1.1`. */
  http_version: string | null;
  /** Final status code. */
  status: number | null;
  /** Response size in bytes; null when logged as `-`. */
  size: number | null;
  /** Referer header; null when logged as `-` or absent. */
  referer: string | null;
  /** User-Agent header; null when absent. */
  user_agent: string | null;
  /**
   * Extra fields a format carries (`vhost`, `response_time_ms`, `x_forwarded_for`, JSON keys ...).
   * A null-prototype object or null: keys come from the log and must never reach `Object.prototype`.
   */
  extra: Record<string, string> | null;
}

/** A value a field can take: strings for categorical fields, numbers for numeric ones, null when absent. */
export type FieldValue = string | number | null;

/** A line that did not become a record, and why. Nothing is dropped silently. */
export interface Rejection {
  source: string;
  line: number;
  reason: string;
  /** The start of the offending line (truncated), for `--rejects` files. */
  excerpt: string;
}

/**
 * A record of one line with every other field null, in the one property order all records share: parsers
 * fill it in place, which keeps the hot loops monomorphic.
 */
export function blankRecord(source: string, line: number, raw: string): LogRecord {
  return {
    source,
    line,
    raw,
    ip: null,
    ident: null,
    user: null,
    time: null,
    time_text: null,
    method: null,
    path: null,
    http_version: null,
    status: null,
    size: null,
    referer: null,
    user_agent: null,
    extra: null,
  };
}

const EMPTY_RECORD: LogRecord = Object.freeze(blankRecord("", 0, ""));

/**
 * Builds a record with every field present (unset ones null). Parsers and sources use it so all records
 * share one object shape, which keeps the hot loops monomorphic.
 */
export function createRecord(fields: Partial<LogRecord>): LogRecord {
  const record: LogRecord = { ...EMPTY_RECORD, ...fields };
  if (fields.extra) {
    const extra: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(fields.extra)) extra[key] = value;
    record.extra = extra;
  }
  return record;
}

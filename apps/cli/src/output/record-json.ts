import type { LogRecord } from "@oddity/core";

// Date covers ±8.64e15 ms; a crafted timestamp beyond it must not throw while printing.
/** A time as ISO 8601 (UTC), or null when there is none or it is beyond what Date can show. */
export function isoTime(t: number | null): string | null {
  return t !== null && Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : null;
}

/** A record as the machine-readable formats print it: every parsed field beside the raw line. */
export interface RecordJSON {
  source: string;
  line: number;
  /** The request time (ISO 8601, UTC), null when the format has none. */
  time: string | null;
  /** The request time as the log wrote it, in the log's offset. */
  time_text: string | null;
  ip: string | null;
  ident: string | null;
  user: string | null;
  method: string | null;
  path: string | null;
  http_version: string | null;
  status: number | null;
  size: number | null;
  referer: string | null;
  user_agent: string | null;
  /** Fields the format carries beyond the common ones, when it has any. */
  extra?: Record<string, string>;
  raw: string;
}

/** A record for JSON output, so `jq` users need not re-parse the raw line. */
export function recordJSON(record: LogRecord): RecordJSON {
  return {
    source: record.source,
    line: record.line,
    time: isoTime(record.time),
    time_text: record.time_text,
    ip: record.ip,
    ident: record.ident,
    user: record.user,
    method: record.method,
    path: record.path,
    http_version: record.http_version,
    status: record.status,
    size: record.size,
    referer: record.referer,
    user_agent: record.user_agent,
    ...(record.extra === null ? {} : { extra: { ...record.extra } }),
    raw: record.raw,
  };
}

import type { LogRecord } from "@oddity/core";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** `16/Apr/2019:19:34:42 +0000` for an epoch-ms time, in UTC. */
export function formatClfTime(time: number): string {
  const d = new Date(time);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

// Apache's own escaping for quoted fields, so a value holding a quote still parses as one field.
function quoted(value: string | null): string {
  return value === null ? "-" : value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/** Renders a record as an Apache/nginx combined-format line (the inverse of the combined parser). */
export function formatCombined(record: LogRecord): string {
  const request = [record.method, record.path, record.http_version].filter((p) => p !== null).join(" ");
  return (
    `${record.ip ?? "-"} ${record.ident ?? "-"} ${record.user ?? "-"} [${record.time_text ?? "-"}] ` +
    `"${quoted(request)}" ${record.status ?? "-"} ${record.size ?? "-"} ` +
    `"${quoted(record.referer)}" "${quoted(record.user_agent)}"`
  );
}

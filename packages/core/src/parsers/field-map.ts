import { FIELD_ALIASES } from "../fields.js";
import { blankRecord, type LogRecord } from "../record.js";
import { parseTimeValue } from "./time.js";
import { quoteLogText, splitRequest } from "./text.js";

/** Record fields a structured source can fill, plus `request` (split into method, path and protocol). */
const TARGETS = [
  "ip",
  "ident",
  "user",
  "time",
  "request",
  "method",
  "path",
  "http_version",
  "status",
  "size",
  "referer",
  "user_agent",
] as const;
type Target = (typeof TARGETS)[number];
const TARGET_SET = new Set<string>(TARGETS);

/**
 * Keys recognised without a mapping, most specific first (nginx and Apache JSON logs, Elastic Common
 * Schema, W3C/IIS and CloudFront names, Caddy's nested `request.*`, Traefik, AWS ALB as Athena names
 * it). Compared in lower case; docs/formats.md has the table.
 */
const DEFAULT_KEYS: Readonly<Record<Target, readonly string[]>> = {
  ip: [
    "remote_addr",
    "ip",
    "client_ip",
    "clientip",
    "remote_ip",
    "client_addr",
    "c-ip",
    "source.ip",
    "client.ip",
    // Caddy: the client behind trusted proxies first, then the peer.
    "request.client_ip",
    "request.remote_ip",
    // Traefik
    "clienthost",
  ],
  ident: ["ident", "remote_logname"],
  user: ["remote_user", "user", "username", "user.name", "cs-username", "user_id", "clientusername"],
  time: [
    "time",
    "timestamp",
    "@timestamp",
    "time_local",
    "time_iso8601",
    "ts",
    "datetime",
    "date",
    "msec",
    "startutc",
    "startlocal",
  ],
  request: ["request", "request_line"],
  method: [
    "method",
    "request_method",
    "verb",
    "http.request.method",
    "cs-method",
    "request.method",
    "requestmethod",
    "request_verb",
  ],
  path: [
    "path",
    "request_uri",
    "uri",
    "url",
    "request_path",
    "url.original",
    "cs-uri-stem",
    "request.uri",
    "requestpath",
    "request_url",
  ],
  http_version: [
    "http_version",
    "protocol",
    "server_protocol",
    "http.version",
    "request.proto",
    "requestprotocol",
    "request_proto",
    "cs-protocol-version",
  ],
  status: [
    "status",
    "status_code",
    "response_code",
    "http.response.status_code",
    "sc-status",
    "downstreamstatus",
    "elb_status_code",
  ],
  size: [
    "body_bytes_sent",
    "bytes",
    "size",
    "bytes_sent",
    "response_size",
    "http.response.body.bytes",
    "sc-bytes",
    "downstreamcontentsize",
    "sent_bytes",
  ],
  referer: [
    "http_referer",
    "referer",
    "referrer",
    "http.request.referrer",
    "cs(referer)",
    "cs-referer",
    "request.headers.referer",
    "request_referer",
  ],
  user_agent: [
    "http_user_agent",
    "user_agent",
    "useragent",
    "agent",
    "user_agent.original",
    "cs(user-agent)",
    "cs-user-agent",
    "request.headers.user-agent",
    "request_user-agent",
  ],
};

/** Where a source key goes: a record field (lower priority number wins) or, when absent, `extra`. */
interface Route {
  target: Target;
  priority: number;
}

function canonicalTarget(name: string): string {
  return Object.hasOwn(FIELD_ALIASES, name) ? FIELD_ALIASES[name]! : name;
}

/** Maps key/value pairs (a JSON object, a CSV row) to a record. */
export interface FieldMapper {
  /** The record field a key fills, or null when it goes to `extra` (or is renamed into it). */
  route(key: string): Route | null;
  /** Record field (or extra name) → source key, as configured, for messages. */
  readonly explicit: ReadonlyMap<string, string>;
  build(args: {
    keys: readonly string[];
    values: readonly unknown[];
    source: string;
    line: number;
    raw: string;
  }): LogRecord | string;
}

/**
 * Builds a mapper from a `fields` option (record field ← source key). Keys it does not name are matched
 * against common spellings; the rest become `extra` fields, renamed when the option targets an extra name.
 */
export function createFieldMapper(fields: Readonly<Record<string, string>> = {}): FieldMapper {
  const explicitRoutes = new Map<string, Route>();
  const extraNames = new Map<string, string>();
  const explicit = new Map<string, string>();
  for (const [name, key] of Object.entries(fields)) {
    const target = canonicalTarget(name);
    explicit.set(target, key);
    if (TARGET_SET.has(target)) explicitRoutes.set(key, { target: target as Target, priority: -1 });
    else extraNames.set(key, target);
  }
  const explicitTargets = new Set([...explicitRoutes.values()].map((r) => r.target));
  const defaultRoutes = new Map<string, Route>();
  for (const target of TARGETS) {
    // A configured field is read from its configured key only.
    if (explicitTargets.has(target)) continue;
    DEFAULT_KEYS[target].forEach((key, priority) => defaultRoutes.set(key, { target, priority }));
  }
  const cache = new Map<string, Route | null>();

  function route(key: string): Route | null {
    let found = cache.get(key);
    if (found === undefined) {
      found =
        explicitRoutes.get(key) ??
        (extraNames.has(key) ? null : (defaultRoutes.get(key.toLowerCase()) ?? null));
      if (cache.size < 10_000) cache.set(key, found);
    }
    return found;
  }

  function build({
    keys,
    values,
    source,
    line,
    raw,
  }: {
    keys: readonly string[];
    values: readonly unknown[];
    source: string;
    line: number;
    raw: string;
  }): LogRecord | string {
    // Which key wins each field: the configured one, else the first spelling in DEFAULT_KEYS.
    const winner = new Map<Target, number>();
    for (let i = 0; i < keys.length; i++) {
      if (isAbsent(values[i])) continue;
      const found = route(keys[i]!);
      if (found === null) continue;
      const current = winner.get(found.target);
      if (current === undefined || route(keys[current]!)!.priority > found.priority)
        winner.set(found.target, i);
    }
    const record = blankRecord(source, line, raw);
    const requestAt = winner.get("request");
    if (requestAt !== undefined) {
      const parts = splitRequest(text(values[requestAt]));
      record.method = parts.method;
      record.path = parts.path;
      record.http_version = parts.http_version;
    }
    for (const [target, at] of winner) {
      if (target === "request") continue;
      const problem = assignField(record, target, values[at], keys[at]!);
      if (problem !== null) return problem;
    }
    const taken = new Set(winner.values());
    for (let i = 0; i < keys.length; i++) {
      if (taken.has(i) || isAbsent(values[i])) continue;
      const key = keys[i]!;
      record.extra ??= Object.create(null) as Record<string, string>;
      record.extra[extraNames.get(key) ?? key] = text(values[i]);
    }
    return record;
  }

  return { route, explicit, build };
}

function isAbsent(value: unknown): boolean {
  return value === null || value === undefined || value === "" || value === "\\N";
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function integer(value: unknown, max: number): number | null | undefined {
  if (typeof value === "number")
    return Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (value === "-") return null;
  if (!/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

function assignField(
  record: LogRecord,
  target: Exclude<Target, "request">,
  value: unknown,
  key: string,
): string | null {
  switch (target) {
    case "status": {
      const status = integer(value, 999);
      if (status === undefined)
        return `expected a status code (an integer up to 999) in ${quoteLogText(key)}`;
      record.status = status;
      return null;
    }
    case "size": {
      const size = integer(value, Number.MAX_SAFE_INTEGER);
      if (size === undefined) return `expected a response size (a whole number or -) in ${quoteLogText(key)}`;
      record.size = size;
      return null;
    }
    case "time":
      record.time_text = text(value);
      record.time = parseTimeValue(value);
      return null;
    case "referer":
    case "user_agent": {
      const value_ = text(value);
      record[target] = value_ === "-" ? null : value_;
      return null;
    }
    default:
      record[target] = text(value);
      return null;
  }
}

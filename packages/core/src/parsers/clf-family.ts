import { blankRecord, type LogRecord } from "../record.js";
import { parseClfTime } from "./time.js";
import { splitRequest, unescapeQuoted } from "./text.js";

/**
 * Reads any layout of the NCSA family by its shape: an optional virtual host (`vhost` or `vhost:port`),
 * the client address, identity and user, a bracketed timestamp, the request, status and size, an optional
 * quoted referer and user agent, then any number of trailing fields (quoted, bracketed or bare), named
 * where a stock layout makes their meaning plain. Spaces and tabs both separate fields. It is the slow
 * path: the hand-written one in clf.ts reads the common case and hands over the lines it cannot read.
 */

const BARE = 0;
const QUOTED = 1;
const BRACKET = 2;

interface Field {
  kind: typeof BARE | typeof QUOTED | typeof BRACKET;
  /** The text inside the quotes or brackets, as logged. */
  text: string;
  at: number;
}

function isSeparator(code: number): boolean {
  return code === 32 || code === 9;
}

function isEscapedAt(line: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && line.charCodeAt(k) === 92) k--;
  return ((at - 1 - k) & 1) === 1;
}

/** The closing quote of a field opened before `from`: unescaped and followed by a separator or the end. */
function closeQuote(line: string, from: number, end: number): number {
  let q = from - 1;
  for (;;) {
    q = line.indexOf('"', q + 1);
    if (q === -1 || q >= end) return -1;
    if (isEscapedAt(line, q)) continue;
    if (q + 1 === end || isSeparator(line.charCodeAt(q + 1))) return q;
  }
}

function closeBracket(line: string, from: number, end: number): number {
  let b = from - 1;
  for (;;) {
    b = line.indexOf("]", b + 1);
    if (b === -1 || b >= end) return -1;
    if (b + 1 === end || isSeparator(line.charCodeAt(b + 1))) return b;
  }
}

function split(line: string, end: number, from = 0): Field[] | string {
  const fields: Field[] = [];
  let pos = from;
  while (pos < end) {
    const code = line.charCodeAt(pos);
    if (isSeparator(code)) {
      pos++;
      continue;
    }
    if (code === 34) {
      const close = closeQuote(line, pos + 1, end);
      if (close === -1) return `expected a closing quote for the field opened at column ${pos + 1}`;
      fields.push({ kind: QUOTED, text: line.slice(pos + 1, close), at: pos });
      pos = close + 1;
    } else if (code === 91) {
      const close = closeBracket(line, pos + 1, end);
      if (close === -1) return `expected "]" to close the field opened at column ${pos + 1}`;
      fields.push({ kind: BRACKET, text: line.slice(pos + 1, close), at: pos });
      pos = close + 1;
    } else {
      const start = pos;
      // A bare `key="quoted value"` (nginx's `uct="0.000"`) is one field, spaces in the quotes included.
      while (pos < end && !isSeparator(line.charCodeAt(pos))) {
        if (line.charCodeAt(pos) === 34 && pos > start && line.charCodeAt(pos - 1) === 61) {
          const close = closeQuote(line, pos + 1, end);
          if (close === -1) return `expected a closing quote for the value opened at column ${pos + 1}`;
          pos = close + 1;
          break;
        }
        pos++;
      }
      fields.push({ kind: BARE, text: line.slice(start, pos), at: start });
    }
  }
  return fields;
}

const DIGITS = /^\d+$/;
const NUMBER = /^\d+(?:\.\d+)?$/;
const PORT = /^(.+):(\d{1,5})$/;
const KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})=(.*)$/s;
const HTTP_VERSION = /^HTTP\/\d/;

/** Field names of ingress-nginx's default `log-format-upstream`, after the combined core. */
const INGRESS_BARE = [
  "upstream_addr",
  "upstream_response_length",
  "upstream_response_time",
  "upstream_status",
  "req_id",
] as const;
const INGRESS_BRACKETS = ["proxy_upstream_name", "proxy_alternative_upstream_name"] as const;

/**
 * The extra fields the NCSA reader names by shape and position (besides `field_N` and the names of
 * `key=value` fields), so a config may use them where the layout is auto-detected.
 */
export const NCSA_EXTRA_FIELDS: readonly string[] = [
  "vhost",
  "port",
  "x_forwarded_for",
  "gzip_ratio",
  "request_length",
  "request_time",
  ...INGRESS_BRACKETS,
  ...INGRESS_BARE,
  "bytes_received",
  "bytes_sent",
];

function isCount(field: Field | undefined): boolean {
  return field !== undefined && field.kind === BARE && (field.text === "-" || DIGITS.test(field.text));
}

function isNumber(field: Field | undefined): boolean {
  return field !== undefined && field.kind === BARE && (field.text === "-" || NUMBER.test(field.text));
}

/**
 * How a client address reads: an address (IPv4, IPv6, `-`), a host name (Apache with HostnameLookups,
 * usable but noted), or a list (an X-Forwarded-For value, which is no single client: rejected).
 */
export function clientShape(ip: string): "address" | "host" | "list" {
  let host = false;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 44) return "list";
    // Digits, dots, colons, hex letters, brackets and a zone's % are what addresses are written with.
    if ((c >= 48 && c <= 58) || c === 46 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) continue;
    if (c === 91 || c === 93 || (c === 45 && ip.length === 1)) continue;
    // An IPv6 zone (%eth0) is a name: whatever follows the % is no evidence of a host name.
    if (c === 37) return host ? "host" : "address";
    host = true;
  }
  return host ? "host" : "address";
}

/** Why a timestamp is rejected; one wording so that they count as one class. */
export const BAD_TIME = "expected a timestamp like [10/Oct/2000:13:55:36 -0700]; this one does not parse";
export const CLIENT_LIST =
  "expected one client address, found a comma-separated list (an X-Forwarded-For value?)";
export const SPACED_USER =
  "expected the identity and user without spaces before the [timestamp]; found more fields there";

/**
 * A CLF timestamp, or the one Python's http.server (and Flask's development server) writes,
 * `29/Aug/2023 22:02:58`: a space for the colon and no zone, so read as UTC like other zone-less times.
 */
function readTime(text: string): number | null {
  const time = parseClfTime(text);
  if (time !== null || text.length !== 20 || text.charCodeAt(11) !== 32) return time;
  return parseClfTime(`${text.slice(0, 11)}:${text.slice(12)}`);
}

/** Names trailing fields by their shape and position; returns a short layout suffix. */
function nameTrailing(fields: readonly Field[], extra: Record<string, string>, combined: boolean): string {
  const names: string[] = fields.map((_, i) => `field_${i + 1}`);
  let suffix: string;
  if (combined && fields.length === 1 && fields[0]!.kind === QUOTED) {
    // nginx's stock `main` appends "$http_x_forwarded_for"; its documented `compression` example
    // appends "$gzip_ratio", a number.
    names[0] = NUMBER.test(fields[0]!.text) ? "gzip_ratio" : "x_forwarded_for";
    suffix = ` + ${names[0]}`;
  } else if (
    combined &&
    fields.length >= 3 &&
    isCount(fields[0]) &&
    isNumber(fields[1]) &&
    fields[2]!.kind === BRACKET
  ) {
    // ingress-nginx: $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]
    // $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id
    names[0] = "request_length";
    names[1] = "request_time";
    let bracket = 0;
    let bare = 0;
    for (let i = 2; i < fields.length; i++) {
      if (fields[i]!.kind === BRACKET && bare === 0 && bracket < INGRESS_BRACKETS.length)
        names[i] = INGRESS_BRACKETS[bracket++]!;
      else if (fields[i]!.kind === BARE && bare < INGRESS_BARE.length) names[i] = INGRESS_BARE[bare++]!;
    }
    suffix = " (ingress-nginx)";
  } else if (combined && fields.length === 2 && isCount(fields[0]) && isCount(fields[1])) {
    // Apache's stock combinedio: %I %O.
    names[0] = "bytes_received";
    names[1] = "bytes_sent";
    suffix = " + bytes_received bytes_sent";
  } else if (combined && fields.length === 1 && fields[0]!.kind === BARE && NUMBER.test(fields[0]!.text)) {
    // nginx's $request_time is seconds with a fraction; Apache's %D is whole microseconds.
    names[0] = fields[0]!.text.includes(".") ? "request_time" : "field_1";
    suffix = ` + ${names[0]}`;
  } else {
    suffix = ` + ${fields.length} field${fields.length === 1 ? "" : "s"}`;
  }
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    let name = names[i]!;
    let value = field.kind === QUOTED ? unescapeQuoted(field.text) : field.text;
    const pair = field.kind === BARE ? KEY_VALUE.exec(field.text) : null;
    if (pair !== null) {
      name = pair[1]!.toLowerCase().replace(/[^a-z0-9_]/g, "_");
      value = pair[2]!;
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = unescapeQuoted(value.slice(1, -1));
    }
    if (value.length === 0 || value === "-") continue;
    extra[name] = value;
  }
  return suffix;
}

/** Bare fields ending in a comma continue: `10.0.0.1:80, 10.0.0.2:80` is one upstream list. */
function joinLists(fields: Field[]): Field[] {
  const joined: Field[] = [];
  for (const field of fields) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.kind === BARE && field.kind === BARE && last.text.endsWith(","))
      last.text = `${last.text} ${field.text}`;
    else joined.push({ ...field });
  }
  return joined;
}

/**
 * Reads the fields after a combined line's user agent (from `from` to `end`) into `extra`; returns the
 * layout suffix (` + x_forwarded_for`), or why they cannot be read.
 */
export function readTrailing({
  line,
  from,
  end,
  extra,
}: {
  line: string;
  from: number;
  end: number;
  extra: Record<string, string>;
}): { suffix: string } | string {
  const fields = split(line, end, from);
  if (typeof fields === "string") return fields;
  return { suffix: nameTrailing(joinLists(fields), extra, true) };
}

/** A parsed line and the layout it was read with, e.g. `combined + x_forwarded_for`. */
export interface FamilyResult {
  record: LogRecord;
  layout: string;
}

/** Parses one line of any NCSA layout; returns the record and its layout, or why the line is none. */
export function parseFamilyLine(line: string, source: string, lineNumber: number): FamilyResult | string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 13) break;
    end--;
  }
  const split_ = split(line, end);
  if (typeof split_ === "string") return split_;
  const fields = split_;
  const tabbed = line.includes("\t");
  let b = 0;
  while (b < fields.length && fields[b]!.kind !== BRACKET) b++;
  if (b === fields.length) return "expected a [timestamp] after the client address, identity and user";
  const head = fields.slice(0, b);
  if (head.some((f) => f.kind !== BARE)) {
    return `expected the client address, identity and user before the timestamp, found a quoted field at column ${head.find((f) => f.kind !== BARE)!.at + 1}`;
  }
  if (head.some((f) => f.text.endsWith(","))) return CLIENT_LIST;
  if (head.length < 3) {
    return `expected the client address, identity and user before the timestamp at column ${fields[b]!.at + 1}`;
  }
  if (head.length > 4) return SPACED_USER;
  const record = blankRecord(source, lineNumber, line);
  const extra = Object.create(null) as Record<string, string>;
  let layoutPrefix = "";
  if (head.length === 4) {
    // A virtual host shifts the fields; a user with a space would too, but then `-` lands where the
    // client address goes.
    if (head[1]!.text === "-") return SPACED_USER;
    const vhost = head[0]!.text;
    const port = PORT.exec(vhost);
    if (port !== null && !vhost.slice(0, -port[2]!.length - 1).includes(":")) {
      extra.vhost = port[1]!;
      extra.port = port[2]!;
    } else extra.vhost = vhost;
    layoutPrefix = "v";
  }
  const [ipField, identField, userField] = head.slice(-3) as [Field, Field, Field];
  const shape = clientShape(ipField.text);
  if (shape === "list") return CLIENT_LIST;
  record.ip = ipField.text;
  record.ident = identField.text;
  record.user = userField.text;
  const timeText = fields[b]!.text;
  record.time_text = timeText;
  record.time = readTime(timeText);
  if (record.time === null && timeText !== "-") return BAD_TIME;

  let i = b + 1;
  const request = fields[i];
  if (request === undefined) return "expected the request after the timestamp";
  if (request.kind === QUOTED) {
    const parts = splitRequest(unescapeQuoted(request.text));
    record.method = parts.method;
    record.path = parts.path;
    record.http_version = parts.http_version;
    i++;
  } else if (
    request.kind === BARE &&
    fields[i + 2]?.kind === BARE &&
    HTTP_VERSION.test(fields[i + 2]!.text) &&
    fields[i + 1]?.kind === BARE
  ) {
    // An unquoted %r: the method, target and protocol are three bare fields.
    record.method = request.text;
    record.path = fields[i + 1]!.text;
    record.http_version = fields[i + 2]!.text;
    i += 3;
  } else {
    return `expected a quoted request ("GET / HTTP/1.1") at column ${request.at + 1}`;
  }
  const status = fields[i];
  if (status === undefined || status.kind !== BARE || !(status.text === "-" || /^\d{1,3}$/.test(status.text)))
    return `expected a status code of at most 3 digits at column ${(status ?? fields[i - 1]!).at + 1}`;
  record.status = status.text === "-" ? null : Number(status.text);
  i++;
  const size = fields[i];
  if (size === undefined || size.kind !== BARE || !(size.text === "-" || /^\d{1,15}$/.test(size.text)))
    return `expected the response size (digits or -) at column ${(size ?? status).at + 1}`;
  record.size = size.text === "-" ? null : Number(size.text);
  i++;
  let core = "common";
  if (fields[i]?.kind === QUOTED && fields[i + 1]?.kind === QUOTED) {
    const referer = fields[i]!.text;
    const agent = fields[i + 1]!.text;
    record.referer = referer === "-" || referer.length === 0 ? null : unescapeQuoted(referer);
    record.user_agent = agent === "-" || agent.length === 0 ? null : unescapeQuoted(agent);
    core = "combined";
    i += 2;
  }
  let suffix = "";
  if (i < fields.length) suffix = nameTrailing(joinLists(fields.slice(i)), extra, core === "combined");
  for (const _ in extra) {
    record.extra = extra;
    break;
  }
  let layout = `${layoutPrefix}${core}${suffix}`;
  if (tabbed) layout = `${layout}, tab-separated`;
  if (shape === "host") layout = `${layout}, host name as client`;
  return { record, layout };
}

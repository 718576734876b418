import { ConfigError } from "../errors.js";
import type { LineParser } from "../input/types.js";
import { blankRecord, type LogRecord } from "../record.js";
import { createClfTimeReader, parseTimeValue, type ClfTimeReader } from "./time.js";
import { dashToNull, isEscaped, splitRequest, unescapeQuoted } from "./text.js";

/** Where a directive's value goes and how it is read. */
type Target = (
  | { kind: "ip" | "ident" | "user" | "method" | "path" | "http_version" | "referer" | "user_agent" }
  | { kind: "request" | "status" | "size" | "time_clf" | "time_any" }
  | { kind: "query"; addMark: boolean }
  | { kind: "extra"; name: string; unit?: "s" | "ms" | "us" }
) & {
  /** The extra field it fills instead when another directive already fills its field (%h and %a). */
  fallback?: string;
};

interface FieldToken {
  type: "field";
  directive: string;
  target: Target;
}
type Token = { type: "literal"; text: string } | FieldToken;

/** A format string compiled once into literals and fields. */
export interface CompiledFormat {
  tokens: readonly Token[];
}

function pushLiteral(tokens: Token[], text: string): void {
  if (text.length === 0) return;
  const last = tokens[tokens.length - 1];
  if (last?.type === "literal") last.text += text;
  else tokens.push({ type: "literal", text });
}

/** `X-Forwarded-For` → `x_forwarded_for`: extra field names read like record fields. */
function fieldName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function apacheTarget(letter: string, arg: string | null, modifier: string): Target | null {
  switch (letter) {
    case "h":
      return { kind: "ip" };
    case "a":
      return { kind: "ip", fallback: "client_ip" };
    case "A":
      return { kind: "extra", name: "local_ip" };
    case "l":
      return { kind: "ident" };
    case "u":
      return { kind: "user" };
    case "t":
      // %{sec}t, %{msec}t... are epoch numbers, other %{...}t strftime text: read whatever it holds.
      return arg === null ? { kind: "time_clf" } : { kind: "time_any" };
    case "r":
      return { kind: "request" };
    case "m":
      return { kind: "method" };
    case "U":
      return { kind: "path" };
    case "q":
      return { kind: "query", addMark: false };
    case "H":
      return { kind: "http_version" };
    case "s":
      return modifier === "<"
        ? { kind: "extra", name: "original_status" }
        : { kind: "status", fallback: "original_status" };
    case "b":
    case "B":
      return { kind: "size" };
    case "O":
      return { kind: "extra", name: "bytes_sent" };
    case "I":
      return { kind: "extra", name: "bytes_received" };
    case "S":
      return { kind: "extra", name: "bytes_transferred" };
    case "D":
      return { kind: "extra", name: "response_time_ms", unit: "us" };
    case "T":
      return {
        kind: "extra",
        name: "response_time_ms",
        unit: arg === "ms" ? "ms" : arg === "us" ? "us" : "s",
      };
    case "v":
      return { kind: "extra", name: "vhost" };
    case "V":
      return { kind: "extra", name: "vhost", fallback: "server_name" };
    case "p":
      return { kind: "extra", name: "port" };
    case "P":
      return { kind: "extra", name: "pid" };
    case "X":
      return { kind: "extra", name: "connection_status" };
    case "k":
      return { kind: "extra", name: "keepalive_requests" };
    case "L":
      return { kind: "extra", name: "log_id" };
    case "R":
      return { kind: "extra", name: "handler" };
    case "f":
      return { kind: "extra", name: "filename" };
    case "i": {
      if (arg === null) return null;
      const name = fieldName(arg);
      if (name === "referer" || name === "referrer") return { kind: "referer" };
      if (name === "user_agent") return { kind: "user_agent" };
      return { kind: "extra", name };
    }
    case "o":
      return arg === null ? null : { kind: "extra", name: `response_${fieldName(arg)}` };
    case "C":
      return arg === null ? null : { kind: "extra", name: `cookie_${fieldName(arg)}` };
    case "e":
      return arg === null ? null : { kind: "extra", name: `env_${fieldName(arg)}` };
    case "n":
      return arg === null ? null : { kind: "extra", name: `note_${fieldName(arg)}` };
    case "x":
      // mod_ssl's %{SSL_PROTOCOL}x, %{SSL_CIPHER}x ...: named as the variable.
      return arg === null ? null : { kind: "extra", name: fieldName(arg) };
    default:
      return null;
  }
}

const APACHE_DIRECTIVE = /%(!?[\d,]*)([<>]?)(?:\{([^}]*)\})?(\^t[io]|[a-zA-Z%])/y;

function unescapeConfig(text: string): string {
  // Format strings are often pasted from httpd.conf, where quotes inside the string are written \".
  return text.replace(/\\(["\\])/g, "$1").replace(/\\t/g, "\t");
}

/** Compiles an Apache `LogFormat` string; throws ConfigError naming the directive it cannot read. */
export function compileApacheFormat(format: string): CompiledFormat {
  const text = unescapeConfig(format);
  const tokens: Token[] = [];
  const problems: string[] = [];
  let literalStart = 0;
  let pos = text.indexOf("%");
  while (pos !== -1) {
    pushLiteral(tokens, text.slice(literalStart, pos));
    APACHE_DIRECTIVE.lastIndex = pos;
    const match = APACHE_DIRECTIVE.exec(text);
    if (match === null) {
      problems.push(`column ${pos + 1}: "%" starts no directive (write %% for a percent sign)`);
      literalStart = pos + 1;
    } else {
      const [whole, , modifier = "", arg = null, letter = ""] = match;
      if (letter === "%") {
        pushLiteral(tokens, "%");
      } else {
        const target = letter.startsWith("^t")
          ? {
              kind: "extra" as const,
              name: `${letter === "^ti" ? "request" : "response"}_trailer${arg === null ? "" : `_${fieldName(arg)}`}`,
            }
          : apacheTarget(letter, arg, modifier);
        if (target === null) problems.push(`column ${pos + 1}: unknown directive ${whole}`);
        else if (letter === "t" && arg === null) {
          pushLiteral(tokens, "[");
          tokens.push({ type: "field", directive: whole, target });
          pushLiteral(tokens, "]");
        } else tokens.push({ type: "field", directive: whole, target });
      }
      literalStart = pos + whole.length;
    }
    pos = text.indexOf("%", literalStart);
  }
  pushLiteral(tokens, text.slice(literalStart));
  return finish(tokens, problems, `apache format ${JSON.stringify(format)}`);
}

function nginxTarget(name: string): Target {
  switch (name) {
    case "remote_addr":
      return { kind: "ip" };
    case "realip_remote_addr":
      return { kind: "ip", fallback: "realip_remote_addr" };
    case "remote_user":
      return { kind: "user" };
    case "time_local":
      return { kind: "time_clf" };
    case "time_iso8601":
    case "msec":
      return { kind: "time_any" };
    case "request":
      return { kind: "request" };
    case "request_method":
      return { kind: "method" };
    case "request_uri":
    case "uri":
    case "document_uri":
      return { kind: "path" };
    case "args":
    case "query_string":
      return { kind: "query", addMark: true };
    case "is_args":
      return { kind: "query", addMark: false };
    case "server_protocol":
      return { kind: "http_version" };
    case "status":
      return { kind: "status" };
    case "body_bytes_sent":
      return { kind: "size" };
    case "bytes_sent":
      return { kind: "extra", name: "bytes_sent" };
    case "http_referer":
      return { kind: "referer" };
    case "http_user_agent":
      return { kind: "user_agent" };
    case "request_time":
      return { kind: "extra", name: "response_time_ms", unit: "s" };
    case "host":
      return { kind: "extra", name: "vhost" };
    case "server_name":
      return { kind: "extra", name: "vhost", fallback: "server_name" };
    case "server_port":
      return { kind: "extra", name: "port" };
    default:
      return { kind: "extra", name: name.startsWith("http_") ? name.slice(5) : name };
  }
}

const NGINX_VARIABLE = /\$(?:\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g;

/** Compiles an nginx `log_format` string (`$remote_addr - $remote_user [$time_local] ...`). */
export function compileNginxFormat(format: string): CompiledFormat {
  const tokens: Token[] = [];
  let literalStart = 0;
  for (const match of format.matchAll(NGINX_VARIABLE)) {
    const name = (match[1] ?? match[2])!;
    pushLiteral(tokens, format.slice(literalStart, match.index));
    tokens.push({ type: "field", directive: match[0], target: nginxTarget(name) });
    literalStart = match.index + match[0].length;
  }
  pushLiteral(tokens, format.slice(literalStart));
  return finish(tokens, [], `nginx format ${JSON.stringify(format)}`);
}

function finish(input: Token[], problems: string[], what: string): CompiledFormat {
  // `%U%q` and `$uri$is_args$args` touch by design: the query starts at "?", so they read as one path.
  const tokens: Token[] = [];
  for (const token of input) {
    const last = tokens[tokens.length - 1];
    if (
      token.type === "field" &&
      token.target.kind === "query" &&
      last?.type === "field" &&
      last.target.kind === "path"
    ) {
      last.directive += token.directive;
    } else tokens.push(token);
  }
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== "field") continue;
    const next = tokens[i + 1];
    if (next?.type === "field") {
      problems.push(`${token.directive} and ${next.directive} touch: put a separator between them`);
    }
    // When two directives fill the same field (%h and %a, %v and %V), the first one keeps it.
    const { target } = token;
    const key = target.kind === "extra" ? `extra:${target.name}` : target.kind;
    if (seen.has(key)) {
      const name =
        target.fallback ?? `${target.kind === "extra" ? target.name : target.kind}_${seen.size + 1}`;
      token.target = target.kind === "extra" ? { ...target, name } : { kind: "extra", name };
    }
    seen.add(token.target.kind === "extra" ? `extra:${token.target.name}` : token.target.kind);
  }
  // %O (and nginx's $bytes_sent) is the only size some stock layouts log: the size detector reads it then.
  if (!tokens.some((t) => t.type === "field" && t.target.kind === "size")) {
    const sent = tokens.find(
      (t): t is FieldToken =>
        t.type === "field" && t.target.kind === "extra" && t.target.name === "bytes_sent",
    );
    if (sent !== undefined) sent.target = { kind: "size" };
  }
  if (!tokens.some((t) => t.type === "field")) problems.push("it has no directives");
  if (problems.length > 0) throw new ConfigError(`cannot read the ${what}`, problems);
  return { tokens };
}

function describeLiteral(text: string): string {
  return JSON.stringify(text);
}

function toMs(text: string, unit: "s" | "ms" | "us"): string | null {
  const value = Number(text);
  if (text.trim().length === 0 || !Number.isFinite(value)) return null;
  const ms = unit === "s" ? value * 1000 : unit === "us" ? value / 1000 : value;
  return String(Math.round(ms * 1000) / 1000);
}

const DIGITS = /^\d{1,15}$/;

/** Parses one line with a compiled format; never throws. */
function parseWith(
  compiled: CompiledFormat,
  line: string,
  source: string,
  lineNumber: number,
  readTime: ClfTimeReader,
): LogRecord | string {
  const { tokens } = compiled;
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  let pos = 0;
  const record = blankRecord(source, lineNumber, line);
  let query: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "literal") {
      if (!line.startsWith(token.text, pos)) {
        return `expected ${describeLiteral(token.text)} at column ${pos + 1}`;
      }
      pos += token.text.length;
      continue;
    }
    const next = tokens[i + 1];
    let valueEnd: number;
    if (next === undefined) {
      valueEnd = end;
    } else {
      const separator = (next as { text: string }).text;
      const quoted = separator.charCodeAt(0) === 34 && pos > 0 && line.charCodeAt(pos - 1) === 34;
      let from = pos;
      // An unquoted request line holds spaces of its own: it ends after its protocol.
      if (!quoted && token.target.kind === "request" && separator.charCodeAt(0) === 32) {
        const protocol = line.indexOf(" HTTP/", pos);
        if (protocol !== -1) from = protocol + 1;
      }
      valueEnd = line.indexOf(separator, from);
      while (quoted && valueEnd !== -1 && isEscaped(line, valueEnd))
        valueEnd = line.indexOf(separator, valueEnd + 1);
      if (valueEnd === -1) {
        return `expected ${describeLiteral(separator)} after ${token.directive} (opened at column ${pos + 1})`;
      }
    }
    const raw = line.slice(pos, valueEnd);
    if (token.target.kind === "query") {
      if (raw.length !== 0 && raw !== "-")
        query = token.target.addMark && !raw.startsWith("?") ? `?${raw}` : raw;
    } else {
      const problem = assign(record, token, raw, pos, readTime);
      if (problem !== null) return problem;
    }
    pos = valueEnd;
  }
  if (pos < end) return `expected the end of the line at column ${pos + 1}`;
  if (query !== null) record.path = (record.path ?? "") + query;
  return record;
}

function setExtra(record: LogRecord, name: string, value: string): void {
  record.extra ??= Object.create(null) as Record<string, string>;
  record.extra[name] = value;
}

function assign(
  record: LogRecord,
  token: FieldToken,
  raw: string,
  at: number,
  readTime: ClfTimeReader,
): string | null {
  const { target } = token;
  switch (target.kind) {
    case "ip":
    case "ident":
    case "user":
    case "method":
    case "path":
    case "http_version":
      record[target.kind] = raw.length === 0 ? null : unescapeQuoted(raw);
      return null;
    case "referer":
    case "user_agent":
      record[target.kind] = raw === "-" || raw.length === 0 ? null : unescapeQuoted(raw);
      return null;
    case "request": {
      const parts = splitRequest(unescapeQuoted(raw));
      record.method = parts.method;
      record.path = parts.path;
      record.http_version = parts.http_version;
      return null;
    }
    case "status":
      if (raw === "-") return null;
      if (!/^\d{1,3}$/.test(raw)) return `expected a status code for ${token.directive} at column ${at + 1}`;
      record.status = Number(raw);
      return null;
    case "size":
      if (raw === "-") return null;
      if (!DIGITS.test(raw))
        return `expected the response size (digits or -) for ${token.directive} at column ${at + 1}`;
      record.size = Number(raw);
      return null;
    case "time_clf":
      record.time_text = raw;
      record.time = readTime(raw);
      return null;
    case "time_any":
      record.time_text = raw;
      record.time = parseTimeValue(raw);
      return null;
    case "query":
      return null;
    case "extra": {
      const value = dashToNull(raw);
      if (value === null) return null;
      const converted = target.unit === undefined ? value : toMs(value, target.unit);
      if (converted === null) return `expected a number for ${token.directive} at column ${at + 1}`;
      setExtra(record, target.name, target.unit === undefined ? unescapeQuoted(value) : converted);
      return null;
    }
  }
}

/** A parser for a compiled Apache or nginx format string. */
export function createLogFormatParser(compiled: CompiledFormat, description: string): LineParser {
  const readTime = createClfTimeReader();
  return {
    description,
    parse: (line, source, lineNumber) => parseWith(compiled, line, source, lineNumber, readTime),
  };
}

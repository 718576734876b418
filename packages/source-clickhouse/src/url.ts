import { ClickHouseLogLevel } from "@clickhouse/client";
import { InputError } from "@oddity/core";
import { readClientConfig } from "./client-config.js";

/** Environment variables a ClickHouse password is read from, in order (oddity's own first, as for SQL). */
export const PASSWORD_ENVS = ["ODDITY_DB_PASSWORD", "CLICKHOUSE_PASSWORD"] as const;

/** A `clickhouse://USER[:PASS]@HOST:PORT/DB` URL taken apart, with the password resolved. */
export interface ClickHouseTarget {
  /** The HTTP endpoint the client talks to, without credentials. */
  endpoint: string;
  user: string;
  password: string;
  /**
   * Where the password came from, for messages: `the URL`, an environment variable,
   * `~/.clickhouse-client/config.xml`, or `no password`.
   */
  origin: string;
  database: string;
  /** The URL as shown to people: password masked, parameters dropped. */
  display: string;
  /**
   * Whether responses come gzip-compressed, when the URL says (`?compression=0` or `1`); unsaid, they do
   * unless the user may not change settings (`readonly=1`, see `connectClickHouse`).
   */
  compress?: boolean | undefined;
}

const SCHEME = /^clickhouse:\/\//i;

/** True when an input names a ClickHouse database rather than a file. */
export function isClickHouseUrl(input: string): boolean {
  return SCHEME.test(input);
}

/**
 * The URL with its password replaced by `***`. The userinfo ends at the LAST `@`, since a password may
 * hold `@` unescaped: over-masking an odd URL is harmless, leaking half a password is not.
 */
export function maskClickHouseUrl(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  if (!scheme) return url;
  const rest = url.slice(scheme[1]!.length);
  const at = rest.lastIndexOf("@");
  const colon = at === -1 ? -1 : rest.indexOf(":");
  const masked =
    colon !== -1 && colon < at ? `${scheme[1]}${rest.slice(0, colon)}:***${rest.slice(at)}` : url;
  const query = masked.search(/[?#]/);
  return query === -1 ? masked : masked.slice(0, query);
}

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(`${shown}: the ${what} is not valid percent-encoding`);
  }
}

/**
 * Reads the URL and finds the password as clickhouse-client would, oddity's variable first: the URL's,
 * then `ODDITY_DB_PASSWORD`, then `CLICKHOUSE_PASSWORD`, then `<password>` in
 * `~/.clickhouse-client/config.xml` (whose `<user>` is the user when the URL names none), else none. Errors name the masked URL only; the password is never in a message.
 */
export function parseClickHouseUrl({
  url,
  env,
}: {
  url: string;
  env: Record<string, string | undefined>;
}): ClickHouseTarget {
  const display = maskClickHouseUrl(url);
  if (!isClickHouseUrl(url))
    throw new InputError(`${display}: expected clickhouse://USER[:PASS]@HOST:PORT/DB`);
  let parsed: URL;
  try {
    // Parsed as http: Node's URL keeps the host and port of special schemes only.
    parsed = new URL(url.replace(SCHEME, "http://"));
  } catch {
    throw new InputError(`${display}: not a valid URL (expected clickhouse://USER[:PASS]@HOST:PORT/DB)`);
  }
  const port = parsed.port === "" ? 8123 : Number(parsed.port);
  const segments = parsed.pathname.split("/").filter((s) => s !== "");
  if (segments.length > 1) throw new InputError(`${display}: expected one database name after the port`);
  const database = segments.length === 0 ? "default" : decode(segments[0]!, "database name", display);
  let password = "";
  let origin = "no password";
  // Read only when the URL lacks a user or a password and no variable gives the password.
  let file: ReturnType<typeof readClientConfig> | undefined;
  const config = () => (file === undefined ? (file = readClientConfig(env)) : file);
  const user =
    parsed.username !== "" ? decode(parsed.username, "user name", display) : (config()?.user ?? "default");
  const name = PASSWORD_ENVS.find((n) => env[n] !== undefined);
  if (parsed.password !== "") {
    password = decode(parsed.password, "password", display);
    origin = "the URL";
  } else if (name !== undefined) {
    password = env[name]!;
    origin = name;
  } else {
    const found = config();
    if (found?.password !== undefined) {
      password = found.password;
      origin = found.shown;
    }
  }
  const compression = parsed.searchParams.get("compression");
  if (compression !== null && compression !== "0" && compression !== "1")
    throw new InputError(`${display}: ?compression= takes 0 or 1, received ${JSON.stringify(compression)}`);
  return {
    endpoint: `http://${parsed.hostname}:${port}`,
    user,
    password,
    origin,
    database,
    display,
    ...(compression === null ? {} : { compress: compression === "1" }),
  };
}

/** The endpoint, user and database only, for messages: `toString` never shows the password. */
export function describeTarget(target: ClickHouseTarget): string {
  return `${target.display} (user ${target.user}, password from ${target.origin})`;
}

// A GROUP BY over a whole table sends its first byte when the scan is done: on 10M raw lines split on
// 2 busy cores that took longer than the client's default 30 s of silence, and the fit failed. An hour;
// a signal (Ctrl-C) still stops it sooner.
const REQUEST_TIMEOUT_MS = 3_600_000;

/**
 * The client's connection options for a target (`createClient(clientOptions(target))`). The client's own
 * logger is off: it would print each failed request with its stack to stderr, next to oddity's message.
 * Responses come gzip-compressed (`enable_http_compression=1`) unless the target says not: count rows
 * and streamed records are text that compresses several times over.
 */
export function clientOptions(target: ClickHouseTarget): {
  url: string;
  username: string;
  password: string;
  database: string;
  compression: { response: boolean };
  request_timeout: number;
  log: { level: ClickHouseLogLevel };
} {
  return {
    url: target.endpoint,
    username: target.user,
    password: target.password,
    database: target.database,
    compression: { response: target.compress ?? true },
    request_timeout: REQUEST_TIMEOUT_MS,
    log: { level: ClickHouseLogLevel.OFF },
  };
}

/**
 * A client or server error as an `InputError` naming the masked URL. The server's text never holds the
 * password; when it is about logging in, the message says whose password was used and where it came from.
 */
export function connectionError(target: ClickHouseTarget, error: unknown): InputError {
  const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  const login = /password|authenticat/i.test(reason)
    ? ` (user ${target.user}, password from ${target.origin})`
    : "";
  // A user with readonly=1 may change no setting: the compression the URL asked for included.
  const readonly = /enable_http_compression/.test(reason)
    ? ` (user ${target.user} may not change settings: drop ?compression=1 from the URL, or give it readonly=2)`
    : "";
  return new InputError(`${target.display}: ${reason}${login}${readonly}`, { cause: error });
}

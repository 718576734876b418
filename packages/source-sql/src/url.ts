import { InputError } from "@oddity/core";

/** The two server families oddity reads from. */
export type Dialect = "mysql" | "postgres";

/** A database URL taken apart; `password` is only what the URL itself carries. */
export interface DatabaseTarget {
  dialect: Dialect;
  user: string | null;
  password: string | null;
  /** Host name or address; for PostgreSQL may also be a Unix socket folder given as `?host=/run/postgresql`. */
  host: string;
  port: number;
  database: string | null;
  /** Connection parameters from the query string (`?socket=...`, `?sslmode=require`). */
  params: URLSearchParams;
  /** The URL as shown to people: password masked, parameters dropped. */
  display: string;
}

const SCHEMES: Readonly<Record<string, Dialect>> = Object.freeze({
  "mysql:": "mysql",
  "mariadb:": "mysql",
  "postgres:": "postgres",
  "postgresql:": "postgres",
});

const DEFAULT_PORT: Readonly<Record<Dialect, number>> = Object.freeze({ mysql: 3306, postgres: 5432 });

const SCHEME = /^(mysql|mariadb|postgres|postgresql):\/\//i;

/** True when an input names a database (`mysql://`, `mariadb://`, `postgres://`, `postgresql://`) rather than a file. */
export function isDatabaseUrl(input: string): boolean {
  return SCHEME.test(input);
}

// Query parameters that may hold secrets (libpq accepts `?password=`); masked along with the userinfo.
const SECRET_PARAM = /pass|secret|token|key/i;

/**
 * The URL with its password replaced by `***`, for messages, progress and saved models. Works on text
 * that does not parse as a URL too, so a malformed input can still be echoed in an error safely.
 */
export function maskUrl(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  if (!scheme) return url;
  const rest = url.slice(scheme[1]!.length);
  // A password may hold `@`, `/` or `#` unescaped, so the userinfo is taken to end at the LAST `@`:
  // over-masking an odd URL is harmless, leaking half a password is not.
  const at = rest.lastIndexOf("@");
  const colon = at === -1 ? -1 : rest.indexOf(":");
  const masked =
    colon !== -1 && colon < at ? `${scheme[1]}${rest.slice(0, colon)}:***${rest.slice(at)}` : url;
  return masked.replace(/([?&])([^=&#]*)=([^&#]*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAM.test(name) ? `${sep}${name}=***` : whole,
  );
}

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(`${shown}: the ${what} is not valid percent-encoding`);
  }
}

/** Takes a database URL apart; throws `InputError` (naming the masked URL) when it is not one. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const shown = maskUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${shown}: not a valid database URL (expected e.g. mysql://user@host:3306/logs)`);
  }
  const dialect = SCHEMES[parsed.protocol.toLowerCase()];
  if (dialect === undefined) {
    throw new InputError(
      `${shown}: unsupported scheme ${parsed.protocol} (use mysql://, mariadb://, postgres://)`,
    );
  }
  const user = parsed.username === "" ? null : decode(parsed.username, "user name", shown);
  const password = parsed.password === "" ? null : decode(parsed.password, "password", shown);
  let host = parsed.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const params = parsed.searchParams;
  if (host === "") host = params.get("host") ?? "localhost";
  const port = parsed.port === "" ? DEFAULT_PORT[dialect] : Number(parsed.port);
  const path = parsed.pathname.replace(/^\/+/, "");
  const database = path === "" ? null : decode(path, "database name", shown);
  const userinfo = parsed.username === "" ? "" : `${parsed.username}${parsed.password === "" ? "" : ":***"}@`;
  const display = `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  return { dialect, user, password, host, port, database, params, display };
}

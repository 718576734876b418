import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import path from "node:path";
import { parse as parseIni } from "ini";
import pgpass from "pgpass/lib/helper.js";
import type { DatabaseTarget } from "./url.js";

/** Environment variable oddity reads a database password from, for both server families. */
export const PASSWORD_ENV = "ODDITY_DB_PASSWORD";

/** The user and password to log in with, and where the password came from (for error messages). */
export interface Credentials {
  user: string;
  password: string | null;
  /** `the URL`, `ODDITY_DB_PASSWORD`, `MYSQL_PWD`, `~/.my.cnf`, ... or `no password`. */
  origin: string;
}

/** Thrown when the server asks for a password and none was found anywhere. */
export class NoPasswordError extends Error {
  constructor() {
    super("the server asked for a password and none was given");
    this.name = "NoPasswordError";
  }
}

type Env = Record<string, string | undefined>;

function home(env: Env): string {
  return env.HOME ?? homedir();
}

function osUser(env: Env): string {
  return env.USER ?? env.LOGNAME ?? userInfo().username;
}

/** The `[client]` section of `~/.my.cnf`, as the mysql command-line client reads it. */
async function readMyCnf(env: Env): Promise<{ user?: string; password?: string; file: string } | null> {
  const file = path.join(home(env), ".my.cnf");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  const client: unknown = parseIni(text).client;
  if (typeof client !== "object" || client === null) return null;
  const section = client as Record<string, unknown>;
  const pick = (key: string): string | undefined =>
    typeof section[key] === "string" ? section[key] : undefined;
  return { user: pick("user"), password: pick("password"), file };
}

/** The matching `~/.pgpass` (or `$PGPASSFILE`) line's password; libpq's rules, via the `pgpass` package pg uses. */
async function readPgpass(
  env: Env,
  target: DatabaseTarget,
  user: string,
): Promise<{ password: string; file: string } | null> {
  const file = pgpass.getFileName(env);
  try {
    const stats = await stat(file);
    // libpq ignores a password file that others can read; so does this (with a warning on stderr).
    if (!pgpass.usePgPass(stats, file)) return null;
  } catch {
    return null;
  }
  const password = await new Promise<string | undefined>((resolve) => {
    pgpass.getPassword(
      { host: target.host, port: target.port, database: target.database ?? user, user },
      createReadStream(file),
      resolve,
    );
  });
  return password === undefined ? null : { password, file };
}

function shortPath(file: string, env: Env): string {
  const dir = home(env);
  return file.startsWith(`${dir}${path.sep}`) ? `~${file.slice(dir.length)}` : file;
}

/**
 * Finds the user and password the way the servers' own clients do: the URL first, then
 * `ODDITY_DB_PASSWORD`, then `MYSQL_PWD` / `PGPASSWORD`, then `~/.my.cnf` [client] / `~/.pgpass`.
 */
export async function resolveCredentials({
  target,
  env,
}: {
  target: DatabaseTarget;
  env: Env;
}): Promise<Credentials> {
  if (target.dialect === "mysql") {
    const cnf = await readMyCnf(env);
    const user = target.user ?? cnf?.user ?? osUser(env);
    if (target.password !== null) return { user, password: target.password, origin: "the URL" };
    if (env[PASSWORD_ENV] !== undefined) return { user, password: env[PASSWORD_ENV], origin: PASSWORD_ENV };
    if (env.MYSQL_PWD !== undefined) return { user, password: env.MYSQL_PWD, origin: "MYSQL_PWD" };
    if (cnf?.password !== undefined)
      return { user, password: cnf.password, origin: shortPath(cnf.file, env) };
    return { user, password: null, origin: "no password" };
  }
  const user = target.user ?? env.PGUSER ?? osUser(env);
  if (target.password !== null) return { user, password: target.password, origin: "the URL" };
  if (env[PASSWORD_ENV] !== undefined) return { user, password: env[PASSWORD_ENV], origin: PASSWORD_ENV };
  if (env.PGPASSWORD !== undefined) return { user, password: env.PGPASSWORD, origin: "PGPASSWORD" };
  const entry = await readPgpass(env, target, user);
  if (entry !== null) return { user, password: entry.password, origin: shortPath(entry.file, env) };
  return { user, password: null, origin: "no password" };
}

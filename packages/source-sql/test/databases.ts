/**
 * Throwaway MariaDB and PostgreSQL servers on loopback for the tests of @oddity/source-sql and the CLI's
 * database e2e test: data directories in a temp folder, free ports, users with passwords, the lesson's
 * `logs.api_access(entry)` table, stopped and removed afterwards. Missing server binaries are an error
 * that says how to install them; tests never skip silently.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fixture } from "@oddity/fixtures";
import { createConnection, type Connection } from "mysql2/promise";
import pg from "pg";

/** One running server and how to reach it as the unprivileged `oddity` user. */
export interface DatabaseServer {
  /** URL without a password: `mysql://oddity@127.0.0.1:PORT/logs`. */
  url: string;
  user: string;
  /** The `oddity` user's password (with characters that need URL encoding). */
  password: string;
  port: number;
}

/** What a test file gets: both servers, and the path of the log loaded into them. */
export interface Databases {
  mysql: DatabaseServer;
  postgres: DatabaseServer;
  /** The Codeup `access.log` of @oddity/fixtures, loaded into `logs.api_access(entry)` on both. */
  accessLog: string;
}

/** The real log the servers hold, as the lesson's database holds it (13,974 rows). */
export const ACCESS_LOG = fixture("codeup-api-access/access.log");

const INSTALL_HINT =
  "run `bash .ci/services/databases.sh` (installs mariadb-server and postgresql from Debian packages)";
const READY_TIMEOUT_MS = 60_000;

function searchPath(): string[] {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  dirs.push("/usr/sbin", "/usr/local/sbin", "/usr/bin");
  // Debian keeps the PostgreSQL server off PATH, per major version; prefer the newest.
  const pgRoot = "/usr/lib/postgresql";
  if (existsSync(pgRoot)) {
    const versions = readdirSync(pgRoot).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) dirs.push(path.join(pgRoot, version, "bin"));
  }
  return dirs;
}

function findBinary(names: readonly string[], what: string): string {
  for (const dir of searchPath()) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${what} not found (looked for ${names.join(", ")}): ${INSTALL_HINT}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], options: { uid?: number; gid?: number } = {}): void {
  try {
    execFileSync(command, args, { stdio: "pipe", ...options });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} failed:\n${String(output.stdout ?? "")}${String(output.stderr ?? "")}`, {
      cause: error,
    });
  }
}

/** A server process whose output is kept (bounded) for the failure message. */
interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Running {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  const keep = (data: Buffer): void => {
    output = (output + data.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stop(running: Running, signal: NodeJS.Signals): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill(signal);
  const done = await Promise.race([running.exited.then(() => true), sleep(20_000, false, { ref: false })]);
  if (!done) {
    running.child.kill("SIGKILL");
    await running.exited;
  }
}

async function waitFor<T>(what: string, running: Running, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (exited || Date.now() > deadline) {
        throw new Error(`${what} did not start: ${String(error)}\n${running.output()}`, { cause: error });
      }
      await sleep(150);
    }
  }
}

function password(): string {
  // Characters that must be percent-encoded in a URL, so the URL handling is exercised for real.
  return `s3cr:t@${randomBytes(6).toString("hex")}/x`;
}

async function readLogLines(): Promise<string[]> {
  const text = await readFile(ACCESS_LOG, "utf8");
  return text.split("\n").filter((line, i, all) => i < all.length - 1 || line !== "");
}

// Rows for the edge-case tables: valid, NULL, blank, not a log line, valid with a trailing newline.
export const MIXED_ROWS: ReadonlyArray<{ id: number; entry: string | null; status: number; seen: string }> = [
  {
    id: 1,
    entry:
      '97.105.19.58 - - [16/Apr/2019:19:34:42 +0000] "GET /api/v1/sales?page=81 HTTP/1.1" 200 512495 "-" "python-requests/2.21.0"',
    status: 200,
    seen: "2019-04-16 19:34:42",
  },
  { id: 2, entry: null, status: 200, seen: "2019-04-16 19:34:43" },
  { id: 3, entry: "   ", status: 200, seen: "2019-04-16 19:34:44" },
  { id: 4, entry: "not a log line", status: 500, seen: "2019-04-16 19:34:45" },
  {
    id: 5,
    entry: '72.181.105.81 - - [17/Apr/2019:01:25:07 +0000] "GET / HTTP/1.1" 200 42 "-" "Mozilla/5.0"\n',
    status: 200,
    seen: "2019-04-17 01:25:07",
  },
];

async function startMysql(
  root: string,
  lines: string[],
): Promise<{ server: DatabaseServer; stop: () => Promise<void> }> {
  const mysqld = findBinary(["mariadbd", "mysqld"], "MariaDB server (mariadbd)");
  const installDb = findBinary(
    ["mariadb-install-db", "mysql_install_db"],
    "MariaDB initialiser (mariadb-install-db)",
  );
  const dir = path.join(root, "mariadb");
  await mkdir(dir);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? ["--user=root"] : [];
  run(installDb, [
    "--no-defaults",
    `--datadir=${path.join(dir, "data")}`,
    ...user,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ]);
  const port = await freePort();
  const socket = path.join(dir, "mysqld.sock");
  const running = start(mysqld, [
    "--no-defaults",
    `--datadir=${path.join(dir, "data")}`,
    ...user,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--socket=${socket}`,
    `--pid-file=${path.join(dir, "mysqld.pid")}`,
    "--skip-name-resolve",
    "--skip-log-bin",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
  ]);
  const secret = password();
  let admin: Connection | null = null;
  try {
    admin = await waitFor("mariadbd", running, () => createConnection({ socketPath: socket, user: "root" }));
    await admin.query("CREATE DATABASE logs");
    await admin.query("CREATE USER 'oddity'@'%' IDENTIFIED BY ?", [secret]);
    await admin.query("GRANT SELECT ON logs.* TO 'oddity'@'%'");
    await admin.query("USE logs");
    // The lesson's table: one column `entry` holding the raw line, nothing else.
    await admin.query("CREATE TABLE api_access (entry TEXT)");
    await admin.query("INSERT INTO api_access (entry) VALUES ?", [lines.map((line) => [line])]);
    await admin.query(
      "CREATE TABLE mixed (id INT PRIMARY KEY, entry VARCHAR(2000), status INT, seen DATETIME)",
    );
    // Inserted out of order so that reading by primary key visibly orders the rows.
    const rows = [...MIXED_ROWS].reverse().map((row) => [row.id, row.entry, row.status, row.seen]);
    await admin.query("INSERT INTO mixed (id, entry, status, seen) VALUES ?", [rows]);
  } catch (error) {
    await admin?.end();
    await stop(running, "SIGTERM");
    throw error;
  }
  await admin.end();
  return {
    server: { url: `mysql://oddity@127.0.0.1:${port}/logs`, user: "oddity", password: secret, port },
    stop: () => stop(running, "SIGTERM"),
  };
}

function postgresAccount(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  // PostgreSQL refuses to run as root: run it as the `postgres` user the Debian package creates.
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { uid, gid };
    } catch {
      // try the next account
    }
  }
  throw new Error("running as root and no `postgres` user exists to run PostgreSQL as: " + INSTALL_HINT);
}

async function startPostgres(
  root: string,
  lines: string[],
): Promise<{ server: DatabaseServer; stop: () => Promise<void> }> {
  const postgres = findBinary(["postgres"], "PostgreSQL server (postgres)");
  const initdb = findBinary(["initdb"], "PostgreSQL initialiser (initdb)");
  const account = postgresAccount();
  const dir = path.join(root, "postgres");
  await mkdir(dir);
  const superPassword = randomBytes(12).toString("hex");
  const pwfile = path.join(dir, "pwfile");
  await writeFile(pwfile, superPassword);
  if (account !== null) {
    await chown(dir, account.uid, account.gid);
    await chown(pwfile, account.uid, account.gid);
  }
  const data = path.join(dir, "data");
  const as = account ?? {};
  run(
    initdb,
    [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--no-locale",
      "--no-sync",
    ],
    as,
  );
  const port = await freePort();
  const running = start(
    postgres,
    [
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "synchronous_commit=off",
    ],
    as,
  );
  const connect = async (database: string): Promise<pg.Client> => {
    const client = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      password: superPassword,
      database,
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  };
  const secret = password();
  try {
    const admin = await waitFor("postgres", running, () => connect("postgres"));
    await admin.query(`CREATE ROLE oddity LOGIN PASSWORD ${admin.escapeLiteral(secret)}`);
    await admin.query("CREATE DATABASE logs");
    await admin.end();
    const logs = await connect("logs");
    await logs.query("CREATE TABLE api_access (entry text)");
    await logs.query("INSERT INTO api_access (entry) SELECT unnest($1::text[])", [lines]);
    // One column per field, split by the database itself (not by oddity's parser) so the test that
    // compares the two really compares two independent readings of the same log.
    await logs.query(`
      CREATE TABLE requests (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ip text, ts timestamptz, method text, path text, protocol text,
        status smallint, size bigint, referer text, user_agent text
      )`);
    await logs.query(String.raw`
      INSERT INTO requests (ip, ts, method, path, protocol, status, size, referer, user_agent)
      SELECT m[1], to_timestamp(m[2], 'DD/Mon/YYYY:HH24:MI:SS TZH:TZM'), m[3], m[4], m[5], m[6]::smallint,
             NULLIF(m[7], '-')::bigint, NULLIF(m[8], '-'), m[9]
      FROM (SELECT regexp_match(entry,
              '^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"$') AS m
            FROM api_access) AS split`);
    await logs.query(
      "CREATE TABLE mixed (id integer PRIMARY KEY, entry text, status integer, seen timestamp)",
    );
    for (const row of [...MIXED_ROWS].reverse()) {
      await logs.query("INSERT INTO mixed (id, entry, status, seen) VALUES ($1, $2, $3, $4)", [
        row.id,
        row.entry,
        row.status,
        row.seen,
      ]);
    }
    await logs.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO oddity");
    await logs.end();
  } catch (error) {
    await stop(running, "SIGINT");
    throw error;
  }
  return {
    server: { url: `postgres://oddity@127.0.0.1:${port}/logs`, user: "oddity", password: secret, port },
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
    stop: () => stop(running, "SIGINT"),
  };
}

/** Starts both servers (in parallel) and loads the data; `stop()` shuts them down and removes everything. */
export async function startDatabases(): Promise<Databases & { stop: () => Promise<void> }> {
  // Fail before any work when a binary is missing, with the install hint.
  findBinary(["mariadbd", "mysqld"], "MariaDB server (mariadbd)");
  findBinary(["mariadb-install-db", "mysql_install_db"], "MariaDB initialiser (mariadb-install-db)");
  findBinary(["postgres"], "PostgreSQL server (postgres)");
  findBinary(["initdb"], "PostgreSQL initialiser (initdb)");
  const lines = await readLogLines();
  const root = await mkdtemp(path.join(tmpdir(), "oddity-sql-"));
  // The PostgreSQL account must be able to reach its folder inside ours.
  await chmod(root, 0o755);
  const results = await Promise.allSettled([startMysql(root, lines), startPostgres(root, lines)]);
  const stopAll = async (): Promise<void> => {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : Promise.resolve())));
    await rm(root, { recursive: true, force: true });
  };
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure !== undefined) {
    await stopAll();
    throw failure.reason;
  }
  const [mysql, postgres] = results.map(
    (r) => (r as PromiseFulfilledResult<{ server: DatabaseServer }>).value.server,
  );
  return { mysql: mysql!, postgres: postgres!, accessLog: ACCESS_LOG, stop: stopAll };
}

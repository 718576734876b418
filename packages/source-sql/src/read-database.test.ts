import { mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CATEGORICAL_FIELDS,
  FieldProfiler,
  InputError,
  createParser,
  readInputs,
  rejectionClass,
  type LogRecord,
  type RecordStream,
} from "@oddity/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readDatabase } from "./read-database.js";

const { mysql, postgres, accessLog } = inject("databases");

// Every field profile compares: the categorical ones, and derived/numeric ones that show times and
// sizes came through unchanged.
const PROFILED = [...CATEGORICAL_FIELDS, "hour", "weekday", "time", "size"];

let home: string;

beforeAll(async () => {
  // An empty home, so a developer's own ~/.my.cnf or ~/.pgpass never leaks into the tests.
  home = await mkdtemp(path.join(tmpdir(), "oddity-sql-home-"));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function env(password?: string): Record<string, string | undefined> {
  return {
    HOME: home,
    USER: "nobody-here",
    ...(password === undefined ? {} : { ODDITY_DB_PASSWORD: password }),
  };
}

async function profile(stream: RecordStream): Promise<{ total: number; tables: Record<string, unknown> }> {
  const profiler = new FieldProfiler(PROFILED);
  for await (const batch of stream) for (const record of batch.records) profiler.observe(record);
  return { total: profiler.total, tables: Object.fromEntries(PROFILED.map((f) => [f, profiler.table(f)])) };
}

async function collect(
  stream: RecordStream,
): Promise<{ records: LogRecord[]; rejections: unknown[]; batches: number }> {
  const records: LogRecord[] = [];
  const rejections: unknown[] = [];
  let batches = 0;
  for await (const batch of stream) {
    batches++;
    records.push(...batch.records);
    rejections.push(...batch.rejections);
  }
  return { records, rejections, batches };
}

async function failure(stream: RecordStream): Promise<InputError> {
  try {
    await collect(stream);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected the read to fail");
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
    });
  });
}

const fileProfile = (): Promise<{ total: number; tables: Record<string, unknown> }> =>
  profile(readInputs({ inputs: [accessLog] }));

describe("MariaDB, the lesson's logs.api_access(entry) table", () => {
  it("profiles the table exactly like the access.log file, count for count", async () => {
    const stream = readDatabase({
      url: mysql.url,
      table: "api_access",
      column: "entry",
      env: env(mysql.password),
    });
    const file = readInputs({ inputs: [accessLog] });
    const fromDatabase = await profile(stream);
    expect(fromDatabase).toEqual(await profile(file));
    expect(fromDatabase.total).toBe(13_974);
    expect([stream.stats, stream.format, stream.warnings]).toEqual([file.stats, file.format, []]);
  });

  it("warns when the named format fits few of the first rows", async () => {
    const format = { name: "jsonl" } as const;
    const stream = readDatabase({
      url: mysql.url,
      table: "api_access",
      column: "entry",
      format,
      env: env(mysql.password),
    });
    await collect(stream);
    const described = createParser(format).description;
    expect([stream.format, stream.warnings, stream.stats.rejected]).toEqual([
      described,
      [
        `${mysql.url}/api_access: only 0 of 50 sample lines parse as ${described}; name the format if that is not it`,
      ],
      13_974,
    ]);
  });

  it("names the masked table as each record's source and the row ordinal as its line", async () => {
    const url = `mysql://oddity:${encodeURIComponent(mysql.password)}@127.0.0.1:${mysql.port}/logs`;
    const { records } = await collect(
      readDatabase({ url, table: "api_access", column: "entry", env: env() }),
    );
    const source = `mysql://oddity:***@127.0.0.1:${mysql.port}/logs/api_access`;
    expect([records[0]!.source, records[0]!.line, records[0]!.ip, records[0]!.path]).toEqual([
      source,
      1,
      "97.105.19.58",
      "/api/v1/sales?page=81",
    ]);
    expect([records.at(-1)!.source, records.at(-1)!.line]).toEqual([source, 13_974]);
  });

  it("orders by the primary key, keeps it in extra.primary_key, and counts NULL, blank and bad rows", async () => {
    const stream = readDatabase({
      url: mysql.url,
      table: "mixed",
      column: "entry",
      primaryKey: "id",
      format: { name: "combined" },
      env: env(mysql.password),
    });
    const { records, rejections } = await collect(stream);
    const source = `${mysql.url}/mixed`;
    expect(records.map((r) => [r.line, r.extra?.primary_key, r.ip])).toEqual([
      [1, "1", "97.105.19.58"],
      [5, "5", "72.181.105.81"],
    ]);
    const reason = createParser({ name: "combined" }).parse("not a log line", source, 4);
    expect(rejections).toEqual([
      { source, line: 2, reason: "entry is NULL", excerpt: "" },
      { source, line: 4, reason, excerpt: "not a log line" },
    ]);
    expect(stream.stats).toEqual({
      read: 5,
      parsed: 2,
      rejected: 2,
      blank: 1,
      bytes: stream.stats.bytes,
      rejectedBy: { "entry is NULL": 1, [rejectionClass(reason as string)]: 1 },
    });
  });

  it("stops at the first bad row under strict, naming source and row", async () => {
    const stream = readDatabase({
      url: mysql.url,
      table: "mixed",
      column: "entry",
      primaryKey: "id",
      strict: true,
      env: env(mysql.password),
    });
    expect((await failure(stream)).message).toBe(`${mysql.url}/mixed:2: entry is NULL`);
  });

  it("reads DATETIME columns of a query as UTC instants", async () => {
    const stream = readDatabase({
      url: mysql.url,
      query: "SELECT id, seen AS time, status FROM mixed ORDER BY id",
      primaryKey: "id",
      env: env(mysql.password),
    });
    const { records } = await collect(stream);
    expect(records.map((r) => [r.extra?.primary_key, r.time, r.status])).toEqual([
      ["1", Date.UTC(2019, 3, 16, 19, 34, 42), 200],
      ["2", Date.UTC(2019, 3, 16, 19, 34, 43), 200],
      ["3", Date.UTC(2019, 3, 16, 19, 34, 44), 200],
      ["4", Date.UTC(2019, 3, 16, 19, 34, 45), 500],
      ["5", Date.UTC(2019, 3, 17, 1, 25, 7), 200],
    ]);
  });

  it("streams a 195-million-row join one batch at a time and lets go when the reader stops", async () => {
    const stream = readDatabase({
      url: mysql.url,
      query: "SELECT a.entry AS raw, b.entry AS referer FROM api_access a CROSS JOIN api_access b",
      batchSize: 500,
      env: env(mysql.password),
    });
    const sizes: number[] = [];
    for await (const batch of stream) {
      sizes.push(batch.records.length);
      if (sizes.length === 3) break;
    }
    expect(sizes).toEqual([500, 500, 500]);
  });

  it("reads the same rows again on a second pass (detect reads its input twice)", async () => {
    const stream = readDatabase({
      url: mysql.url,
      table: "mixed",
      column: "entry",
      env: env(mysql.password),
    });
    const first = await collect(stream);
    const firstStats = { ...stream.stats };
    const second = await collect(stream);
    expect([second.records, stream.stats]).toEqual([first.records, firstStats]);
  });

  it("takes the password from ~/.my.cnf", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "oddity-mycnf-"));
    try {
      const url = `mysql://127.0.0.1:${mysql.port}/logs`;
      // No user in the URL: it comes from the option file too.
      await writeFile(path.join(dir, ".my.cnf"), `[client]\nuser = oddity\npassword = "${mysql.password}"\n`);
      const { records } = await collect(
        readDatabase({ url, table: "mixed", column: "entry", env: { HOME: dir } }),
      );
      expect(records.length).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops with the abort reason when the signal fires mid-read", async () => {
    const controller = new AbortController();
    const stream = readDatabase({
      url: mysql.url,
      table: "api_access",
      column: "entry",
      batchSize: 100,
      signal: controller.signal,
      env: env(mysql.password),
    });
    let batches = 0;
    const read = (async () => {
      for await (const _batch of stream) {
        batches++;
        if (batches === 2) controller.abort(new Error("stopped by the user"));
      }
    })();
    await expect(read).rejects.toThrow("stopped by the user");
    expect(batches).toBe(2);
  });
});

describe("MariaDB errors name the source and never the password", () => {
  const cases: Array<[string, () => Promise<InputError>, (port: number) => string]> = [
    [
      "a wrong password from ODDITY_DB_PASSWORD",
      () =>
        failure(
          readDatabase({ url: mysql.url, table: "api_access", column: "entry", env: env("wrong-password") }),
        ),
      (port) =>
        `mysql://oddity@127.0.0.1:${port}/logs/api_access: access denied for user "oddity" (password from ODDITY_DB_PASSWORD)`,
    ],
    [
      "a wrong password in the URL",
      () =>
        failure(
          readDatabase({
            url: `mysql://oddity:wrong-password@127.0.0.1:${mysql.port}/logs`,
            table: "api_access",
            env: env(),
          }),
        ),
      (port) =>
        `mysql://oddity:***@127.0.0.1:${port}/logs/api_access: access denied for user "oddity" (password from the URL)`,
    ],
    [
      "no password at all",
      () => failure(readDatabase({ url: mysql.url, table: "api_access", env: env() })),
      (port) =>
        `mysql://oddity@127.0.0.1:${port}/logs/api_access: access denied for user "oddity" (no password was given: put it in ODDITY_DB_PASSWORD (or the URL, MYSQL_PWD or ~/.my.cnf [client]))`,
    ],
    [
      "an unknown table",
      () =>
        failure(
          readDatabase({ url: mysql.url, table: "api_acces", column: "entry", env: env(mysql.password) }),
        ),
      (port) => `mysql://oddity@127.0.0.1:${port}/logs: no table "api_acces" (tables: api_access, mixed)`,
    ],
    [
      "an unknown column",
      () =>
        failure(
          readDatabase({ url: mysql.url, table: "api_access", column: "entri", env: env(mysql.password) }),
        ),
      (port) => `mysql://oddity@127.0.0.1:${port}/logs/api_access: no column "entri" (columns: entry (text))`,
    ],
    [
      "a column that is not text",
      () =>
        failure(readDatabase({ url: mysql.url, table: "mixed", column: "status", env: env(mysql.password) })),
      (port) =>
        `mysql://oddity@127.0.0.1:${port}/logs/mixed: column "status" is int, not text: --column must name the column holding raw log lines (use --query to map typed columns onto fields)`,
    ],
    [
      "a database the user may not use",
      () =>
        failure(
          readDatabase({
            url: `mysql://oddity@127.0.0.1:${mysql.port}/mysql`,
            table: "user",
            env: env(mysql.password),
          }),
        ),
      (port) => `mysql://oddity@127.0.0.1:${port}/mysql/user: user "oddity" may not use database "mysql"`,
    ],
  ];

  for (const [what, run, expected] of cases) {
    it(`explains ${what}`, async () => {
      const error = await run();
      expect(error.message).toBe(expected(mysql.port));
      expect(error.message).not.toContain(mysql.password);
    });
  }

  it("explains an unreachable server", async () => {
    const port = await closedPort();
    const error = await failure(
      readDatabase({
        url: `mysql://oddity:hunter22@127.0.0.1:${port}/logs`,
        table: "api_access",
        env: env(),
      }),
    );
    expect(error.message).toBe(
      `mysql://oddity:***@127.0.0.1:${port}/logs/api_access: cannot connect: connection refused at 127.0.0.1:${port} (is the server running and listening there?)`,
    );
  });

  it("passes on the server's words for invalid SQL", async () => {
    const error = await failure(
      readDatabase({ url: mysql.url, query: "SELEC path FROM api_access", env: env(mysql.password) }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^mysql://oddity@127\\.0\\.0\\.1:${mysql.port}/logs/\\(SELEC path FROM api_access\\): the query is not valid SQL: You have an error in your SQL syntax`,
      ),
    );
  });
});

describe("PostgreSQL, a column-per-field requests table read with a query", () => {
  const QUERY =
    "SELECT ip, ts AS time, method, path, protocol AS http_version, status, size, referer, user_agent FROM requests ORDER BY id";

  it("profiles the query's rows exactly like the access.log file, count for count", async () => {
    const stream = readDatabase({ url: postgres.url, query: QUERY, env: env(postgres.password) });
    const fromDatabase = await profile(stream);
    expect(fromDatabase).toEqual(await fileProfile());
    expect(fromDatabase.total).toBe(13_974);
    expect(stream.format).toBe(
      "sql columns (ip, time, method, path, http_version, status, size, referer, user_agent)",
    );
  });

  it("profiles the raw-line table exactly like the file as well", async () => {
    const stream = readDatabase({
      url: postgres.url,
      table: "public.api_access",
      column: "entry",
      env: env(postgres.password),
    });
    expect(await profile(stream)).toEqual(await fileProfile());
  });

  it("keeps the primary key and names the query in each record's source", async () => {
    const stream = readDatabase({
      url: postgres.url,
      query: "SELECT id, path FROM requests ORDER BY id LIMIT 3",
      primaryKey: "id",
      env: env(postgres.password),
    });
    const { records } = await collect(stream);
    const source = `${postgres.url}/(SELECT id, path FROM requests ORDER BY id LIMIT 3)`;
    expect(records.map((r) => [r.source, r.line, r.extra?.primary_key, r.path])).toEqual([
      [source, 1, "1", "/api/v1/sales?page=81"],
      [source, 2, "2", "/api/v1/items"],
      [source, 3, "3", "/api/v1/sales?page=82"],
    ]);
  });

  it("reads timestamp without time zone as UTC", async () => {
    const stream = readDatabase({
      url: postgres.url,
      query: "SELECT seen AS time FROM mixed ORDER BY id LIMIT 1",
      env: env(postgres.password),
    });
    const { records } = await collect(stream);
    expect([records[0]!.time, records[0]!.time_text]).toEqual([
      Date.UTC(2019, 3, 16, 19, 34, 42),
      "2019-04-16T19:34:42.000Z",
    ]);
  });

  it("counts hostile column names and values as data", async () => {
    const stream = readDatabase({
      url: postgres.url,
      query: `SELECT '__proto__' AS path, 'x' AS "__proto__", 'y' AS "constructor", E'\\u001b[2J' AS user_agent`,
      env: env(postgres.password),
    });
    const { records } = await collect(stream);
    const record = records[0]!;
    expect([
      record.path,
      record.user_agent,
      Object.getPrototypeOf(record.extra),
      { ...record.extra },
    ]).toEqual(["__proto__", "\u001b[2J", null, { ["__proto__"]: "x", constructor: "y" }]);
  });

  it("fetches a 10-million-row result through the cursor one batch at a time", async () => {
    const stream = readDatabase({
      url: postgres.url,
      query: "SELECT generate_series(1, 10000000) AS size",
      batchSize: 1000,
      env: env(postgres.password),
    });
    const firsts: Array<number | null> = [];
    for await (const batch of stream) {
      firsts.push(batch.records[0]!.size);
      if (firsts.length === 3) break;
    }
    expect(firsts).toEqual([1, 1001, 2001]);
  });

  it("takes the password from ~/.pgpass", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "oddity-pgpass-"));
    try {
      const escaped = postgres.password.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
      await writeFile(path.join(dir, ".pgpass"), `127.0.0.1:${postgres.port}:logs:oddity:${escaped}\n`);
      await chmod(path.join(dir, ".pgpass"), 0o600);
      const stream = readDatabase({
        url: postgres.url,
        query: "SELECT path FROM requests LIMIT 2",
        env: { HOME: dir },
      });
      expect((await collect(stream)).records.map((r) => r.path)).toEqual([
        "/api/v1/sales?page=81",
        "/api/v1/items",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs queries read-only", async () => {
    const error = await failure(
      readDatabase({
        url: postgres.url,
        query: "CREATE TABLE sneaky AS SELECT 1 AS size",
        env: env(postgres.password),
      }),
    );
    expect(error.message).toBe(
      `${postgres.url}/(CREATE TABLE sneaky AS SELECT 1 AS size): cannot execute CREATE TABLE AS in a read-only transaction (25006)`,
    );
  });
});

describe("PostgreSQL errors name the source and never the password", () => {
  it("explains a wrong password", async () => {
    const error = await failure(
      readDatabase({ url: postgres.url, query: "SELECT 1", env: env("wrong-password") }),
    );
    expect(error.message).toBe(
      `${postgres.url}/(SELECT 1): access denied for user "oddity" (password from ODDITY_DB_PASSWORD)`,
    );
  });

  it("explains that the server asks for a password none was given for", async () => {
    const error = await failure(readDatabase({ url: postgres.url, query: "SELECT 1", env: env() }));
    expect(error.message).toBe(
      `${postgres.url}/(SELECT 1): the server asks user "oddity" for a password and none was given: put it in ODDITY_DB_PASSWORD (or the URL, PGPASSWORD or ~/.pgpass)`,
    );
  });

  it("explains a database that does not exist", async () => {
    const url = `postgres://oddity:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/nope`;
    const error = await failure(readDatabase({ url, table: "api_access", env: env() }));
    expect(error.message).toBe(
      `postgres://oddity:***@127.0.0.1:${postgres.port}/nope/api_access: database "nope" does not exist`,
    );
    expect(error.message).not.toContain(postgres.password);
  });

  it("explains a column that is not text", async () => {
    const error = await failure(
      readDatabase({ url: postgres.url, table: "requests", column: "ts", env: env(postgres.password) }),
    );
    expect(error.message).toBe(
      `${postgres.url}/requests: column "ts" is timestamp with time zone, not text: --column must name the column holding raw log lines (use --query to map typed columns onto fields)`,
    );
  });

  it("explains an unknown table, listing the ones there are", async () => {
    const error = await failure(
      readDatabase({ url: postgres.url, table: "request", env: env(postgres.password) }),
    );
    expect(error.message).toBe(`${postgres.url}: no table "request" (tables: api_access, mixed, requests)`);
  });

  it("refuses options that say neither or both of table and query", () => {
    expect(() => readDatabase({ url: postgres.url })).toThrow(
      `${postgres.url}: say what to read: --table TABLE --column COLUMN (one raw log line per row) or --query "SELECT ..." (one column per field)`,
    );
    expect(() => readDatabase({ url: postgres.url, table: "requests", query: "SELECT 1" })).toThrow(
      `${postgres.url}: give either a table (--table, --column) or a query (--query), not both`,
    );
  });
});

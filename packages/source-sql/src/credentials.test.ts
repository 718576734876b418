import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCredentials } from "./credentials.js";
import { parseDatabaseUrl } from "./url.js";

let home: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "oddity-credentials-"));
  await writeFile(
    path.join(home, ".my.cnf"),
    [
      "[mysql]",
      "password = not-this-one",
      "",
      "[client]",
      "user = analyst",
      'password = "from#cnf;file"',
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(home, ".pgpass"),
    [
      "# host:port:database:user:password",
      "db.internal:5432:logs:reader:pg\\:pass",
      "*:*:*:*:fallback",
      "",
    ].join("\n"),
  );
  await chmod(path.join(home, ".pgpass"), 0o600);
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const mysql = parseDatabaseUrl("mysql://db.internal/logs");
const mysqlWithPassword = parseDatabaseUrl("mysql://oddity:in%40url@db.internal/logs");
const postgres = parseDatabaseUrl("postgres://reader@db.internal/logs");

describe("resolveCredentials", () => {
  it("prefers the URL's password over every other source", async () => {
    const env = { HOME: home, ODDITY_DB_PASSWORD: "env", MYSQL_PWD: "pwd" };
    expect(await resolveCredentials({ target: mysqlWithPassword, env })).toEqual({
      user: "oddity",
      password: "in@url",
      origin: "the URL",
    });
  });

  it("takes ODDITY_DB_PASSWORD before MYSQL_PWD and the option file", async () => {
    const env = { HOME: home, ODDITY_DB_PASSWORD: "env", MYSQL_PWD: "pwd" };
    expect(await resolveCredentials({ target: mysql, env })).toEqual({
      user: "analyst",
      password: "env",
      origin: "ODDITY_DB_PASSWORD",
    });
  });

  it("takes MYSQL_PWD before ~/.my.cnf", async () => {
    expect(await resolveCredentials({ target: mysql, env: { HOME: home, MYSQL_PWD: "pwd" } })).toEqual({
      user: "analyst",
      password: "pwd",
      origin: "MYSQL_PWD",
    });
  });

  it("reads user and password from the [client] section of ~/.my.cnf", async () => {
    expect(await resolveCredentials({ target: mysql, env: { HOME: home } })).toEqual({
      user: "analyst",
      password: "from#cnf;file",
      origin: "~/.my.cnf",
    });
  });

  it("takes PGPASSWORD for PostgreSQL", async () => {
    expect(await resolveCredentials({ target: postgres, env: { HOME: home, PGPASSWORD: "pgenv" } })).toEqual({
      user: "reader",
      password: "pgenv",
      origin: "PGPASSWORD",
    });
  });

  it("finds the matching ~/.pgpass line, unescaping its colon", async () => {
    expect(await resolveCredentials({ target: postgres, env: { HOME: home } })).toEqual({
      user: "reader",
      password: "pg:pass",
      origin: "~/.pgpass",
    });
  });

  it("reports no password when nothing provides one", async () => {
    const empty = await mkdtemp(path.join(tmpdir(), "oddity-nohome-"));
    try {
      expect(await resolveCredentials({ target: mysql, env: { HOME: empty, USER: "someone" } })).toEqual({
        user: "someone",
        password: null,
        origin: "no password",
      });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

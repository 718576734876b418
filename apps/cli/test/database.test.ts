/**
 * End to end: the built `oddity` binary reads the lesson's log from real MariaDB and PostgreSQL servers
 * (started here on loopback by @oddity/source-sql's test fixture) and profiles it exactly as it profiles
 * the file; a wrong password exits 2 without ever printing the password.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDatabases, type Databases } from "../../../packages/source-sql/test/databases.js";

const BIN = path.resolve(import.meta.dirname, "../dist/bin.js");

let databases: Databases & { stop: () => Promise<void> };
let home: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "oddity-cli-db-"));
  databases = await startDatabases();
}, 180_000);

afterAll(async () => {
  await databases?.stop();
  await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function oddity(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // A clean environment: no developer's password variables or option files reach the run.
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...base, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function profileOfFile(): Promise<unknown> {
  const run = await oddity(["profile", databases.accessLog, "--format", "json"]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

describe("oddity profile on a database", () => {
  it("profiles mysql://…/logs --table api_access --column entry exactly like the file", async () => {
    const { mysql } = databases;
    const run = await oddity(
      ["profile", mysql.url, "--table", "api_access", "--column", "entry", "--format", "json"],
      {
        ODDITY_DB_PASSWORD: mysql.password,
      },
    );
    expect([run.code, run.stderr.includes(mysql.password)]).toEqual([0, false]);
    const fromDatabase = JSON.parse(run.stdout) as { total: number };
    expect(fromDatabase.total).toBe(13_974);
    expect(fromDatabase).toEqual(await profileOfFile());
  });

  it("profiles postgres://… --query over a column-per-field table exactly like the file", async () => {
    const { postgres } = databases;
    const query =
      "SELECT ip, ts AS time, method, path, protocol AS http_version, status, size, referer, user_agent FROM requests ORDER BY id";
    const run = await oddity(["profile", postgres.url, "--query", query, "--format", "json"], {
      ODDITY_DB_PASSWORD: postgres.password,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await profileOfFile());
  });

  it("exits 2 on a wrong password, naming the masked source and printing no password", async () => {
    const { mysql } = databases;
    const url = mysql.url.replace("oddity@", "oddity:url-secret-123@");
    const run = await oddity([
      "profile",
      url,
      "--table",
      "api_access",
      "--column",
      "entry",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `mysql://oddity:***@127.0.0.1:${mysql.port}/logs/api_access: access denied for user "oddity" (password from the URL)`,
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain("url-secret-123");
  });

  it("exits 2 when ODDITY_DB_PASSWORD is wrong, without printing it", async () => {
    const { postgres } = databases;
    const run = await oddity(
      ["profile", postgres.url, "--query", "SELECT path FROM requests", "--format", "json"],
      {
        ODDITY_DB_PASSWORD: "env-secret-456",
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${postgres.url}/(SELECT path FROM requests): access denied for user "oddity" (password from ODDITY_DB_PASSWORD)`,
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain("env-secret-456");
  });
});

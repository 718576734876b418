import { InputError } from "@oddity/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDatabaseUrl, maskUrl, parseDatabaseUrl } from "./url.js";

describe("isDatabaseUrl", () => {
  it("recognises the four database schemes in any letter case", () => {
    const inputs = [
      "mysql://u@h/logs",
      "mariadb://h",
      "postgres://h/db",
      "POSTGRESQL://h/db",
      "access.log",
      "-",
      "https://example.com/access.log",
      "logs/mysql://x",
      "sqlite://db",
    ];
    expect(inputs.map(isDatabaseUrl)).toEqual([true, true, true, true, false, false, false, false, false]);
  });
});

describe("maskUrl", () => {
  it("replaces the password and keeps everything else", () => {
    expect(maskUrl("mysql://oddity:hunter2@127.0.0.1:3306/logs")).toBe(
      "mysql://oddity:***@127.0.0.1:3306/logs",
    );
  });

  it("leaves a URL without a password unchanged", () => {
    expect(maskUrl("postgres://oddity@127.0.0.1:5432/logs?sslmode=require")).toBe(
      "postgres://oddity@127.0.0.1:5432/logs?sslmode=require",
    );
  });

  it("masks a password holding unescaped @, / and : whole", () => {
    expect(maskUrl("mysql://u:p@ss/w:rd@db.example:3306/logs")).toBe("mysql://u:***@db.example:3306/logs");
  });

  it("masks password-like query parameters", () => {
    expect(maskUrl("postgres://h/logs?user=u&password=topsecret&sslmode=require")).toBe(
      "postgres://h/logs?user=u&password=***&sslmode=require",
    );
  });

  it("never lets the password through, whatever it is made of", () => {
    const secret = fc.string({ minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(secret, (password) => {
        const masked = maskUrl(`mysql://oddity:${encodeURIComponent(password)}@10.1.2.3:3306/logs`);
        expect(masked).toBe("mysql://oddity:***@10.1.2.3:3306/logs");
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("parseDatabaseUrl", () => {
  it("takes a MySQL URL apart and decodes the percent-encoded password", () => {
    const target = parseDatabaseUrl("mariadb://oddity:s3cr%3At%40x@127.0.0.1:3307/logs");
    expect({ ...target, params: [...target.params] }).toEqual({
      dialect: "mysql",
      user: "oddity",
      password: "s3cr:t@x",
      host: "127.0.0.1",
      port: 3307,
      database: "logs",
      params: [],
      display: "mariadb://oddity:***@127.0.0.1:3307/logs",
    });
  });

  it("fills in the default PostgreSQL port and keeps connection parameters", () => {
    const target = parseDatabaseUrl("postgresql://reader@db.internal/weblogs?sslmode=require");
    expect([
      target.dialect,
      target.port,
      target.database,
      target.params.get("sslmode"),
      target.display,
    ]).toEqual(["postgres", 5432, "weblogs", "require", "postgresql://reader@db.internal/weblogs"]);
  });

  it("reads a Unix socket folder from ?host= when the URL has no host", () => {
    const target = parseDatabaseUrl("postgres:///logs?host=/run/postgresql");
    expect([target.host, target.user, target.database]).toEqual(["/run/postgresql", null, "logs"]);
  });

  it("rejects an unparseable URL with an InputError that does not repeat the password", () => {
    const attempt = (): unknown => parseDatabaseUrl("mysql://u:topsecret@host:99999/logs");
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow("mysql://u:***@host:99999/logs: not a valid database URL");
  });
});

import { describe, expect, it } from "vitest";
import { clientOptions, describeTarget, maskClickHouseUrl, parseClickHouseUrl } from "./url.js";

const SECRET = "p@ss:w/rd#1";
const URL_WITH_SECRET = `clickhouse://oddity:${encodeURIComponent(SECRET)}@127.0.0.1:18123/logs`;

describe("clickhouse:// URLs", () => {
  it("takes user, decoded password, host, port and database from the URL", () => {
    const target = parseClickHouseUrl({ url: URL_WITH_SECRET, env: {} });
    expect(clientOptions(target)).toEqual({
      url: "http://127.0.0.1:18123",
      username: "oddity",
      password: SECRET,
      database: "logs",
    });
    expect(target.origin).toBe("the URL");
  });

  it("never shows the password, even one holding @, : and / unescaped", () => {
    const raw = `clickhouse://oddity:${SECRET}@127.0.0.1:18123/logs`;
    expect(maskClickHouseUrl(raw)).toBe("clickhouse://oddity:***@127.0.0.1:18123/logs");
    const target = parseClickHouseUrl({ url: URL_WITH_SECRET, env: {} });
    expect(describeTarget(target)).not.toContain("p@ss");
    expect(JSON.stringify({ ...target, password: undefined })).not.toContain("p%40ss");
  });

  it("reads the password from ODDITY_DB_PASSWORD before CLICKHOUSE_PASSWORD when the URL has none", () => {
    const env = { ODDITY_DB_PASSWORD: "first", CLICKHOUSE_PASSWORD: "second" };
    const target = parseClickHouseUrl({ url: "clickhouse://oddity@db.example/logs", env });
    expect([target.password, target.origin, target.endpoint]).toEqual([
      "first",
      "ODDITY_DB_PASSWORD",
      "http://db.example:8123",
    ]);
    expect(parseClickHouseUrl({ url: "clickhouse://h", env: { CLICKHOUSE_PASSWORD: "x" } }).origin).toBe(
      "CLICKHOUSE_PASSWORD",
    );
  });

  it("defaults to user default, database default and no password", () => {
    const target = parseClickHouseUrl({ url: "clickhouse://127.0.0.1:9", env: {} });
    expect([target.user, target.database, target.password, target.origin]).toEqual([
      "default",
      "default",
      "",
      "no password",
    ]);
  });

  it("names the masked URL, never the password, when the URL is wrong", () => {
    const wrongPath = `clickhouse://u:${encodeURIComponent(SECRET)}@h:1/a/b`;
    expect(() => parseClickHouseUrl({ url: wrongPath, env: {} })).toThrow(
      /^clickhouse:\/\/u:\*\*\*@h:1\/a\/b: expected one database name/,
    );
    const unparsable = `clickhouse://u:${SECRET}@h:1/a`;
    expect(() => parseClickHouseUrl({ url: unparsable, env: {} })).toThrow(
      /^clickhouse:\/\/u:\*\*\*@h:1\/a: /,
    );
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClickHouseLogLevel } from "@clickhouse/client";
import { describe, expect, it } from "vitest";
import {
  clientOptions,
  connectionError,
  describeTarget,
  maskClickHouseUrl,
  parseClickHouseUrl,
} from "./url.js";

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
      compression: { response: true },
      request_timeout: 3_600_000,
      log: { level: ClickHouseLogLevel.OFF },
    });
    expect(target.origin).toBe("the URL");
  });

  it("asks for compressed responses unless the URL says ?compression=0, and knows whether it said", () => {
    const off = parseClickHouseUrl({ url: `${URL_WITH_SECRET}?compression=0`, env: {} });
    expect(clientOptions(off).compression).toEqual({ response: false });
    const on = parseClickHouseUrl({ url: `${URL_WITH_SECRET}?compression=1`, env: {} });
    expect([on.compress, clientOptions(on).compression]).toEqual([true, { response: true }]);
    const unsaid = parseClickHouseUrl({ url: URL_WITH_SECRET, env: {} });
    expect([unsaid.compress, clientOptions(unsaid).compression]).toEqual([undefined, { response: true }]);
    expect(off.display).toBe("clickhouse://oddity:***@127.0.0.1:18123/logs");
    expect(() => parseClickHouseUrl({ url: `${URL_WITH_SECRET}?compression=no`, env: {} })).toThrow(
      /\?compression= takes 0 or 1, received "no"/,
    );
  });

  it("tells a user that may change no setting to stop asking for compression", () => {
    const target = parseClickHouseUrl({
      url: "clickhouse://reader@127.0.0.1:18123/logs?compression=1",
      env: {},
    });
    // The error 18.16 answers a readonly=1 user with.
    const refused = new Error(
      "Code: 164, e.displayText() = DB::Exception: Cannot override setting (enable_http_compression) in readonly mode",
    );
    expect(connectionError(target, refused).message).toMatch(
      /in readonly mode \(user reader may not change settings: drop \?compression=1 from the URL, or give it readonly=2\)$/,
    );
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

function homeWith(xml: string): string {
  const home = mkdtempSync(path.join(tmpdir(), "oddity-ch-home-"));
  mkdirSync(path.join(home, ".clickhouse-client"));
  writeFileSync(path.join(home, ".clickhouse-client", "config.xml"), xml, { mode: 0o600 });
  return home;
}

describe("the password in ~/.clickhouse-client/config.xml", () => {
  const XML = `<config>
  <!-- <password>commented out</password> -->
  <user>reader</user>
  <password>a&amp;b&lt;c&#x27;d\\e</password>
</config>
`;

  it("is read, entities decoded, with its user when the URL names neither", () => {
    const target = parseClickHouseUrl({ url: "clickhouse://127.0.0.1:9/logs", env: { HOME: homeWith(XML) } });
    expect([target.user, target.password, target.origin]).toEqual([
      "reader",
      "a&b<c'd\\e",
      "~/.clickhouse-client/config.xml",
    ]);
    expect(describeTarget(target)).not.toContain("a&b");
  });

  it("reads a CDATA password as written", () => {
    const home = homeWith("<config><password><![CDATA[x&amp;<y>]]></password></config>");
    expect(parseClickHouseUrl({ url: "clickhouse://h/db", env: { HOME: home } }).password).toBe("x&amp;<y>");
  });

  it("comes after the URL and the environment variables", () => {
    const home = homeWith(XML);
    const env = { HOME: home, CLICKHOUSE_PASSWORD: "from-env" };
    const fromEnv = parseClickHouseUrl({ url: "clickhouse://oddity@h/db", env });
    expect([fromEnv.user, fromEnv.password, fromEnv.origin]).toEqual([
      "oddity",
      "from-env",
      "CLICKHOUSE_PASSWORD",
    ]);
    const fromUrl = parseClickHouseUrl({ url: "clickhouse://oddity:u@h/db", env });
    expect([fromUrl.password, fromUrl.origin]).toEqual(["u", "the URL"]);
  });

  it("leaves no password when the home has no such file", () => {
    const home = mkdtempSync(path.join(tmpdir(), "oddity-ch-home-"));
    const target = parseClickHouseUrl({ url: "clickhouse://h/db", env: { HOME: home } });
    expect([target.user, target.password, target.origin]).toEqual(["default", "", "no password"]);
  });
});

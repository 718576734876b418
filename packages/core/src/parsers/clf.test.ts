import { readFileSync } from "node:fs";
import { fixture } from "@oddity/fixtures";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecord } from "../record.js";
import { createClfParser, parseClfLine } from "./clf.js";
import { BAD_TIME, CLIENT_LIST, SPACED_USER } from "./clf-family.js";

function lineOf(file: string, lineNumber: number): string {
  return readFileSync(fixture(file), "utf8").split("\n")[lineNumber - 1]!;
}

const combined = createClfParser("combined");

describe("combined", () => {
  it("reads line 1 of the codeup log into every field", () => {
    const line = lineOf("codeup-api-access/access.log", 1);
    expect(combined.parse(line, "access.log", 1)).toEqual(
      createRecord({
        source: "access.log",
        line: 1,
        raw: line,
        ip: "97.105.19.58",
        ident: "-",
        user: "-",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "16/Apr/2019:19:34:42 +0000",
        method: "GET",
        path: "/api/v1/sales?page=81",
        http_version: "HTTP/1.1",
        status: 200,
        size: 512495,
        referer: null,
        user_agent: "python-requests/2.21.0",
      }),
    );
  });

  it("keeps the empty request of hackathon line 3777 as a record without method, path or protocol", () => {
    const line = lineOf("wap-hackathon-nginx/access.log", 3777);
    expect(combined.parse(line, "access.log", 3777)).toEqual(
      createRecord({
        source: "access.log",
        line: 3777,
        raw: line,
        ip: "35.215.119.79",
        ident: "-",
        user: "-",
        time: Date.UTC(2025, 3, 19, 11, 1, 50),
        time_text: "19/Apr/2025:12:01:50 +0100",
        status: 400,
        size: 0,
      }),
    );
  });

  it("rejects the cut-off user agent of elastic-apache line 8899, saying where it opened", () => {
    const line = lineOf("elastic-apache/apache_logs", 8899);
    expect(combined.parse(line, "apache_logs", 8899)).toBe(
      "expected a closing quote to end the user agent opened at column 111",
    );
  });

  it("keeps http_version null for a request without a protocol", () => {
    const record = combined.parse('1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /x" 200 5 "-" "ua"', "t", 1);
    expect(record).toMatchObject({ method: "GET", path: "/x", http_version: null });
  });

  it("splits the request on its first and last space, so the target keeps inner spaces", () => {
    const record = combined.parse(
      '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /a b HTTP/1.0" 200 5 "-" "ua"',
      "t",
      1,
    );
    expect(record).toMatchObject({ method: "GET", path: "/a b", http_version: "HTTP/1.0" });
  });

  it("reads the lesson's malformed request as one target without a protocol", () => {
    const record = combined.parse(
      '97.105.19.58 - - [19/Apr/2019:19:42:41 +0000] "GET /api/v1/sales?page=79/HTTP/1.1" 200 2056327 "-" "python-requests/2.21.0"',
      "t",
      1,
    );
    expect(record).toMatchObject({
      method: "GET",
      path: "/api/v1/sales?page=79/HTTP/1.1",
      http_version: null,
    });
  });

  it('reads quotes escaped as \\" inside the user agent and the request', () => {
    const record = combined.parse(
      String.raw`1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /q=\"x\" HTTP/1.1" 200 5 "-" "Mozilla \"quoted\" \\ agent"`,
      "t",
      1,
    );
    expect(record).toMatchObject({ path: '/q="x"', user_agent: 'Mozilla "quoted" \\ agent' });
  });

  it("reads a size logged as - as null, and a referer and user agent logged as - as absent", () => {
    const record = combined.parse(
      '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "HEAD / HTTP/1.1" 304 - "-" "-"',
      "t",
      1,
    );
    expect(record).toMatchObject({ status: 304, size: null, referer: null, user_agent: null });
  });

  it("rejects a user name with spaces, which reads just like a line shifted by a virtual host", () => {
    const record = combined.parse(
      '1.2.3.4 - jo ann [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"',
      "t",
      1,
    );
    expect(record).toBe(SPACED_USER);
  });

  it("rejects a timestamp that does not parse rather than keeping the line without a time", () => {
    expect(combined.parse('1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 5 "-" "ua"', "t", 1)).toBe(BAD_TIME);
  });

  it.each([
    ["[2023-08-29 22:02:58]"],
    ["[1234]"],
    ["[16/Apx/2019:19:34:42 +0000]"],
    ["[31/Feb/2019:19:34:42 +0000]"],
  ])("rejects the timestamp %s", (stamp) => {
    const line = `1.2.3.4 - - ${stamp} "GET / HTTP/1.1" 200 5 "-" "ua"`;
    expect(combined.parse(line, "t", 1)).toBe(BAD_TIME);
  });

  it("rejects a comma-separated list of addresses where the client address goes", () => {
    const line =
      '10.0.0.2, 10.0.0.1, 127.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"';
    expect(combined.parse(line, "t", 1)).toBe(CLIENT_LIST);
  });

  it("keeps fields after the user agent as extra fields, named by their position", () => {
    const line = '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.002';
    const record = combined.parse(line, "t", 1);
    expect(record).toMatchObject({ status: 200, user_agent: "ua" });
    expect(typeof record === "string" ? null : { ...record.extra }).toEqual({ request_time: "0.002" });
  });

  it("rejects a referer that is not followed by a quoted user agent", () => {
    const line = '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 5 "-" ua';
    expect(combined.parse(line, "t", 1)).toBe(
      `expected a quoted user agent after the referer at column ${line.indexOf(" ua") + 1}`,
    );
  });

  it("rejects a status that is not a number, pointing at the quote that opened the request", () => {
    const line = '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" OK 5 "-" "ua"';
    expect(combined.parse(line, "t", 1)).toBe(
      `expected a closing quote, a space and the status after the request opened at column ${line.indexOf('"') + 1}`,
    );
  });

  it("rejects a line with no timestamp", () => {
    expect(combined.parse("hello - world", "t", 1)).toBe(
      "expected the user (usually -), a space and a [timestamp] at column 9",
    );
  });
});

describe("common and vcombined", () => {
  it("reads a common line, without referer or user agent", () => {
    const line = '1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
    expect(createClfParser("common").parse(line, "t", 1)).toEqual(
      createRecord({
        source: "t",
        line: 1,
        raw: line,
        ip: "1.2.3.4",
        ident: "-",
        user: "frank",
        time: Date.UTC(2000, 9, 10, 20, 55, 36),
        time_text: "10/Oct/2000:13:55:36 -0700",
        method: "GET",
        path: "/apache_pb.gif",
        http_version: "HTTP/1.0",
        status: 200,
        size: 2326,
      }),
    );
  });

  it("reads a combined line named common whole, rather than rejecting what follows the common part", () => {
    const line = lineOf("codeup-api-access/access.log", 1);
    expect(createClfParser("common").parse(line, "t", 1)).toEqual(combined.parse(line, "t", 1));
  });

  it("puts the virtual host and port of a vcombined line into extra.vhost and extra.port", () => {
    const record = createClfParser("vcombined").parse(
      'example.com:443 1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"',
      "t",
      1,
    );
    expect(record).toMatchObject({ ip: "1.2.3.4", path: "/" });
    expect(typeof record === "string" ? null : { ...record.extra }).toEqual({
      vhost: "example.com",
      port: "443",
    });
    expect(typeof record === "string" ? null : Object.getPrototypeOf(record.extra)).toBeNull();
  });

  it("reports nginx's default format as nginx and reads it as combined", () => {
    const line = lineOf("wap-hackathon-nginx/access.log", 1);
    const nginx = createClfParser("combined", "nginx");
    expect(nginx.description).toBe("nginx");
    expect(nginx.parse(line, "t", 1)).toEqual(combined.parse(line, "t", 1));
  });
});

describe("round trip", () => {
  const token = fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/);
  const quoted = fc.stringMatching(/^[A-Za-z0-9 ./;:()=?&,-]{1,30}$/).filter((s) => s !== "-");

  it("reads back every field of any combined line built from generated values", () => {
    fc.assert(
      fc.property(
        fc.record({
          ip: token,
          user: token,
          time: fc
            .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) })
            .map((ms) => Math.floor(ms / 1000) * 1000),
          method: fc.stringMatching(/^[A-Z]{3,7}$/),
          path: fc.stringMatching(/^\/[A-Za-z0-9/?=&.%-]{0,30}$/),
          status: fc.integer({ min: 100, max: 599 }),
          size: fc.option(fc.nat({ max: 10_000_000 }), { nil: null }),
          referer: fc.option(quoted, { nil: null }),
          user_agent: fc.option(quoted, { nil: null }),
        }),
        (fields) => {
          const date = new Date(fields.time);
          const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
          const two = (n: number): string => String(n).padStart(2, "0");
          const timeText = `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
          const line = `${fields.ip} - ${fields.user} [${timeText}] "${fields.method} ${fields.path} HTTP/1.1" ${fields.status} ${fields.size ?? "-"} "${fields.referer ?? "-"}" "${fields.user_agent ?? "-"}"`;
          expect(parseClfLine(line, "gen", 7, "combined")).toEqual(
            createRecord({
              source: "gen",
              line: 7,
              raw: line,
              ident: "-",
              time_text: timeText,
              http_version: "HTTP/1.1",
              ...fields,
            }),
          );
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

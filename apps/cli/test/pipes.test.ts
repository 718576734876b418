import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES, fixture, ndjson, oddity } from "./helpers.js";

// Every run here has stdout and stdin as pipes (see `oddity` in helpers.ts), as in `oddity … | grep`.
const LOG = fixture("incidents", "access.log.gz");
const SAMPLE = path.join(EXAMPLES, "sample", "access.log");

describe("output in a pipe", () => {
  it("keeps every explanation and raw line whole, never wrapped or cut, however narrow COLUMNS is", async () => {
    const { stdout } = await oddity(["detect", LOG, "-q"], { env: { COLUMNS: "40" } });
    const lines = stdout.split("\n");
    expect([
      lines.some((l) => l.endsWith('user_agent "scanner-b/1.0" seen 2 times in 2,006 requests (p=0.001)')),
      lines.includes(
        '    198.51.100.8 - - [07/Dec/2026:10:17:33 +0100] "GET /index.html HTTP/1.1" 200 5120 "-" "scanner-b/1.0"',
      ),
      stdout.includes("…"),
    ]).toEqual([true, true, false]);
  });

  it("shows whole values in show's table", async () => {
    const { stdout } = await oddity(["show", LOG, "-q", "--where", "ip=198.51.100.8"], {
      env: { COLUMNS: "40" },
    });
    expect([stdout.includes("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"), stdout.includes("…")]).toEqual([
      true,
      false,
    ]);
  });

  it("prints warnings without -q and none with it", async () => {
    const loud = await oddity(["detect", SAMPLE]);
    const quiet = await oddity(["detect", SAMPLE, "-q"]);
    expect([loud.stderr.includes("warning:"), quiet.stderr]).toEqual([true, ""]);
  });

  it("adds the parsed fields beside raw in NDJSON", async () => {
    const { stdout } = await oddity(["detect", LOG, "-q", "--format", "ndjson"]);
    const first = ndjson(stdout).find((r) => (r as { line: number }).line === 301) as Record<string, unknown>;
    expect({
      ip: first.ip,
      method: first.method,
      path: first.path,
      status: first.status,
      size: first.size,
      user_agent: first.user_agent,
      time: first.time,
      time_text: first.time_text,
    }).toEqual({
      ip: "198.51.100.7",
      method: "GET",
      path: "/index.html",
      status: 200,
      size: 5120,
      user_agent: "scanner-a/1.0",
      time: "2026-12-07T09:05:01.000Z",
      time_text: "07/Dec/2026:10:05:01 +0100",
    });
  });

  it("writes a lone - in CSV as -, not as '-", async () => {
    const { stdout } = await oddity(["show", LOG, "-q", "--where", "ip=198.51.100.7", "--format", "csv"]);
    const [header, row] = stdout.split("\r\n").map((line) => line.split(","));
    expect([row![header!.indexOf("ident")], row![header!.indexOf("user")]]).toEqual(["-", "-"]);
  });

  it("reads stdin when no input is named and stdin is not a terminal", async () => {
    const { readFileSync } = await import("node:fs");
    const { gunzipSync } = await import("node:zlib");
    const text = gunzipSync(readFileSync(LOG)).toString("utf8");
    const piped = await oddity(["detect", "-q", "--format", "ndjson"], { input: text });
    const named = await oddity(["detect", LOG, "-q", "--format", "ndjson"]);
    const lines = (out: string) =>
      (ndjson(out) as Array<{ line: number; incident: string }>).map((r) => [r.line, r.incident]);
    expect([piped.code, lines(piped.stdout)]).toEqual([0, lines(named.stdout)]);
  });

  it("suggests the nearest option for a mistyped one", async () => {
    const { code, stderr } = await oddity(["detect", LOG, "--formt", "json"]);
    expect([code, stderr.split("\n")[0]]).toEqual([
      2,
      "oddity: Unknown argument: formt (did you mean --format?)",
    ]);
  });

  it("says which record reached --fail-on", async () => {
    const { code, stderr } = await oddity(["detect", LOG, "-q", "--fail-on", "9"]);
    expect([code, stderr.trim()]).toEqual([
      1,
      `oddity: --fail-on 9: the highest anomaly, ${LOG}:301, scored 10.0 bits: user_agent "scanner-a/1.0" seen 2 times in 2,006 requests (p=0.001)`,
    ]);
  });

  it("profiles time as ISO 8601 in the log's own offset", async () => {
    const { stdout } = await oddity(["profile", LOG, "-q", "-F", "time", "--format", "csv", "--top", "2"]);
    expect(
      stdout
        .split("\r\n")
        .slice(1, 3)
        .map((row) => row.split(",")[2]),
    ).toEqual(["2026-12-07T10:00:01+01:00", "2026-12-07T10:00:02+01:00"]);
  });
});

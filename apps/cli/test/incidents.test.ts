import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, ndjson, oddity, tempDir } from "./helpers.js";

const LOG = fixture("incidents", "access.log.gz");

// Each table row ends with "client IP · N record(s) · time": who and how many, in row order.
function rowsOf(table: string): Array<[string, number]> {
  return [...table.matchAll(/^ {4}client (\S+) · (\d+) records? /gm)].map((m) => [m[1]!, Number(m[2])]);
}

describe("oddity detect: incidents", () => {
  it("shows one row per client and evidence, ties ordered by evidence rather than line", async () => {
    const { code, stdout } = await oddity(["detect", LOG, "-q"]);
    expect(code).toBe(0);
    // All five score alike: two findings before one, then the single-record incidents before the
    // two-record one, although 198.51.100.7 comes first in the file.
    expect(rowsOf(stdout)).toEqual([
      ["198.51.100.8", 1],
      ["198.51.100.9", 1],
      ["198.51.100.7", 2],
      ["198.51.100.8", 1],
      ["198.51.100.9", 1],
    ]);
  });

  it("shows the first and last time of an incident as the log wrote them", async () => {
    const { stdout } = await oddity(["detect", LOG, "-q"]);
    expect(stdout).toContain(
      "client 198.51.100.7 · 2 records · 07/Dec/2026:10:05:01 +0100 → 07/Dec/2026:10:05:02 +0100",
    );
  });

  it("shows one row per record with --group none and one per client with --group client", async () => {
    const none = await oddity(["detect", LOG, "-q", "--group", "none"]);
    const client = await oddity(["detect", LOG, "-q", "--group", "client"]);
    // Per client every incident holds two records: evidence ties, so file order decides.
    expect([rowsOf(none.stdout).length, rowsOf(client.stdout)]).toEqual([
      6,
      [
        ["198.51.100.7", 2],
        ["198.51.100.8", 2],
        ["198.51.100.9", 2],
      ],
    ]);
  });

  it("counts rows, not records, against --top", async () => {
    const { stdout, stderr } = await oddity(["detect", LOG, "--top", "2"]);
    expect([rowsOf(stdout).length, stderr.trimEnd().split("\n").pop()]).toEqual([
      2,
      expect.stringContaining("6 flagged (2 incidents shown)"),
    ]);
  });

  it("prints one NDJSON record per line carrying its incident id, shared by one incident's records", async () => {
    const { stdout } = await oddity(["detect", LOG, "-q", "--format", "ndjson"]);
    const records = ndjson(stdout) as Array<{ ip: string; incident: string; user_agent: string }>;
    const ids = (ip: string, ua: string) =>
      records.filter((r) => r.ip === ip && r.user_agent === ua).map((r) => r.incident);
    const scannerA = ids("198.51.100.7", "scanner-a/1.0");
    const scannerB = [...ids("198.51.100.8", "scanner-b/1.0"), ...ids("198.51.100.9", "scanner-b/1.0")];
    expect([records.length, scannerA.length, new Set(scannerA).size, new Set(scannerB).size]).toEqual([
      6, 2, 1, 2,
    ]);
    expect(scannerB).not.toContain(scannerA[0]);
  });

  it("gives a CSV row the same incident id as its NDJSON record", async () => {
    const json = ndjson((await oddity(["detect", LOG, "-q", "--format", "ndjson"])).stdout) as Array<{
      line: number;
      incident: string;
    }>;
    const csv = (await oddity(["detect", LOG, "-q", "--format", "csv"])).stdout.trimEnd().split("\r\n");
    const header = csv[0]!.split(",");
    const byLine = new Map(
      csv.slice(1).map((row) => {
        const cells = row.split(",");
        return [Number(cells[header.indexOf("line")]), cells[header.indexOf("incident")]];
      }),
    );
    expect(json.map((r) => byLine.get(r.line))).toEqual(json.map((r) => r.incident));
  });
});

describe("oddity detect --report", () => {
  it("lists every flagged record with its incident and its time as the log wrote it", async () => {
    const dir = tempDir();
    const report = path.join(dir, "report.html");
    const { code } = await oddity(["detect", LOG, "-q", "--top", "1", "--report", report]);
    const html = readFileSync(report, "utf8");
    const rows = [...html.matchAll(/<tr id="a-\d+"[^>]* data-i="([0-9a-f]+)">/g)].map((m) => m[1]);
    const { stdout } = await oddity(["detect", LOG, "-q", "--format", "ndjson"]);
    const incidents = (ndjson(stdout) as Array<{ incident: string }>).map((r) => r.incident);
    expect([code, rows.length, [...new Set(rows)].sort()]).toEqual([0, 6, [...new Set(incidents)].sort()]);
    expect(html).toContain('<td class="time" title="2026-12-07T09:05:01Z">07/Dec/2026:10:05:01 +0100</td>');
  });
});

describe("oddity score: incidents", () => {
  it("groups a saved model's anomalies into the same incidents as detect", async () => {
    const dir = tempDir();
    expect((await oddity(["fit", LOG, "--output", "model.json", "-q"], { cwd: dir })).code).toBe(0);
    const scored = await oddity(["score", LOG, "--model", "model.json", "-q"], { cwd: dir });
    const detected = await oddity(["detect", LOG, "-q"]);
    expect([scored.code, rowsOf(scored.stdout)]).toEqual([0, rowsOf(detected.stdout)]);
  });

  it("names the first streamed record that reached --fail-on", async () => {
    const dir = tempDir();
    await oddity(["fit", LOG, "--output", "model.json", "-q"], { cwd: dir });
    const { code, stderr } = await oddity(
      ["score", LOG, "--model", "model.json", "--format", "ndjson", "--fail-on", "9", "-q"],
      { cwd: dir },
    );
    expect([code, stderr.trim()]).toEqual([
      1,
      `oddity: --fail-on 9: the first anomaly, ${LOG}:301, scored 10.0 bits: user_agent "scanner-a/1.0" seen 2 times in 2,006 requests (p=0.001)`,
    ]);
  });
});

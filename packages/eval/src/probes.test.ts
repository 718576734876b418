import { fileURLToPath } from "node:url";
import { readInputs, type LogRecord } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { evaluateTopProbes, formatTopProbes, labelProbes, probeKind } from "./probes.js";
import { pathPipeline } from "./test-detector.js";

const EXCERPT = fileURLToPath(new URL("../test/fixtures/wordpress-probes/access.log", import.meta.url));

async function excerpt(): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: [EXCERPT], format: { name: "combined" } }))
    records.push(...batch.records);
  return records;
}

describe("probeKind", () => {
  it.each([
    ["/.env", "env"],
    ["/api/.env.production", "env"],
    ["/.git/config", "git"],
    ["/~/.gitconfig", "git"],
    ["/%2Egit/HEAD", "git"],
    ["/wp-config.php.bak", "wp-config"],
    ["/WP-CONFIG.PHP_old2019", "wp-config"],
    ["/shell.php", "shell"],
    ["/%73hell.php?cmd=id", "shell"],
    ["//xmlrpc.php?rsd", "xmlrpc"],
    ["/wp-login.php?action=register", "wp-login"],
  ])("names %s a %s probe", (path, kind) => {
    expect(probeKind(path)).toBe(kind);
  });

  it.each([
    "/",
    "/blog/environment-notes/",
    "/blog/shell.php.html",
    "/search?q=.env",
    "/wp-content/uploads/git.png",
    "/%E0%A4%A.env-guide",
  ])("does not name %s a probe", (path) => {
    expect(probeKind(path)).toBeNull();
  });
});

describe("labelProbes", () => {
  it("labels the excerpt's 13 probe lines, not the owner's login", async () => {
    const records = await excerpt();
    const kinds = labelProbes(records);
    const probeLines = records.filter((_, i) => kinds[i] !== null).map((r) => r.line);
    expect(probeLines).toEqual([8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(kinds[3]).toBeNull(); // line 4: the owner's GET /wp-login.php
  });

  it("counts wp-login.php as a probe once the same client has no logged-in page", () => {
    const records = makeRecords([
      { ip: "192.0.2.1", path: "/wp-login.php", status: 200 },
      { ip: "192.0.2.1", path: "/wp-admin/admin-ajax.php", status: 200 },
      { ip: "192.0.2.2", path: "/wp-login.php", status: 200 },
      { ip: "192.0.2.2", path: "/wp-admin/options-general.php", status: 200 },
      { ip: "192.0.2.3", path: "/wp-login.php", status: 200 },
      { ip: "192.0.2.3", path: "/wp-admin/", status: 302 },
    ]);
    expect(labelProbes(records)).toEqual(["wp-login", null, null, null, "wp-login", null]);
  });
});

describe("evaluateTopProbes", () => {
  // flags five lines: 304 feed (12 bits), 206 image (11), /.env (10), /shell.php (10), /music/ (5)
  const pipeline = pathPipeline({
    "/feed/": 12,
    "/wp-content/uploads/2021/01/landscape11-360x360.jpg": 11,
    "/.env": 10,
    "/shell.php": 10,
    "/music/": 5,
  });

  it("ranks flagged lines by score, ties in log order", async () => {
    const evaluation = evaluateTopProbes({ pipeline, records: await excerpt(), top: 4 });
    expect(evaluation.flagged).toBe(5);
    expect(evaluation.top.map((row) => [row.rank, row.line, row.status, row.probe])).toEqual([
      [1, 23, 304, null],
      [2, 22, 206, null],
      [3, 13, 404, "env"],
      [4, 20, 404, "shell"],
    ]);
  });

  it("counts the probes and the 206 and 304 answers among the top rows", async () => {
    const evaluation = evaluateTopProbes({ pipeline, records: await excerpt(), top: 4 });
    expect(evaluation.probes).toBe(2);
    expect(evaluation.partialOrNotModified).toBe(2);
  });

  it("gives the rank of each kind's first flagged probe, null when none is flagged", async () => {
    const evaluation = evaluateTopProbes({ pipeline, records: await excerpt() });
    expect(evaluation.firstRank).toEqual({
      "wp-login": null,
      xmlrpc: null,
      env: 3,
      git: null,
      "wp-config": null,
      shell: 4,
    });
    expect(evaluation.probesInLog).toEqual({
      "wp-login": 2,
      xmlrpc: 2,
      env: 2,
      git: 2,
      "wp-config": 3,
      shell: 2,
    });
  });

  it("prints the counts and escapes the requests it lists", () => {
    const records = makeRecords([{ ip: "192.0.2.1", method: "GET", path: "/.env/\u001b[2J", status: 404 }]);
    const evaluation = evaluateTopProbes({ pipeline: pathPipeline({ "/.env/\u001b[2J": 4 }), records });
    const text = formatTopProbes({ name: "x.log", evaluation });
    expect(text).toContain("probes in the top 1: 1; answered 206 or 304: 0");
    expect(text).not.toContain("\u001b");
  });
});

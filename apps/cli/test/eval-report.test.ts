import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODEUP, LESSON_SYNTHETIC, dataFixture, oddity, tempDir } from "./helpers.js";

/** A hand-written WordPress log with scanner probes (its SOURCE.md lists them). */
const EXCERPT = path.resolve(
  import.meta.dirname,
  "../../../packages/eval/test/fixtures/wordpress-probes/access.log",
);

describe("oddity eval", () => {
  it("plants labelled anomalies in generated traffic and reports recall per kind as JSON", async () => {
    const { code, stdout } = await oddity(["eval", "--lines", "4000", "--seed", "3", "-f", "json", "-q"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      input: { kind: string; records: number; seed: number };
      scenarios: Array<{ scenario: string; result: { overall: { recall: number; precision: number } } }>;
    };
    expect(report.input).toMatchObject({ kind: "generated", records: 4000, seed: 3 });
    expect(report.scenarios.map((s) => s.scenario)).toEqual(["hold-out", "same-log", "protected"]);
    for (const { result } of report.scenarios) {
      expect(result.overall.recall).toBeGreaterThan(0);
      expect(result.overall.precision).toBeGreaterThan(0);
    }
  });

  it("evaluates on the user's own log when one is given", async () => {
    const { code, stdout } = await oddity([
      "eval",
      CODEUP,
      "--kind",
      "rare-user-agent",
      "--kind",
      "scanner-path",
      "-q",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`oddity eval: ${CODEUP}`);
    expect(stdout).toMatch(/rare-user-agent/);
    expect(stdout).not.toMatch(/size-outlier/);
  });

  it("scores the labelled CSIC 2010 requests and reports ROC AUC", async () => {
    const { code, stdout } = await oddity([
      "eval",
      "--csic",
      path.dirname(dataFixture("csic2010/anomalousTrafficTest.txt.gz")),
      "--limit",
      "300",
      "-f",
      "json",
      "-q",
    ]);
    expect(code).toBe(0);
    const { csic, result } = JSON.parse(stdout) as {
      csic: { training: number; normalTest: number; anomalousTest: number };
      result: { overall: { rocAuc: number } };
    };
    expect(csic).toEqual({ training: 300, normalTest: 300, anomalousTest: 300 });
    expect(result.overall.rocAuc).toBeGreaterThan(0.5);
  });

  it("flags on the bundled real-tool log exactly the records oddity detect flags", async () => {
    const evaluated = await oddity(["eval", "--scenario", "real", "-f", "json", "-q"]);
    expect(evaluated.code).toBe(0);
    const { log, lines, result, tools } = JSON.parse(evaluated.stdout) as {
      log: string[];
      lines: Record<string, number>;
      result: { records: number; overall: { flagged: number } };
      tools: Array<{ tool: string }>;
    };
    expect(Object.values(lines).reduce((a, b) => a + b, 0)).toBe(result.records);
    expect(tools.map((t) => t.tool).sort()).toEqual(["dirb", "sqlmap", "wapiti", "wfuzz"]);
    const detected = await oddity(["detect", log[0]!, "-f", "json", "-n", "1", "-q"]);
    const { summary } = JSON.parse(detected.stdout) as { summary: { read: number; flagged: number } };
    expect(summary.read).toBe(result.records);
    expect(result.overall.flagged).toBe(summary.flagged);
  });

  it("evaluates the user's own log against the user's labels by source address", async () => {
    const dir = tempDir();
    const log = path.join(dir, "access.log");
    const labels = path.join(dir, "labels.json");
    const line = (ip: string, p: string) =>
      `${ip} - - [07/Dec/2026:04:53:26 +0000] "GET ${p} HTTP/1.1" 200 910 "-" "test/1.0"\n`;
    writeFileSync(log, line("10.0.0.1", "/") + line("10.0.0.1", "/a") + line("10.0.0.9", "/.env"));
    writeFileSync(labels, JSON.stringify({ "10.0.0.1": "normal", "10.0.0.9": "dirb" }));
    const { code, stdout } = await oddity(["eval", "--scenario", "real", log, "--labels", labels, "-q"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${log}: 3 lines, 1 from attack tools (normal 2, dirb 1)`);
  });

  it("asks for the labels when a real-traffic log comes without them (exit 2)", async () => {
    const { code, stderr } = await oddity(["eval", "--scenario", "real", EXCERPT]);
    expect(code).toBe(2);
    expect(stderr).toContain("--scenario real with a log needs --labels FILE");
  });

  it("counts the probes and the 206 and 304 answers in the table's top", async () => {
    const { code, stdout } = await oddity(["eval", "--scenario", "probes", EXCERPT, "-f", "json", "-q"]);
    expect(code).toBe(0);
    const evaluation = JSON.parse(stdout) as {
      flagged: number;
      top: Array<{ probe: string | null; status: number }>;
      probes: number;
      partialOrNotModified: number;
      probesInLog: Record<string, number>;
    };
    expect(evaluation.probesInLog).toEqual({
      "wp-login": 2,
      xmlrpc: 2,
      env: 2,
      git: 2,
      "wp-config": 3,
      shell: 2,
    });
    expect(evaluation.top.length).toBe(Math.min(20, evaluation.flagged));
    expect(evaluation.probes).toBe(evaluation.top.filter((row) => row.probe !== null).length);
    expect(evaluation.partialOrNotModified).toBe(
      evaluation.top.filter((row) => row.status === 206 || row.status === 304).length,
    );
  });

  it("refuses an unknown anomaly kind with the list of known ones (exit 2)", async () => {
    const { code, stderr } = await oddity(["eval", "--lines", "100", "--kind", "teapot"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--kind "teapot": expected one of rare-user-agent');
  });
});

describe("oddity report", () => {
  it("writes the HTML report from saved detect results and a model", async () => {
    const dir = tempDir();
    const results = path.join(dir, "results.json");
    const model = path.join(dir, "model.json");
    const html = path.join(dir, "report.html");
    const logs = [CODEUP, LESSON_SYNTHETIC];
    expect((await oddity(["detect", ...logs, "-f", "json", "-o", results, "-q"])).code).toBe(0);
    expect((await oddity(["fit", ...logs, "-o", model, "-q"])).code).toBe(0);
    const { code } = await oddity(["report", "-r", results, "-m", model, "-o", html, "-q"]);
    expect(code).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain("Python-urllib/3.7");
    expect(page).toContain("Content-Security-Policy");
  });

  it("explains what it needs when given neither results nor a model (exit 2)", async () => {
    const { code, stderr } = await oddity(["report", "-o", path.join(tempDir(), "x.html")]);
    expect(code).toBe(2);
    expect(stderr).toContain("report needs --results FILE");
  });

  it("names the file when the results are not detect JSON (exit 2)", async () => {
    const dir = tempDir();
    const bad = path.join(dir, "results.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(bad, "not json"));
    const { code, stderr } = await oddity(["report", "-r", bad, "-o", path.join(dir, "x.html")]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}: expected the JSON that \`oddity detect --format json\` writes`);
  });
});

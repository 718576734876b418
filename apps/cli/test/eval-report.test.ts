import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODEUP, LESSON_SYNTHETIC, dataFixture, oddity, tempDir } from "./helpers.js";

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

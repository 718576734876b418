import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, oddity, tempDir } from "./helpers.js";

interface Anomaly {
  line: number;
  findings: Array<{ detector: string; kind: string; message: string }>;
}

describe("oddity detect with the bundled params detector", () => {
  it("flags exactly the four parameter attacks of the shop fixture, each with the parameter it judged", async () => {
    const { code, stdout } = await oddity(
      ["detect", "access.log", "--config", "oddity.config.yaml", "--format", "json", "--top", "0", "-q"],
      { cwd: fixture("params") },
    );
    const { anomalies } = JSON.parse(stdout) as { anomalies: Anomaly[] };
    expect(code).toBe(0);
    expect(
      anomalies
        .map((a) => [
          a.line,
          a.findings.map((f) => `${f.detector} ${f.kind} ${f.message.split(/:| seen/)[0]}`),
        ])
        .sort((a, b) => (a[0] as number) - (b[0] as number)),
    ).toEqual([
      [101, ['params characters parameter "page" of "/api/v1/sales"']],
      [171, ['params characters parameter "page" of "/api/v1/sales"']],
      [241, ['params characters parameter "q" of "/search"']],
      [311, ['params unseen_parameter parameter "debug" of "/search"']],
    ]);
  });

  it("fits the same model bytes with three worker jobs as with one", async () => {
    const out = tempDir();
    const fit = (jobs: string, file: string) =>
      oddity(
        [
          "fit",
          "access.log",
          "--config",
          "oddity.config.yaml",
          "--output",
          path.join(out, file),
          "--jobs",
          jobs,
          "-q",
        ],
        // Workers even for this small log, which one job would otherwise read.
        { cwd: fixture("params"), env: { ODDITY_JOB_MIN_BYTES: "0" } },
      );
    const [one, three] = [await fit("1", "one.json"), await fit("3", "three.json")];
    expect([
      one.code,
      three.code,
      readFileSync(path.join(out, "three.json"), "utf8") === readFileSync(path.join(out, "one.json"), "utf8"),
    ]).toEqual([0, 0, true]);
  });
});

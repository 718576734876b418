import { describe, expect, it } from "vitest";
import { fixture, ndjson, oddity } from "./helpers.js";

interface Anomaly {
  raw: string;
  findings: Array<{ detector: string; kind: string; message: string }>;
}

describe("oddity detect with the bundled client detector", () => {
  it("flags the scanner's 60 error responses, and nothing of the shoppers or the typist", async () => {
    const run = await oddity([
      "detect",
      fixture("client-scan", "access.log"),
      "--config",
      fixture("client-scan", "oddity.config.yaml"),
      "-f",
      "ndjson",
      "-q",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const anomalies = ndjson(run.stdout) as Anomaly[];
    expect(anomalies.length).toBe(60);
    expect(new Set(anomalies.map((a) => a.raw.split(" ")[0]))).toEqual(new Set(["203.0.113.7"]));
    expect(anomalies.every((a) => a.raw.includes('" 404 '))).toBe(true);
    expect(anomalies[0]!.findings.map((f) => [f.detector, f.kind])).toEqual([["client", "client"]]);
    expect(anomalies[0]!.findings[0]!.message).toMatch(
      /^client "203\.0\.113\.7": 60 of its 61 requests answered 404 \(other clients 4%; p=[\d.]+e-\d+\); 60 paths it alone asked for answered an error/,
    );
  });

  it("lists the client detector with its options when a config names it", async () => {
    const run = await oddity(["detectors", "--config", fixture("client-scan", "oddity.config.yaml")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("client");
    expect(run.stdout).toContain("concentration");
  });
});

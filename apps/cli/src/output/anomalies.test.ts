import type { Finding, ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { anomalyCsv, anomalyNdjson, anomalyToJSON, incidentTable, locationNames } from "./anomalies.js";
import { groupIncidents, recordIncidentId } from "./incidents.js";
import { createPalette } from "./color.js";
import { displayWidth } from "./table.js";

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    detector: "rarity",
    kind: "rare",
    fields: ["user_agent"],
    values: ["Python-urllib/3.7"],
    probability: 1 / 13978,
    surprisal: Math.log2(13978),
    threshold: { name: "probability", direction: "below", value: 0.001 },
    counts: { count: 1, total: 13978 },
    message: 'user_agent "Python-urllib/3.7" seen 1 time in 13,978 requests (p=0.000072)',
    ...overrides,
  };
}

function scored(userAgent: string, findings = [finding()]): ScoredRecord {
  const record = makeRecord({ source: "logs/access.log", line: 6694, user_agent: userAgent });
  return { record, score: findings.reduce((s, f) => s + f.surprisal, 0), findings };
}

describe("anomalyToJSON", () => {
  it("carries the parsed fields beside raw, the incident id, score and every finding field", () => {
    const anomaly = scored("Python-urllib/3.7");
    const { record } = anomaly;
    expect(anomalyToJSON(anomaly)).toEqual({
      source: "logs/access.log",
      line: 6694,
      incident: recordIncidentId(anomaly),
      time: "2019-04-16T19:34:42.000Z",
      time_text: record.time_text,
      ip: record.ip,
      ident: record.ident,
      user: record.user,
      method: record.method,
      path: record.path,
      http_version: record.http_version,
      status: record.status,
      size: record.size,
      referer: record.referer,
      user_agent: "Python-urllib/3.7",
      raw: record.raw,
      score: Math.log2(13978),
      findings: [finding()],
    });
  });
});

describe("anomalyNdjson", () => {
  it("stays one valid JSON line with an ANSI escape, a newline and a lone surrogate in the log", () => {
    const line = anomalyNdjson(scored("evil\u001b[2J\n\uD800"));
    expect([
      line.endsWith("\n"),
      line.slice(0, -1).includes("\n"),
      line.includes("\\u001b[2J\\n\\ud800"),
    ]).toEqual([true, false, true]);
    expect((JSON.parse(line) as { raw: string }).raw).toContain("evil\u001b[2J\n\uD800");
  });
});

describe("anomalyCsv", () => {
  it("neutralises a formula in the raw line and joins the findings", () => {
    const anomaly = scored("x", [
      finding({ message: "=cmd|' /C calc'!A0" }),
      finding({ detector: "size", message: "big" }),
    ]);
    anomaly.record.raw = "=cmd|' /C calc'!A0";
    expect(anomalyCsv(anomaly)).toBe(
      `${Number(anomaly.score.toFixed(3))},logs/access.log,6694,${recordIncidentId(anomaly)},rarity size,'=cmd|' /C calc'!A0 | big,'=cmd|' /C calc'!A0\r\n`,
    );
  });
});

describe("incidentTable", () => {
  it("prints control characters from the log as visible escapes and fits the width", () => {
    const text = incidentTable({
      incidents: groupIncidents({
        ranked: [scored("x", [finding({ message: 'user_agent "\u001b[31mred" seen once' })])],
        group: "incident",
        limit: 20,
      }),
      width: 60,
      palette: createPalette(false),
    });
    expect([
      text.includes("\u001b"),
      text.includes("\\x1B[31mred"),
      Math.max(...text.trimEnd().split("\n").map(displayWidth)),
    ]).toEqual([false, true, 60]);
  });
});

describe("locationNames", () => {
  it("shortens sources to file names when those are unambiguous", () => {
    expect([...locationNames(["/a/x.log", "/b/y.log"])]).toEqual([
      ["/a/x.log", "x.log"],
      ["/b/y.log", "y.log"],
    ]);
  });

  it("keeps whole paths when two sources share a file name", () => {
    expect([...locationNames(["/a/access.log", "/b/access.log"]).values()]).toEqual([
      "/a/access.log",
      "/b/access.log",
    ]);
  });
});

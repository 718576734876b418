import { getFieldText, type LogRecord } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { generateRecords } from "./generate.js";
import { ANOMALY_KINDS, injectAnomalies, type AnomalyKind } from "./inject.js";

const traffic = generateRecords({ seed: 21, lines: 4_000 });
const baseline = generateRecords({ seed: 22, lines: 4_000 });
const injected = injectAnomalies({ records: traffic, baseline, seed: 5, rate: 0.02 });

const planted = (kind: AnomalyKind) =>
  [...injected.labels].filter(([, k]) => k === kind).map(([i]) => injected.records[i]!);

/** The template of a planted record: the nearest unlabelled record before it. */
function templateOf(index: number): LogRecord {
  let i = index - 1;
  while (injected.labels.has(i)) i--;
  return injected.records[i]!;
}

const FIELDS = [
  "ip",
  "time",
  "method",
  "path",
  "http_version",
  "status",
  "size",
  "referer",
  "user_agent",
] as const;
const DEFINING: Record<AnomalyKind, string> = {
  "rare-user-agent": "user_agent",
  "scanner-path": "path",
  "unusual-method": "method",
  "unusual-protocol": "http_version",
  "size-outlier": "size",
  "error-status": "status",
  "foreign-user-agent": "user_agent",
  "new-client-ip": "ip",
};

describe("injectAnomalies", () => {
  it("plants rate × records anomalies, in equal numbers per kind", () => {
    const counts = new Map<string, number>();
    for (const kind of injected.labels.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    expect(injected.records).toHaveLength(4_080);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 10])));
    expect(injected.skipped).toEqual([]);
  });

  it("changes only the field that defines each kind, copying the rest from a normal record", () => {
    for (const [index, kind] of injected.labels) {
      const record = injected.records[index]!;
      const template = templateOf(index);
      const changed = FIELDS.filter((f) => record[f] !== template[f]);
      expect({ index, kind, changed }).toEqual({ index, kind, changed: [DEFINING[kind]] });
    }
  });

  it("keeps the input records in order, renumbers lines and rewrites planted raw lines", () => {
    const normal = injected.records.filter((_, i) => !injected.labels.has(i));
    expect(normal.map((r) => r.raw)).toEqual(traffic.map((r) => r.raw));
    expect(injected.records.map((r) => r.line)).toEqual(injected.records.map((_, i) => i + 1));
    expect(new Set(injected.records.map((r) => r.source))).toEqual(new Set(["injected.log"]));
    const scanner = planted("scanner-path")[0]!;
    expect(scanner.raw).toContain(`"GET ${scanner.path} HTTP/1.1"`);
    expect(traffic[0]!.line).toBe(1);
  });

  it("gives new client IPs that neither the baseline nor the log contains, each used once", () => {
    const known = new Set([...traffic, ...baseline].map((r) => r.ip));
    const ips = planted("new-client-ip").map((r) => r.ip);
    expect(ips.filter((ip) => known.has(ip))).toEqual([]);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it("gives a client a user agent it never used although 1% of all requests use it", () => {
    const all = [...traffic, ...baseline];
    for (const record of planted("foreign-user-agent")) {
      const own = all.filter((r) => r.ip === record.ip).map((r) => r.user_agent);
      const share = all.filter((r) => r.user_agent === record.user_agent).length / all.length;
      expect(own).not.toContain(record.user_agent);
      expect(share).toBeGreaterThanOrEqual(0.01);
    }
  });

  it("makes size outliers at least twice the largest response the endpoint ever sent", () => {
    const all = [...traffic, ...baseline];
    for (const record of planted("size-outlier")) {
      const endpoint = getFieldText(record, "endpoint");
      const max = Math.max(
        ...all.filter((r) => getFieldText(r, "endpoint") === endpoint).map((r) => r.size ?? 0),
      );
      expect(record.size).toBeGreaterThanOrEqual(2 * max);
    }
  });

  it("sends error statuses to clients that otherwise get under 1% errors", () => {
    const all = [...traffic, ...baseline];
    for (const record of planted("error-status")) {
      const own = all.filter((r) => r.ip === record.ip);
      expect(record.status).toBeGreaterThanOrEqual(400);
      expect(own.filter((r) => r.status! >= 400).length / own.length).toBeLessThan(0.01);
    }
  });

  it("is deterministic for a seed", () => {
    const again = injectAnomalies({ records: traffic, baseline, seed: 5, rate: 0.02 });
    expect(again.records.map((r) => r.raw)).toEqual(injected.records.map((r) => r.raw));
    expect([...again.labels]).toEqual([...injected.labels]);
  });

  it("skips kinds the traffic cannot host and says why", () => {
    const records = makeRecords([{ times: 100, ip: "10.0.0.1", user_agent: "curl/8.0" }]);
    const result = injectAnomalies({
      records,
      seed: 1,
      rate: 0.1,
      kinds: ["foreign-user-agent", "new-client-ip"],
    });
    expect(result.skipped).toEqual([
      {
        kind: "foreign-user-agent",
        reason: "no client with 50 requests lacks a user agent that 1% of all requests use",
      },
    ]);
    expect([...result.labels.values()]).toEqual(Array(10).fill("new-client-ip"));
  });

  it("refuses a rate outside (0, 0.5] and unknown kinds", () => {
    expect(() => injectAnomalies({ records: traffic, seed: 1, rate: 0 })).toThrow(
      "the anomaly rate must be a number in (0, 0.5], received 0",
    );
    expect(() =>
      injectAnomalies({ records: traffic, seed: 1, rate: 0.1, kinds: ["odd" as AnomalyKind] }),
    ).toThrow('unknown anomaly kind "odd"');
  });
});

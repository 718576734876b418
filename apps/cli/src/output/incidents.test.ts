import { compareScored, type Finding, type LogRecord, type ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { groupIncidents, incidentId, incidentKey, recordIncidentId } from "./incidents.js";

function finding(value: string, surprisal: number, field = "user_agent"): Finding {
  return {
    detector: "rarity",
    kind: "rare",
    fields: [field],
    values: [value],
    probability: 2 ** -surprisal,
    surprisal,
    threshold: { name: "probability", direction: "below", value: 0.001 },
    counts: { count: 1, total: 1000 },
    message: `${field} "${value}" seen once`,
  };
}

function anomaly(record: Partial<LogRecord>, findings: Finding[]): ScoredRecord {
  return {
    record: makeRecord({ source: "a.log", ...record }),
    score: findings.reduce((sum, f) => sum + f.surprisal, 0),
    findings,
  };
}

const ranked = (items: ScoredRecord[]) => [...items].sort(compareScored);
const lines = (incidents: ReturnType<typeof groupIncidents>) => incidents.map((i) => i.example.record.line);

describe("groupIncidents", () => {
  it("makes one incident of one client's requests with the same evidence, with count and time span", () => {
    const items = [1, 2, 3].map((line) =>
      anomaly({ line, ip: "10.0.0.9", time: line * 1000, time_text: `t${line} +0100` }, [
        finding("HEAD", 10, "method"),
      ]),
    );
    const [incident, ...rest] = groupIncidents({ ranked: ranked(items), group: "incident", limit: 20 });
    expect({ rest: rest.length, ...incident, example: incident!.example.record.line }).toEqual({
      rest: 0,
      id: recordIncidentId(items[0]!),
      example: 1,
      count: 3,
      first: { time: 1000, text: "t1 +0100" },
      last: { time: 3000, text: "t3 +0100" },
      clients: 1,
      client: "10.0.0.9",
    });
  });

  it("makes one incident of one client's findings about the same subject, whatever their values (the smaller incident first at an equal score)", () => {
    const payload = (line: number, value: string, subject: string) =>
      anomaly({ line, ip: "10.0.0.7" }, [{ ...finding(value, 20, "path"), subject }]);
    const items = [
      payload(1, "/p?page=1 UNION SELECT 1", 'parameter "page" of "/p"'),
      payload(2, "/p?page=2' OR '1'='1", 'parameter "page" of "/p"'),
      payload(3, "/p?q=<script>", 'parameter "q" of "/p"'),
    ];
    expect(
      groupIncidents({ ranked: ranked(items), group: "incident", limit: 20 }).map((i) => [
        i.example.record.line,
        i.count,
      ]),
    ).toEqual([
      [3, 1],
      [1, 2],
    ]);
  });

  it("keeps different clients with the same evidence apart, and groups them under --group finding", () => {
    const items = ["10.0.0.1", "10.0.0.2"].map((ip, i) =>
      anomaly({ line: i + 1, ip }, [finding("curl/8", 12)]),
    );
    expect([
      groupIncidents({ ranked: ranked(items), group: "incident", limit: 20 }).length,
      groupIncidents({ ranked: ranked(items), group: "finding", limit: 20 }).map((i) => [i.count, i.clients]),
    ]).toEqual([2, [[2, 2]]]);
  });

  it("ranks more findings first at an equal score, whatever the line order", () => {
    const one = anomaly({ line: 1, ip: "10.0.0.1" }, [finding("a", 12)]);
    const two = anomaly({ line: 2, ip: "10.0.0.2" }, [finding("b", 6), finding("GET", 6, "method")]);
    expect(lines(groupIncidents({ ranked: ranked([one, two]), group: "incident", limit: 20 }))).toEqual([
      2, 1,
    ]);
  });

  it("ranks the incident with fewer records first at an equal score and as many findings", () => {
    const many = [1, 2, 3].map((line) => anomaly({ line, ip: "10.0.0.1" }, [finding("a", 12)]));
    const once = anomaly({ line: 4, ip: "10.0.0.2" }, [finding("b", 12)]);
    expect(lines(groupIncidents({ ranked: ranked([...many, once]), group: "incident", limit: 20 }))).toEqual([
      4, 1,
    ]);
  });

  it("still weighs ties past the limit: a rarer tied incident found late takes the last row", () => {
    const many = [1, 2].map((line) => anomaly({ line, ip: "10.0.0.1" }, [finding("a", 12)]));
    const once = anomaly({ line: 9, ip: "10.0.0.2" }, [finding("b", 12)]);
    const weaker = anomaly({ line: 3, ip: "10.0.0.3" }, [finding("c", 5)]);
    expect(
      lines(groupIncidents({ ranked: ranked([...many, once, weaker]), group: "incident", limit: 1 })),
    ).toEqual([9]);
  });

  it("holds at most limit plus maxTied incidents however many tie", () => {
    const items = Array.from({ length: 50 }, (_, i) =>
      anomaly({ line: i + 1, ip: `10.0.0.${i}` }, [finding(`v${i}`, 12)]),
    );
    expect(
      groupIncidents({ ranked: ranked(items), group: "incident", limit: 2, maxTied: 3 }).map(
        (i) => i.example.record.line,
      ),
    ).toEqual([1, 2]);
  });

  it("shows one row per record under --group none", () => {
    const items = [1, 2].map((line) => anomaly({ line, ip: "10.0.0.1" }, [finding("a", 12)]));
    expect(groupIncidents({ ranked: ranked(items), group: "none", limit: 20 }).map((i) => i.count)).toEqual([
      1, 1,
    ]);
  });
});

describe("incidentId", () => {
  it("is the same for the same client and evidence and differs for another client", () => {
    const a = anomaly({ line: 1, ip: "10.0.0.1" }, [finding("x", 12)]);
    const b = anomaly({ line: 7, ip: "10.0.0.1" }, [finding("x", 12)]);
    const c = anomaly({ line: 8, ip: "10.0.0.2" }, [finding("x", 12)]);
    expect([
      recordIncidentId(a) === recordIncidentId(b),
      recordIncidentId(a) === recordIncidentId(c),
    ]).toEqual([true, false]);
    expect(incidentId(incidentKey(a, "incident"))).toMatch(/^[0-9a-f]{12}$/);
  });
});

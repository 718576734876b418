import { ConfigError, ModelError, type LogRecord } from "@oddity/core";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { siteTraffic } from "../test/traffic.js";
import { client } from "./index.js";

const records = siteTraffic();
const fitted = fitDetector({ detector: client, records });

function flaggedClients(fit: ReturnType<typeof fitDetector>, rows: readonly LogRecord[]): string[] {
  const flagged = new Set<string>();
  for (const r of rows) if (fit.score(r).length > 0) flagged.add(r.ip!);
  return [...flagged].sort();
}

describe("client: who is flagged", () => {
  it("flags the scanner and no ordinary client, crawler or typist", () => {
    expect(flaggedClients(fitted, records)).toEqual(["203.0.113.7"]);
  });

  it("explains the scanner with its counts, the other clients' rates and the tails", () => {
    const probe = records.find((r) => r.ip === "203.0.113.7")!;
    const [finding] = fitted.score(probe);
    expect(finding!.message).toMatch(
      /^client "203\.0\.113\.7": 120 of its 121 requests answered 404 \(other clients 2\.6%; p=\d\.\de-\d+\); 120 paths it alone asked for answered an error \(other clients: 0\.13% of requests; p=\d\.\de-\d+\)$/,
    );
    expect(finding!.counts).toEqual({ requests: 121, errors: 120, status_404: 120, lonely: 120 });
    expect(finding!.surprisal).toBe(40);
    expect(finding!.statistics!.log10_p_errors).toBeLessThan(-12);
  });

  it("attaches the finding to the client's error responses, not to its other requests", () => {
    const scanner = records.filter((r) => r.ip === "203.0.113.7");
    expect(scanner.filter((r) => fitted.score(r).length > 0).map((r) => r.status)).toEqual(
      Array.from({ length: 120 }, () => 404),
    );
    expect(fitted.score(scanner.find((r) => r.status === 200)!)).toEqual([]);
  });

  it("needs minOdd odd requests: ten 404s of ten flag, nine of nine do not", () => {
    const base = makeRecords([
      { ip: "10.0.0.1", times: 500 },
      { ip: "10.0.0.2", times: 500 },
    ]);
    const nine = makeRecords([{ ip: "10.9.9.9", path: "/x", status: 404, times: 9 }]);
    const ten = makeRecords([{ ip: "10.9.9.9", path: "/x", status: 404, times: 10 }]);
    expect(flaggedClients(fitDetector({ detector: client, records: [...base, ...nine] }), nine)).toEqual([]);
    expect(flaggedClients(fitDetector({ detector: client, records: [...base, ...ten] }), ten)).toEqual([
      "10.9.9.9",
    ]);
  });

  it("names the statuses of mixed errors, most frequent first", () => {
    const base = makeRecords([{ ip: "10.0.0.1", times: 500 }]);
    const prober = makeRecords([
      { ip: "10.9.9.9", path: "/admin", status: 401, times: 50 },
      { ip: "10.9.9.9", path: "/x", status: 404, times: 10 },
      { ip: "10.9.9.9", path: "/y", status: 418, times: 5 },
    ]);
    const fit = fitDetector({ detector: client, records: [...base, ...prober] });
    const [finding] = fit.score(prober[0]!);
    expect(finding!.message).toMatch(
      /^client "10\.9\.9\.9": 65 of its 65 requests answered an error \(50 × 401, 10 × 404; other clients 0\.1%; p=/,
    );
    expect(finding!.counts).toEqual({ requests: 65, errors: 65, status_401: 50, status_404: 10, lonely: 3 });
  });

  it("does not count 429, 499 and 503 as errors by default", () => {
    const base = makeRecords([{ ip: "10.0.0.1", times: 500 }]);
    const busy = makeRecords([
      { ip: "10.9.9.9", status: 429, times: 50 },
      { ip: "10.9.9.9", status: 499, times: 50 },
      { ip: "10.9.9.9", status: 503, times: 50 },
    ]);
    expect(flaggedClients(fitDetector({ detector: client, records: [...base, ...busy] }), busy)).toEqual([]);
  });

  it("counts the statuses the errorStatus option names", () => {
    const base = makeRecords([{ ip: "10.0.0.1", times: 500 }]);
    const busy = makeRecords([{ ip: "10.9.9.9", status: 429, times: 50 }]);
    const fit = fitDetector({
      detector: client,
      options: { errorStatus: { min: 400, max: 599 } },
      records: [...base, ...busy],
    });
    expect(flaggedClients(fit, busy)).toEqual(["10.9.9.9"]);
  });

  it("groups a scan over rotating addresses when keyed by user_agent", () => {
    const base = makeRecords([
      { ip: "10.0.0.1", times: 300 },
      { ip: "10.0.0.2", user_agent: "curl/8", times: 300 },
    ]);
    const scan = makeRecords(
      Array.from({ length: 40 }, (_, i) => ({
        ip: `203.0.113.${i + 1}`,
        path: `/wp-config.php.bak${i}`,
        status: 404,
        user_agent: "Mozilla/5.0 scan",
      })),
    );
    const rows = [...base, ...scan];
    expect(flaggedClients(fitDetector({ detector: client, records: rows }), scan)).toEqual([]);
    const byAgent = fitDetector({ detector: client, options: { key: "user_agent" }, records: rows });
    expect(scan.every((r) => byAgent.score(r).length === 1)).toBe(true);
    expect(byAgent.score(scan[0]!)[0]!.message).toMatch(
      /^client "Mozilla\/5\.0 scan": 40 of its 40 requests/,
    );
  });

  it("names every field of a composite key", () => {
    const rows = makeRecords([
      { ip: "10.0.0.1", times: 300 },
      { ip: "10.9.9.9", user_agent: "x\u001b[2J", path: "/nope", status: 404, times: 30 },
    ]);
    const fit = fitDetector({ detector: client, options: { key: ["ip", "user_agent"] }, records: rows });
    const [finding] = fit.score(rows.at(-1)!);
    expect(finding!.fields).toEqual(["ip", "user_agent"]);
    expect(finding!.values).toEqual(["10.9.9.9", "x\u001b[2J"]);
    expect(finding!.message).toMatch(/^client ip "10\.9\.9\.9", user_agent "x\\u001b\[2J": 30 of its 30/);
  });

  it("does not judge requests without a client key", () => {
    const rows = makeRecords([
      { ip: "10.0.0.1", times: 300 },
      { ip: null, status: 404, times: 50 },
    ]);
    const fit = fitDetector({ detector: client, records: rows });
    expect(fit.score(rows.at(-1)!)).toEqual([]);
  });
});

describe("client: summary", () => {
  it("lists the flagged client among the busiest, with its requests", () => {
    const [summary] = fitted.hooks.summarize!(fitted.state);
    expect(summary!.kind).toBe("frequencies");
    const rows = summary!.kind === "frequencies" ? summary!.values : [];
    expect(rows.filter((r) => r.flagged)).toEqual([
      { value: "203.0.113.7", count: 121, probability: 121 / records.length, flagged: true },
    ]);
    expect(rows.length).toBe(43);
  });
});

describe("client: memory bounds", () => {
  const many = makeRecords(
    Array.from({ length: 60 }, (_, i) => ({ ip: `10.1.0.${i}`, path: `/p${i % 7}`, times: 1 + (i % 4) })),
  );

  it("keeps at most maxClients clients, chosen by hash, and says so", () => {
    const fit = fitDetector({ detector: client, options: { maxClients: 10, maxPaths: 3 }, records: many });
    const json = fit.hooks.toJSON(fit.state) as {
      clients: { values: unknown[] };
      paths: { values: unknown[] };
    };
    expect(json.clients.values.length).toBeLessThanOrEqual(10);
    expect(json.paths.values.length).toBeLessThanOrEqual(3);
    expect(fit.warnings).toEqual([
      expect.stringMatching(/^client: more than 10 clients, so a hash-chosen sample of \d+ is judged/),
      expect.stringMatching(/^client: more than 3 distinct paths/),
    ]);
  });

  it("fit on shards and merged equals the whole fit, in any split and order", () => {
    const options = { maxClients: 10, maxPaths: 3 };
    const whole = fitDetector({ detector: client, options, records: many });
    const expected = JSON.stringify(whole.hooks.toJSON(whole.state));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(many, { minLength: many.length }),
        fc.nat(many.length),
        fc.nat(many.length),
        (shuffled, i, j) => {
          const [a, b] = [Math.min(i, j), Math.max(i, j)];
          const sharded = fitDetectorOnShards({
            detector: client,
            options,
            shards: [shuffled.slice(0, a), shuffled.slice(a, b), shuffled.slice(b)],
          });
          return JSON.stringify(sharded.hooks.toJSON(sharded.state)) === expected;
        },
      ),
    );
  });

  it("merge is associative", () => {
    const { hooks } = fitted;
    const fitOn = (rows: readonly LogRecord[]) => {
      const state = hooks.init();
      for (const r of rows) hooks.observe(state, r);
      return state;
    };
    fc.assert(
      fc.property(fc.nat(records.length), fc.nat(records.length), (i, j) => {
        const [a, b] = [Math.min(i, j), Math.max(i, j)];
        const parts = [records.slice(0, a), records.slice(a, b), records.slice(b)];
        const left = hooks.merge(hooks.merge(fitOn(parts[0]!), fitOn(parts[1]!)), fitOn(parts[2]!));
        const right = hooks.merge(fitOn(parts[0]!), hooks.merge(fitOn(parts[1]!), fitOn(parts[2]!)));
        return JSON.stringify(hooks.toJSON(left)) === JSON.stringify(hooks.toJSON(right));
      }),
      { numRuns: 30 },
    );
  });
});

describe("client: saved models", () => {
  it("a model saved and loaded judges every record alike", () => {
    const loaded = roundTrip(fitted);
    fc.assert(
      fc.property(fc.constantFrom(...records), (r) => {
        expect(loaded.score(r)).toEqual(fitted.score(r));
      }),
    );
  });

  it("refuses a model whose client has more errors than requests, naming the key path", () => {
    const json = fitted.hooks.toJSON(fitted.state) as {
      clients: { values: [string, number, number, number][] };
    };
    json.clients.values[0]![2] = json.clients.values[0]![1] + 1;
    expect(() => fitted.hooks.fromJSON(json)).toThrow(ModelError);
    expect(() => fitted.hooks.fromJSON(json)).toThrow(
      "state.clients.values[0][2]: is more than the client's requests",
    );
  });

  it("refuses a client key that is not a list of the options' key fields", () => {
    const rows = makeRecords([{ ip: "10.0.0.1", times: 3 }]);
    const fit = fitDetector({ detector: client, options: { key: ["ip", "user_agent"] }, records: rows });
    const json = fit.hooks.toJSON(fit.state) as { clients: { values: [string, number, number, number][] } };
    json.clients.values[0]![0] = '["10.0.0.1"]';
    expect(() => fit.hooks.fromJSON(json)).toThrow(
      "state.clients.values[0][0]: expected a JSON list of 2 strings: the options' key has 2 fields",
    );
  });

  it("refuses a model of another version", () => {
    expect(() => fitted.hooks.fromJSON({ version: 99 })).toThrow(/expected version 1/);
  });
});

describe("client: options", () => {
  it("rejects a threshold of 1 with what it expected", () => {
    expect(() =>
      fitDetector({ detector: client, options: { threshold: 1 }, records: [makeRecord()] }),
    ).toThrow(ConfigError);
  });
});

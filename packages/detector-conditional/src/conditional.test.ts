import {
  BoundedCounter,
  ConfigError,
  pairKey,
  surprisal,
  type BoundedCounterJSON,
  type Finding,
  type LogRecord,
} from "@oddity/core";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conditional, type ConditionalState } from "./index.js";

const STATUS_BY_IP = { pairs: [{ given: "ip", target: "status" }] };

/** 300 requests: 10.0.0.1 nearly always gets 200; 10.0.0.2 gets 404 more often than not. */
function baseline(): LogRecord[] {
  return makeRecords([
    { times: 199, ip: "10.0.0.1", status: 200 },
    { times: 1, ip: "10.0.0.1", status: 404 },
    { times: 60, ip: "10.0.0.2", status: 404 },
    { times: 40, ip: "10.0.0.2", status: 200 },
  ]);
}

function score(options: unknown, records: LogRecord[], probe: Partial<LogRecord>): readonly Finding[] {
  return fitDetector({ detector: conditional, options, records }).score(makeRecord(probe));
}

describe("conditional: probabilities", () => {
  it("flags status 404 given an ip that got it once in 200 requests, dividing by count(ip), not N", () => {
    const p = 1 / 200;
    const pb = 61 / 300;
    expect(score(STATUS_BY_IP, baseline(), { ip: "10.0.0.1", status: 404 })).toEqual([
      {
        detector: "conditional",
        kind: "conditional",
        fields: ["ip", "status"],
        values: ["10.0.0.1", "404"],
        probability: p,
        surprisal: surprisal(p),
        threshold: { name: "probability", direction: "below", value: 0.01 },
        counts: { count: 1, given_count: 200, target_count: 61, total: 300 },
        message: 'status "404" given ip "10.0.0.1": 1 of 200 requests (p=0.005; overall p=0.2, lift 0.025)',
        statistics: { target_probability: pb, lift: p / pb, pmi: Math.log2(p / pb) },
      },
    ]);
  });

  it("leaves values that are common for their given value alone", () => {
    expect(score(STATUS_BY_IP, baseline(), { ip: "10.0.0.2", status: 200 })).toEqual([]);
    expect(score(STATUS_BY_IP, baseline(), { ip: "10.0.0.1", status: 200 })).toEqual([]);
  });

  it("gives a pair never seen together a smoothed probability, never 0, and labels it unseen", () => {
    const records = makeRecords([
      { times: 200, ip: "10.0.0.1", status: 200 },
      { times: 50, ip: "10.0.0.2", status: 404 },
      { times: 50, ip: "10.0.0.2", status: 200 },
    ]);
    const [finding] = score(STATUS_BY_IP, records, { ip: "10.0.0.1", status: 404 });
    const p = 1 / (200 + 1 * (2 + 1));
    expect(finding).toMatchObject({
      kind: "unseen",
      probability: p,
      counts: { count: 0, given_count: 200, target_count: 50, total: 300 },
      message:
        'status "404" given ip "10.0.0.1": never in 200 requests (smoothed p=0.0049; overall p=0.17, lift 0.03)',
      statistics: { smoothing: 1 },
    });
    expect(finding!.probability).toBeGreaterThan(0);
  });

  it("does not judge a given value seen fewer times than the minimum support", () => {
    const records = makeRecords([
      { times: 15, ip: "10.0.0.9", status: 200 },
      { times: 100, ip: "10.0.0.2", status: 404 },
    ]);
    expect(score(STATUS_BY_IP, records, { ip: "10.0.0.9", status: 404 })).toEqual([]);
    expect(
      score({ ...STATUS_BY_IP, minSupport: 10, threshold: 0.1 }, records, {
        ip: "10.0.0.9",
        status: 404,
      }).map((f) => f.kind),
    ).toEqual(["unseen"]);
  });

  it("leaves a value that is rare everywhere to rarity unless maxLift is turned off", () => {
    // 500 is as rare for 10.0.0.1 (1 in 400) as overall (1 in 400): lift 1.
    const records = makeRecords([
      { times: 399, ip: "10.0.0.1", status: 200 },
      { times: 1, ip: "10.0.0.1", status: 500 },
    ]);
    expect(score(STATUS_BY_IP, records, { ip: "10.0.0.1", status: 500 })).toEqual([]);
    expect(
      score({ ...STATUS_BY_IP, maxLift: null }, records, { ip: "10.0.0.1", status: 500 }).map(
        (f) => f.message,
      ),
    ).toEqual(['status "500" given ip "10.0.0.1": 1 of 400 requests (p=0.0025; overall p=0.0025, lift 1)']);
  });

  it("leaves values never seen anywhere, given or target, to rarity", () => {
    expect(score(STATUS_BY_IP, baseline(), { ip: "192.0.2.7", status: 404 })).toEqual([]);
    expect(score(STATUS_BY_IP, baseline(), { ip: "10.0.0.1", status: 418 })).toEqual([]);
  });

  it("applies per-pair overrides over the top-level limits", () => {
    const options = {
      pairs: [
        { given: "ip", target: "status" },
        { given: "ip", target: "method", threshold: 0.5, maxLift: null },
      ],
    };
    const records = makeRecords([
      { times: 150, ip: "10.0.0.1", status: 200, method: "GET" },
      { times: 50, ip: "10.0.0.1", status: 200, method: "POST" },
    ]);
    expect(
      score(options, records, { ip: "10.0.0.1", status: 200, method: "POST" }).map((f) => f.fields),
    ).toEqual([["ip", "method"]]);
  });

  it("reads field aliases and keeps prototype-named and separator-laden values apart", () => {
    const records = makeRecords([
      { times: 199, ip: "__proto__", status: 200 },
      { times: 1, ip: "__proto__", status: 404 },
      { times: 100, ip: "3:x", status: 404 },
    ]);
    const options = { pairs: [{ given: "client_ip", target: "status_code" }] };
    expect(score(options, records, { ip: "__proto__", status: 404 }).map((f) => f.message)).toEqual([
      'status "404" given ip "__proto__": 1 of 200 requests (p=0.005; overall p=0.34, lift 0.015)',
    ]);
    expect(score(options, records, { ip: "3:x", status: 404 })).toEqual([]);
  });

  it("escapes terminal control sequences from log values in messages", () => {
    const hostile = "\u001b[31mevil";
    const records = makeRecords([
      { times: 199, user_agent: hostile, status: 200 },
      { times: 1, user_agent: hostile, status: 500 },
      { times: 100, user_agent: "curl", status: 500 },
    ]);
    const [finding] = score({ pairs: [{ given: "user_agent", target: "status" }] }, records, {
      user_agent: hostile,
      status: 500,
    });
    expect(finding!.message).toBe(
      'status "500" given user_agent "\\u001b[31mevil": 1 of 200 requests (p=0.005; overall p=0.34, lift 0.015)',
    );
  });
});

describe("conditional: bounded memory", () => {
  /**
   * The counter's selection rule restated: with the distinct keys' selection hashes sorted, the ceiling is
   * the (cap + 1)-th smallest; keys hashing below it are exact, every request of the others is sketched.
   */
  function byTheRule(keys: readonly string[], cap: number) {
    const hash = (k: string) => BoundedCounter.selectionHash(k);
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const ceiling = [...counts.keys()].map(hash).sort((a, b) => a - b)[cap] ?? BoundedCounter.NO_CEILING;
    const spilled = [...counts].filter(([k]) => hash(k) >= ceiling).reduce((sum, [, n]) => sum + n, 0);
    return { sketches: (k: string) => hash(k) >= ceiling, bound: Math.ceil((Math.E / 2719) * spilled) };
  }

  it("past maxDistinct, sketches keys outside a hash-chosen sample, warns, and states the error bound", () => {
    const records = [
      ...makeRecords([
        { times: 400, ip: "10.0.0.1", status: 200 },
        { times: 100, ip: "10.0.0.2", status: 404 },
      ]),
      ...makeRecords(Array.from({ length: 300 }, (_, i) => ({ ip: `192.0.2.${i}`, status: 404 }))),
    ];
    const fitted = fitDetector({
      detector: conditional,
      options: { ...STATUS_BY_IP, maxDistinct: 3 },
      records,
    });
    // 302 ips and 302 (ip, status) pairs over a cap of 3; the 2 statuses fit.
    const givens = byTheRule(
      records.map((r) => r.ip!),
      3,
    );
    const cells = byTheRule(
      records.map((r) => pairKey(r.ip!, String(r.status))),
      3,
    );
    const bound = Math.max(givens.bound, cells.bound);
    expect(fitted.warnings).toEqual([
      `conditional: status|ip: more than 3 distinct values or pairs, so a hash-chosen sample of each is counted exactly and the rest in a count-min sketch (counts at most ${bound} too high with 99% confidence)`,
    ]);
    // The probe is judged on estimates when its ip or its pair falls outside the sample.
    expect(givens.sketches("10.0.0.1") || cells.sketches(pairKey("10.0.0.1", "404"))).toBe(true);
    const [finding] = fitted.score(makeRecord({ ip: "10.0.0.1", status: 404 }));
    expect([finding!.kind, finding!.counts.error_bound]).toEqual(["unseen", bound]);
    expect(finding!.message).toMatch(
      new RegExp(`\\[count-min estimates, at most ${bound} too high with 99\\.3% confidence\\]$`),
    );
  });
});

describe("conditional: one count per field", () => {
  it("counts a field once however many pairs use it, and every pair reads that one count", () => {
    const records = makeRecords([
      { times: 200, ip: "10.0.0.1", status: 200, path: "/a", method: "GET", user_agent: "curl/8" },
      { times: 200, ip: "10.0.0.2", status: 404, path: "/a", method: "GET", user_agent: "curl/8" },
    ]);
    const fitted = fitDetector({ detector: conditional, records });
    const saved = fitted.hooks.toJSON(fitted.state) as {
      marginals: Array<{ field: string; counts: BoundedCounterJSON }>;
      pairs: Array<{ given: string; target: string }>;
    };
    expect(saved.marginals.map((m) => [m.field, m.counts.total])).toEqual([
      ["ip", 400],
      ["status", 400],
      ["user_agent", 400],
      ["path_template", 400],
      ["method", 400],
    ]);
    expect(saved.pairs.map((p) => `${p.target}|${p.given}`)).toEqual([
      "status|ip",
      "user_agent|ip",
      "status|path_template",
      "method|path_template",
    ]);
    const byGiven = (fitted.state as ConditionalState).pairs.filter((p) => p.given === "ip");
    expect(byGiven).toHaveLength(2);
    expect(byGiven[0]!.givens).toBe(byGiven[1]!.givens);
    const probe = makeRecord({
      ip: "10.0.0.1",
      status: 404,
      path: "/a",
      method: "GET",
      user_agent: "curl/8",
    });
    expect(fitted.score(probe).map((f) => [f.fields.join("|"), f.counts.given_count])).toEqual([
      ["ip|status", 200],
    ]);
  });
});

describe("conditional: merging, saving, determinism", () => {
  const table = [
    ...baseline(),
    ...makeRecords([
      { times: 3, ip: "constructor", status: 500 },
      { times: 2, ip: "10.0.0.1", status: 301 },
      { times: 120, ip: "10.0.0.3", status: 404 },
    ]),
  ];

  it("fitting on shards and merging equals fitting on the whole", () => {
    fc.assert(
      fc.property(fc.nat(table.length), fc.nat(table.length), (i, j) => {
        const [x, y] = [i, j].sort((p, q) => p - q) as [number, number];
        const whole = fitDetector({ detector: conditional, records: table });
        const sharded = fitDetectorOnShards({
          detector: conditional,
          shards: [table.slice(0, x), table.slice(x, y), table.slice(y)],
        });
        expect(sharded.hooks.toJSON(sharded.state)).toEqual(whole.hooks.toJSON(whole.state));
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it("past maxDistinct, fitting shuffled shards and merging saves the very state of the whole fit", () => {
    // 120 ips and 4 statuses over a cap of 30: givens and cells overflow, targets do not.
    const records = makeRecords(
      Array.from({ length: 120 }, (_, i) => ({
        ip: `10.1.0.${i}`,
        status: [200, 404, 500, 301][i % 4]!,
        times: 1 + (i % 3),
      })),
    );
    const capped = { ...STATUS_BY_IP, maxDistinct: 30 };
    const whole = fitDetector({ detector: conditional, options: capped, records });
    const state = whole.hooks.toJSON(whole.state) as {
      marginals: Array<{ counts: BoundedCounterJSON }>;
      pairs: Array<{ cells: BoundedCounterJSON }>;
    };
    const [givens, targets] = state.marginals.map((m) => m.counts) as [
      BoundedCounterJSON,
      BoundedCounterJSON,
    ];
    const { cells } = state.pairs[0]!;
    expect(
      [givens.ceiling, targets.ceiling, cells.ceiling].map((c) => c < BoundedCounter.NO_CEILING),
    ).toEqual([true, false, true]);
    const saved = JSON.stringify(state);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(records, { minLength: records.length }),
        fc.nat(records.length),
        fc.nat(records.length),
        (shuffled, i, j) => {
          const [x, y] = [i, j].sort((p, q) => p - q) as [number, number];
          const sharded = fitDetectorOnShards({
            detector: conditional,
            options: capped,
            shards: [shuffled.slice(0, x), shuffled.slice(x, y), shuffled.slice(y)],
          });
          expect(JSON.stringify(sharded.hooks.toJSON(sharded.state))).toBe(saved);
        },
      ),
      { seed: 42, numRuns: 25 },
    );
  });

  it("saves the same bytes whatever order the records came in", () => {
    const forward = fitDetector({ detector: conditional, records: table });
    const backward = fitDetector({ detector: conditional, records: [...table].reverse() });
    expect(JSON.stringify(backward.hooks.toJSON(backward.state))).toBe(
      JSON.stringify(forward.hooks.toJSON(forward.state)),
    );
  });

  it("scores the same after a JSON round trip", () => {
    const fitted = fitDetector({ detector: conditional, options: STATUS_BY_IP, records: table });
    const loaded = roundTrip(fitted);
    // 301 is rare everywhere (lift > 1), so only the first two probes are conditional oddities.
    const probes = [
      makeRecord({ ip: "10.0.0.1", status: 404 }),
      makeRecord({ ip: "10.0.0.3", status: 200 }),
      makeRecord({ ip: "10.0.0.2", status: 301 }),
    ];
    expect(probes.map((r) => loaded.score(r))).toEqual(probes.map((r) => fitted.score(r)));
    expect(probes.map((r) => fitted.score(r).map((f) => f.kind))).toEqual([["conditional"], ["unseen"], []]);
  });

  it("summarizes each pair as a bounded table of cells, flagged ones marked", () => {
    const fitted = fitDetector({ detector: conditional, options: STATUS_BY_IP, records: baseline() });
    expect(fitted.hooks.summarize!(fitted.state)).toEqual([
      {
        kind: "conditional",
        detector: "conditional",
        given: "ip",
        target: "status",
        threshold: 0.01,
        minSupport: 20,
        cells: [
          {
            given: "10.0.0.1",
            target: "200",
            count: 199,
            givenCount: 200,
            probability: 199 / 200,
            flagged: false,
          },
          {
            given: "10.0.0.1",
            target: "404",
            count: 1,
            givenCount: 200,
            probability: 1 / 200,
            flagged: true,
          },
          { given: "10.0.0.2", target: "404", count: 60, givenCount: 100, probability: 0.6, flagged: false },
          { given: "10.0.0.2", target: "200", count: 40, givenCount: 100, probability: 0.4, flagged: false },
        ],
      },
    ]);
  });

  it("keeps a summary to the 20 × 20 most frequent values plus flagged cells", () => {
    const records = makeRecords(
      Array.from({ length: 30 }, (_, i) =>
        Array.from({ length: 30 }, (_, j) => ({ ip: `10.0.0.${i}`, status: 200 + j, times: 1 })),
      ).flat(),
    );
    const fitted = fitDetector({ detector: conditional, options: STATUS_BY_IP, records });
    const [summary] = fitted.hooks.summarize!(fitted.state);
    expect(summary!.kind === "conditional" && summary!.cells.length).toBe(400);
  });
});

describe("conditional: saved state validation", () => {
  const fitted = fitDetector({ detector: conditional, options: STATUS_BY_IP, records: baseline() });
  const saved = () =>
    JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as {
      version: number;
      marginals: Array<{ field: string; counts: BoundedCounterJSON }>;
      pairs: Array<{ given: string; target: string; cells: BoundedCounterJSON }>;
    };

  it.each([
    [
      "another version",
      (j: ReturnType<typeof saved>) => (j.version = 7),
      "state.version: expected version 2",
    ],
    [
      "a negative count",
      (j: ReturnType<typeof saved>) => (j.pairs[0]!.cells.values[0]![1] = -4),
      "state.pairs[0].cells.values[0][1]: expected a count",
    ],
    [
      "a huge count",
      (j: ReturnType<typeof saved>) => (j.marginals[0]!.counts.total = 2 ** 64),
      "state.marginals[0].counts.total: expected a count",
    ],
    [
      "another pair",
      (j: ReturnType<typeof saved>) => (j.pairs[0]!.given = "path"),
      "state.pairs[0]: is status|path but the options list status|ip here",
    ],
    [
      "marginals of other fields",
      (j: ReturnType<typeof saved>) => (j.marginals[0]!.field = "path"),
      "state.marginals: count the fields path, status but the options use ip, status",
    ],
    [
      "tables of different sizes",
      (j: ReturnType<typeof saved>) => {
        j.marginals[1]!.counts.values[0]![1] += 1;
        j.marginals[1]!.counts.total += 1;
      },
      "state.marginals[1].counts.total: is 301 but ip counted 300 requests",
    ],
    [
      "a cell that is not a pair",
      (j: ReturnType<typeof saved>) => (j.pairs[0]!.cells.values[0]![0] = "99:x"),
      'state.pairs[0].cells.values: "99:x" is not a pair key',
    ],
  ])("rejects %s", (_name, corrupt, message) => {
    const json = saved();
    corrupt(json);
    expect(() => fitted.hooks.fromJSON(json)).toThrow(message);
  });

  it("rejects an injected __proto__ key without polluting Object.prototype", () => {
    const json: unknown = JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(saved()).slice(1)}`);
    expect(() => fitted.hooks.fromJSON(json)).toThrow('state: Unrecognized key: "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("conditional: options", () => {
  function issues(options: unknown): readonly string[] {
    try {
      fitDetector({ detector: conditional, options, records: [] });
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  }

  it("names the key path and what was expected", () => {
    expect(issues({ threshold: "high" })).toEqual([
      'detectors[0].options.threshold: expected a probability above 0 and below 1 (e.g. 0.01), received "high"',
    ]);
    expect(issues({ pairs: [{ given: "ip" }] })).toEqual([
      "detectors[0].options.pairs[0].target: expected a field name, e.g. ip, received nothing",
    ]);
    expect(issues({ minSupport: 0 })).toEqual([
      "detectors[0].options.minSupport: expected a whole number of requests ≥ 1 (e.g. 20), received 0",
    ]);
    expect(issues({ pairs: [{ given: "ip", target: "status", maxLift: -1 }] })).toEqual([
      "detectors[0].options.pairs[0].maxLift: expected a lift above 0 (0.5 = half as common as overall), or null to judge P(target | given) alone, received -1",
    ]);
  });

  it("refuses a field given itself and a pair listed twice under an alias", () => {
    expect(
      issues({
        pairs: [
          { given: "ip", target: "client_ip" },
          { given: "ip", target: "status" },
          { given: "remote_addr", target: "status_code" },
        ],
      }),
    ).toEqual([
      'detectors[0].options.pairs[0].target: a field given itself is always certain; pick two different fields, received "client_ip"',
      'detectors[0].options.pairs[2]: status|ip is already watched by pairs[1]; list each pair once, received {"given":"remote_addr","target":"status_code"}',
    ]);
  });

  it("suggests the option a misspelt key meant", () => {
    expect(issues({ minSuport: 5 })).toEqual([
      'detectors[0].options.minSuport: unknown option; did you mean "minSupport"?',
    ]);
  });

  it("defaults to four pairs, p < 1%, support 20, lift < 0.5, Laplace smoothing and 50,000 exact values", () => {
    expect(conditional.meta.options["~standard"].validate({})).toEqual({
      value: {
        pairs: [
          { given: "ip", target: "status" },
          { given: "ip", target: "user_agent" },
          { given: "path_template", target: "status" },
          { given: "path_template", target: "method" },
        ],
        threshold: 0.01,
        minSupport: 20,
        maxLift: 0.5,
        smoothing: 1,
        maxDistinct: 50_000,
      },
    });
  });
});

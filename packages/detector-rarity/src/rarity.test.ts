import {
  BoundedCounter,
  ConfigError,
  formatCount,
  formatProbability,
  quoteValue,
  surprisal,
  type BoundedCounterJSON,
  type Finding,
  type LogRecord,
} from "@oddity/core";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rarity } from "./index.js";

/** Records whose user agents occur as often as the table says, in table order. */
function agents(table: Record<string, number>): LogRecord[] {
  return makeRecords(Object.entries(table).map(([user_agent, times]) => ({ user_agent, times })));
}

function flaggedAgents(options: unknown, table: Record<string, number>): string[] {
  const fitted = fitDetector({ detector: rarity, options, records: agents(table) });
  return Object.keys(table).filter((ua) => fitted.score(makeRecord({ user_agent: ua })).length > 0);
}

const UA_ONLY = { fields: ["user_agent"] };

/**
 * The counter's selection rule restated: with the distinct values' selection hashes sorted, the ceiling
 * is the (cap + 1)-th smallest; values hashing below it are exact, every request of the others is sketched.
 */
function byTheRule(values: readonly string[], cap: number) {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const hash = (v: string) => BoundedCounter.selectionHash(v);
  const ceiling = [...counts.keys()].map(hash).sort((a, b) => a - b)[cap] ?? BoundedCounter.NO_CEILING;
  const exact = [...counts.keys()].filter((v) => hash(v) < ceiling);
  const sketched = [...counts.keys()].filter((v) => hash(v) >= ceiling);
  const spilled = sketched.reduce((sum, v) => sum + counts.get(v)!, 0);
  return { counts, ceiling, exact, sketched, spilled };
}

describe("rarity: probabilities", () => {
  it("flags a user agent seen 2 times in 100 requests with P = count / N and the budget's limit", () => {
    const fitted = fitDetector({
      detector: rarity,
      options: { ...UA_ONLY, budget: 0.05 },
      records: agents({ curl: 90, wget: 8, "Python-urllib/3.7": 2 }),
    });
    expect(fitted.score(makeRecord({ user_agent: "Python-urllib/3.7" }))).toEqual([
      {
        detector: "rarity",
        kind: "rare",
        fields: ["user_agent"],
        values: ["Python-urllib/3.7"],
        probability: 0.02,
        surprisal: surprisal(0.02),
        threshold: { name: "probability", direction: "below", value: 3 / 100 },
        counts: { count: 2, total: 100, distinct: 3 },
        message: 'user_agent "Python-urllib/3.7" seen 2 times in 100 requests (p=0.02)',
      },
    ]);
    expect(fitted.score(makeRecord({ user_agent: "wget" }))).toEqual([]);
  });

  it("gives a value never seen the Laplace-smoothed probability α / (N + α(K + 1)) and says so", () => {
    const fitted = fitDetector({
      detector: rarity,
      options: UA_ONLY,
      records: agents({ curl: 150, wget: 50 }),
    });
    const p = 1 / (200 + 3);
    expect(fitted.score(makeRecord({ user_agent: "sqlmap/1.7" }))).toEqual([
      {
        detector: "rarity",
        kind: "unseen",
        fields: ["user_agent"],
        values: ["sqlmap/1.7"],
        probability: p,
        surprisal: surprisal(p),
        threshold: { name: "probability", direction: "below", value: 1 / 200 },
        counts: { count: 0, total: 200, distinct: 2 },
        message: 'user_agent "sqlmap/1.7" never seen in 200 baseline requests (smoothed p=0.0049)',
        statistics: { smoothing: 1 },
      },
    ]);
  });

  it("uses the configured smoothing pseudo-count for unseen values", () => {
    const fitted = fitDetector({
      detector: rarity,
      options: { ...UA_ONLY, smoothing: 0.5 },
      records: agents({ curl: 200 }),
    });
    expect(fitted.score(makeRecord({ user_agent: "x" }))[0]!.probability).toBe(0.5 / (200 + 0.5 * 2));
  });

  it("counts absent values under '-' like the log writes them", () => {
    const records = makeRecords([
      { times: 199, referer: "https://example.com/" },
      { times: 1, referer: null },
    ]);
    const fitted = fitDetector({ detector: rarity, options: { fields: ["referer"], budget: 0.01 }, records });
    expect(fitted.score(makeRecord({ referer: null })).map((f) => f.message)).toEqual([
      'referer "-" seen 1 time in 200 requests (p=0.005)',
    ]);
  });

  it("reads field aliases as their canonical field", () => {
    const records = makeRecords([
      { times: 199, method: "GET" },
      { times: 1, method: "TRACE" },
    ]);
    const fitted = fitDetector({
      detector: rarity,
      options: { fields: ["request_method"], budget: 0.01 },
      records,
    });
    expect(fitted.score(makeRecord({ method: "TRACE" })).map((f) => [f.fields, f.message])).toEqual([
      [["method"], 'method "TRACE" seen 1 time in 200 requests (p=0.005)'],
    ]);
  });

  it("counts prototype-named values like any other", () => {
    const records = makeRecords([
      { times: 97, ip: "10.0.0.1" },
      { times: 1, ip: "__proto__" },
      { times: 2, ip: "constructor" },
    ]);
    const fitted = fitDetector({ detector: rarity, options: { fields: ["ip"], budget: 0.05 }, records });
    expect(
      ["__proto__", "constructor", "toString"].map((ip) => fitted.score(makeRecord({ ip }))[0]?.message),
    ).toEqual([
      'ip "__proto__" seen 1 time in 100 requests (p=0.01)',
      'ip "constructor" seen 2 times in 100 requests (p=0.02)',
      'ip "toString" never seen in 100 baseline requests (smoothed p=0.0096)',
    ]);
  });

  it("escapes terminal control sequences from log values in messages", () => {
    const hostile = "\u001b[2J\u001b]0;pwned\u0007";
    const fitted = fitDetector({ detector: rarity, options: UA_ONLY, records: agents({ curl: 200 }) });
    const [finding] = fitted.score(makeRecord({ user_agent: hostile }));
    expect(finding!.message).toBe(
      'user_agent "\\u001b[2J\\u001b]0;pwned\\u0007" never seen in 200 baseline requests (smoothed p=0.005)',
    );
    expect(finding!.values).toEqual([hostile]);
  });
});

describe("rarity: limits", () => {
  it("a 1% budget flags the rarest values that together cover at most 1% of requests", () => {
    // 1,000 requests: the tail 2 + 3 + 4 = 9 fits in 10, adding the 5 would not.
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.01 }, { a: 600, b: 386, c: 5, d: 4, e: 3, f: 2 })).toEqual([
      "d",
      "e",
      "f",
    ]);
  });

  it("the 0.5% default budget flags the rarest values that together cover at most 0.5% of requests", () => {
    // 1,000 requests: the tail 2 + 3 = 5 fits in 5, adding the 4 would not.
    expect(flaggedAgents(UA_ONLY, { a: 600, b: 386, c: 5, d: 4, e: 3, f: 2 })).toEqual(["e", "f"]);
  });

  it("the budget never splits values with equal counts, so arrival order cannot matter", () => {
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.03 }, { a: 96, b: 2, c: 2 })).toEqual([]);
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.04 }, { a: 96, b: 2, c: 2 })).toEqual(["b", "c"]);
  });

  it("sets aside the Good–Turing share N₁/N for unseen values before spending the budget on seen ones", () => {
    // 5 values seen once: new values are expected in ~5% of requests. A 4% budget cannot cover that.
    const table = { a: 90, b: 5, s1: 1, s2: 1, s3: 1, s4: 1, s5: 1 };
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.04 }, table)).toEqual([]);
    expect(
      fitDetector({ detector: rarity, options: { ...UA_ONLY, budget: 0.04 }, records: agents(table) })
        .warnings,
    ).toEqual([
      "rarity: user_agent: 5% of baseline requests carry a value seen once; 1 of 1 clients (100%) produced them, more than the 4% alert budget, so new and rare values are normal here and rarity flags nothing on this field",
    ]);
    // 10%: 5 reserved + 5 singletons fit; the b group (5 more) would not.
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.1 }, table)).toEqual(["s1", "s2", "s3", "s4", "s5"]);
  });

  it("with a fixed threshold flags values whose probability is below it", () => {
    const fitted = fitDetector({
      detector: rarity,
      options: { ...UA_ONLY, budget: null, threshold: 0.05 },
      records: agents({ a: 90, b: 6, c: 4 }),
    });
    expect(fitted.score(makeRecord({ user_agent: "b" }))).toEqual([]);
    expect(fitted.score(makeRecord({ user_agent: "c" }))[0]!.threshold).toEqual({
      name: "probability",
      direction: "below",
      value: 0.05,
    });
  });

  it("with a minimum count flags values seen fewer times than it", () => {
    expect(flaggedAgents({ ...UA_ONLY, budget: null, minCount: 5 }, { a: 90, b: 6, c: 4, d: 5 })).toEqual([
      "c",
    ]);
  });

  it("requires every limit that is set: the tightest one decides", () => {
    const table = { a: 90, b: 6, c: 4 };
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.1 }, table)).toEqual(["b", "c"]);
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.1, minCount: 3 }, table)).toEqual([]);
    expect(flaggedAgents({ ...UA_ONLY, budget: 0.1, threshold: 0.05 }, table)).toEqual(["c"]);
  });

  it("applies per-field overrides over the top-level limits", () => {
    const records = makeRecords([
      { times: 90, status: 200, user_agent: "a" },
      { times: 6, status: 404, user_agent: "b" },
      { times: 4, status: 500, user_agent: "c" },
    ]);
    const fitted = fitDetector({
      detector: rarity,
      options: { fields: ["status", { field: "user_agent", budget: null, minCount: 7 }], budget: 0.05 },
      records,
    });
    expect(fitted.score(makeRecord({ status: 404, user_agent: "b" })).map((f) => f.fields[0])).toEqual([
      "user_agent",
    ]);
    expect(fitted.score(makeRecord({ status: 500, user_agent: "c" })).map((f) => f.fields[0])).toEqual([
      "status",
      "user_agent",
    ]);
  });

  it("flags nothing on an empty baseline", () => {
    const fitted = fitDetector({ detector: rarity, options: UA_ONLY, records: [] });
    expect(fitted.score(makeRecord({ user_agent: "x" }))).toEqual([]);
  });
});

describe("rarity: one-off values by client", () => {
  const PATHS = { fields: ["path_template"] };
  /** 40 ordinary clients, each asking the site's 5 pages 25 times: 5,000 requests, nothing seen once. */
  const ordinary = () =>
    makeRecords(
      Array.from({ length: 200 }, (_, i) => ({
        ip: `10.0.${i % 40}.1`,
        path: `/page/${["a", "b", "c", "d", "e"][i % 5]}`,
        times: 25,
      })),
    );
  /** One client asking `n` paths nobody else asks, as a directory brute-forcer does. */
  const scanner = (n: number) =>
    makeRecords(Array.from({ length: n }, (_, i) => ({ ip: "203.0.113.7", path: `/probe-${i}.php` })));

  it("keeps path_template on when one scanner produced every one-off value among ordinary clients", () => {
    // 300 one-off requests in 5,300 (5.7%) would exhaust a 0.5% budget (26.5) if each counted: one client
    // of 41 produced them, so they count once in the reserve and once in the budget.
    const fitted = fitDetector({
      detector: rarity,
      options: PATHS,
      records: [...ordinary(), ...scanner(300)],
    });
    expect(fitted.warnings).toEqual([]);
    expect(fitted.score(makeRecord({ ip: "203.0.113.7", path: "/probe-7.php" }))[0]!.message).toBe(
      'path_template "/probe-7.php" seen 1 time in 5,300 requests (p=0.00019)',
    );
    expect(fitted.score(makeRecord({ path: "/.env" }))[0]!.kind).toBe("unseen");
  });

  it("does not let a scanner's one-offs, counted once, make room for flagging the ordinary rare tail", () => {
    // "/help" (20 requests) would fit the budget once the 300 one-offs cost 1 + 1 (2 + 20 ≤ 26.6), but
    // repeated values are judged per request, where the one-offs already use up the budget.
    const help = makeRecords([{ times: 20, ip: "10.0.3.1", path: "/help" }]);
    const fitted = fitDetector({
      detector: rarity,
      options: PATHS,
      records: [...ordinary(), ...help, ...scanner(300)],
    });
    expect(fitted.score(makeRecord({ path: "/help" }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: "/probe-7.php" }))).toHaveLength(1);
  });

  it("turns path_template off when most clients produce one-off values", () => {
    // Every one of the 40 clients asks 3 pages nobody else asks: 120 one-offs from 100% of the clients.
    const own = makeRecords(
      Array.from({ length: 120 }, (_, i) => ({ ip: `10.0.${i % 40}.1`, path: `/item/x${i}.html` })),
    );
    const fitted = fitDetector({ detector: rarity, options: PATHS, records: [...ordinary(), ...own] });
    expect(fitted.score(makeRecord({ path: "/.env" }))).toEqual([]);
    expect(fitted.warnings).toEqual([
      "rarity: path_template: 2.3% of baseline requests carry a value seen once; 40 of 40 clients (100%) produced them, more than the 0.5% alert budget, so new and rare values are normal here and rarity flags nothing on this field",
    ]);
  });

  it("counts every request as its own client with client: null, as plain Good–Turing", () => {
    const fitted = fitDetector({
      detector: rarity,
      options: { ...PATHS, client: null },
      records: [...ordinary(), ...scanner(300)],
    });
    expect(fitted.score(makeRecord({ path: "/probe-7.php" }))).toEqual([]);
  });

  it("counts each scanner once whether the log was fitted whole or in shards", () => {
    const records = [...ordinary(), ...scanner(300)];
    const whole = fitDetector({ detector: rarity, options: PATHS, records });
    const sharded = fitDetectorOnShards({
      detector: rarity,
      options: PATHS,
      shards: [records.slice(0, 2_000), records.slice(2_000, 5_150), records.slice(5_150)],
    });
    expect(JSON.stringify(sharded.hooks.toJSON(sharded.state))).toBe(
      JSON.stringify(whole.hooks.toJSON(whole.state)),
    );
  });
});

describe("rarity: bounded memory", () => {
  const pages = (n: number) =>
    makeRecords(Array.from({ length: n }, (_, i) => ({ path: `/item?page=${i}` })));
  // 9,000 requests for "/" and 1,000 pages seen once: 1,001 distinct paths over a cap of 100.
  const overflowing = () => [...makeRecords([{ times: 9_000, path: "/" }]), ...pages(1_000)];
  const paths = (records: LogRecord[]) => records.map((r) => r.path!);

  it("past maxDistinct, counts a hash-chosen sample exactly, sketches the rest and states its error bound", () => {
    const records = overflowing();
    const rule = byTheRule(paths(records), 100);
    const fitted = fitDetector({
      detector: rarity,
      options: { fields: ["path"], maxDistinct: 100, budget: null, minCount: 50 },
      records,
    });
    const bound = Math.ceil((Math.E / 2719) * rule.spilled);
    const sketchedPage = rule.sketched.find((v) => v.startsWith("/item"))!;
    const [finding] = fitted.score(makeRecord({ path: sketchedPage }));
    const count = finding!.counts.count!;
    expect([finding!.counts.error_bound, count >= 1 && count <= 1 + bound]).toEqual([bound, true]);
    expect(finding!.statistics).toEqual({ confidence: 1 - Math.exp(-5) });
    expect(finding!.message).toBe(
      `path ${quoteValue(sketchedPage)} seen about ${count} times in 10,000 requests (p≈${formatProbability(count / 10_000)}; count-min estimate, at most ${bound} too high with 99.3% confidence)`,
    );
    const exactPage = rule.exact.find((v) => v.startsWith("/item"))!;
    expect(fitted.score(makeRecord({ path: exactPage })).map((f) => f.message)).toEqual([
      `path ${quoteValue(exactPage)} seen 1 time in 10,000 requests (p=0.0001)`,
    ]);
    expect(fitted.warnings).toEqual([
      `rarity: path: more than 100 distinct values, so a hash-chosen sample of ${rule.exact.length} is counted exactly and the ${formatCount(rule.spilled)} requests with any other value in a count-min sketch (counts at most ${bound} too high with 99% confidence)`,
    ]);
  });

  it("keeps the budget's promise on an overflowed field by reserving the sketched requests", () => {
    const records = overflowing();
    const rule = byTheRule(paths(records), 100);
    const fitted = fitDetector({
      detector: rarity,
      options: { fields: ["path"], maxDistinct: 100, budget: 0.01 },
      records,
    });
    // The reserve: exact values seen once (Good–Turing) plus every sketched request, whatever its value.
    const singletons = rule.exact.filter((v) => rule.counts.get(v) === 1).length;
    const share = Number((((singletons + rule.spilled) / 10_000) * 100).toPrecision(2));
    const probes = [rule.exact[0]!, rule.sketched.find((v) => v.startsWith("/item"))!];
    expect(probes.map((path) => fitted.score(makeRecord({ path })))).toEqual([[], []]);
    expect(fitted.warnings).toContain(
      `rarity: path: ${share}% of baseline requests carry a value seen once or counted in the sketch; 1 of 1 clients (100%) produced them, more than the 1% alert budget, so new and rare values are normal here and rarity flags nothing on this field`,
    );
  });

  it("warns about a field where nearly every value is unique", () => {
    const fitted = fitDetector({ detector: rarity, options: { fields: ["path"] }, records: pages(300) });
    expect(fitted.warnings[0]).toBe(
      "rarity: path: nearly every value is unique (300 distinct in 300 requests), so its rarity measures novelty rather than oddness; prefer a coarser field (path_template, endpoint)",
    );
    expect(fitted.score(makeRecord({ path: "/item?page=7" }))).toEqual([]);
  });
});

describe("rarity: merging, saving, determinism", () => {
  const table = makeRecords([
    { times: 40, ip: "10.0.0.1", status: 200, user_agent: "curl" },
    { times: 7, ip: "10.0.0.2", status: 404, user_agent: "wget" },
    { times: 2, ip: "__proto__", status: 500, user_agent: "constructor" },
    { times: 1, ip: "10.0.0.3", status: 200, user_agent: "Python-urllib/3.7" },
  ]);
  const options = { fields: ["ip", "status", "user_agent"], budget: 0.1 };

  it("fitting on shards and merging equals fitting on the whole", () => {
    fc.assert(
      fc.property(fc.nat(table.length), fc.nat(table.length), (i, j) => {
        const [x, y] = [i, j].sort((p, q) => p - q) as [number, number];
        const whole = fitDetector({ detector: rarity, options, records: table });
        const sharded = fitDetectorOnShards({
          detector: rarity,
          options,
          shards: [table.slice(0, x), table.slice(x, y), table.slice(y)],
        });
        expect(sharded.hooks.toJSON(sharded.state)).toEqual(whole.hooks.toJSON(whole.state));
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it("past maxDistinct, fitting shuffled shards and merging saves the very model of the whole fit", () => {
    // 300 ips (1 to 5 requests each) and 70 user agents over a cap of 40: both fields overflow.
    const records = makeRecords(
      Array.from({ length: 300 }, (_, i) => ({
        ip: `10.0.${i >> 8}.${i & 255}`,
        user_agent: `agent-${i % 70}`,
        times: 1 + (i % 5),
      })),
    );
    const capped = { fields: ["ip", "user_agent"], maxDistinct: 40 };
    const whole = fitDetector({ detector: rarity, options: capped, records });
    const saved = whole.hooks.toJSON(whole.state) as { fields: Array<{ counter: BoundedCounterJSON }> };
    expect(saved.fields.map((f) => f.counter.ceiling)).toEqual([
      byTheRule(
        records.map((r) => r.ip!),
        40,
      ).ceiling,
      byTheRule(
        records.map((r) => r.user_agent!),
        40,
      ).ceiling,
    ]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(records, { minLength: records.length }),
        fc.nat(records.length),
        fc.nat(records.length),
        (shuffled, i, j) => {
          const [x, y] = [i, j].sort((p, q) => p - q) as [number, number];
          const sharded = fitDetectorOnShards({
            detector: rarity,
            options: capped,
            shards: [shuffled.slice(0, x), shuffled.slice(x, y), shuffled.slice(y)],
          });
          expect(JSON.stringify(sharded.hooks.toJSON(sharded.state))).toBe(JSON.stringify(saved));
        },
      ),
      { seed: 42, numRuns: 25 },
    );
  });

  it("saves counts sorted by count then value, whatever order the records came in", () => {
    const forward = fitDetector({ detector: rarity, options, records: table });
    const backward = fitDetector({ detector: rarity, options, records: [...table].reverse() });
    expect(backward.hooks.toJSON(backward.state)).toEqual(forward.hooks.toJSON(forward.state));
    expect(forward.hooks.toJSON(forward.state)).toMatchObject({
      version: 2,
      fields: [
        {
          field: "ip",
          counter: {
            total: 50,
            values: [
              ["10.0.0.1", 40],
              ["10.0.0.2", 7],
              ["__proto__", 2],
              ["10.0.0.3", 1],
            ],
            sketch: null,
          },
        },
        { field: "status" },
        { field: "user_agent" },
      ],
    });
  });

  it("scores the same after a JSON round trip", () => {
    const fitted = fitDetector({ detector: rarity, options, records: table });
    const loaded = roundTrip(fitted);
    const probes = [...table.slice(-3), makeRecord({ ip: "192.0.2.1", user_agent: "toString" })];
    const findings = (f: typeof fitted): Finding[][] => probes.map((r) => [...f.score(r)]);
    expect(findings(loaded)).toEqual(findings(fitted));
    expect(findings(fitted).flat().length).toBe(10);
  });

  it("summarizes each field's head and flagged tail, most frequent first", () => {
    const fitted = fitDetector({ detector: rarity, options, records: table });
    expect(fitted.hooks.summarize!(fitted.state)[2]).toEqual({
      kind: "frequencies",
      detector: "rarity",
      field: "user_agent",
      total: 50,
      distinct: 4,
      values: [
        { value: "curl", count: 40, probability: 0.8, flagged: false },
        { value: "wget", count: 7, probability: 0.14, flagged: false },
        { value: "constructor", count: 2, probability: 0.04, flagged: true },
        { value: "Python-urllib/3.7", count: 1, probability: 0.02, flagged: true },
      ],
      threshold: 0.04,
    });
  });

  it("summarizes a long field as its 20 most frequent and 30 rarest values", () => {
    const records = makeRecords(Array.from({ length: 80 }, (_, i) => ({ ip: `10.0.${i}.1`, times: i + 1 })));
    const fitted = fitDetector({ detector: rarity, options: { fields: ["ip"] }, records });
    const [summary] = fitted.hooks.summarize!(fitted.state);
    expect(summary!.kind === "frequencies" && summary!.values.map((v) => v.count)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 80 - i),
      ...Array.from({ length: 30 }, (_, i) => 30 - i),
    ]);
  });
});

describe("rarity: saved state validation", () => {
  const fitted = fitDetector({ detector: rarity, options: UA_ONLY, records: agents({ curl: 3, wget: 1 }) });
  const saved = () =>
    JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as {
      version: number;
      fields: Array<{ field: string; counter: BoundedCounterJSON; oneOffs: Array<[string, number]> | null }>;
    };

  it.each([
    [
      "another version",
      (j: ReturnType<typeof saved>) => (j.version = 1),
      "state.version: expected version 2",
    ],
    [
      "a value seen once without its client",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.oneOffs = []),
      'state.fields[0].oneOffs: lacks the client of "wget", seen once',
    ],
    [
      "a client for a value seen more than once",
      (j: ReturnType<typeof saved>) => j.fields[0]!.oneOffs!.push(["curl", 7]),
      "state.fields[0].oneOffs: expected each value seen once exactly, listed once",
    ],
    [
      "a negative count",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.counter.values[1]![1] = -1),
      "state.fields[0].counter.values[1][1]: expected a count",
    ],
    [
      "a fractional count",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.counter.values[0]![1] = 2.5),
      "state.fields[0].counter.values[0][1]: expected a count",
    ],
    [
      "a huge count",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.counter.values[0]![1] = 1e300),
      "state.fields[0].counter.values[0][1]: expected a count",
    ],
    [
      "another field",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.field = "ip"),
      'state.fields[0].field: is "ip" but the options list "user_agent" here',
    ],
    [
      "a missing field",
      (j: ReturnType<typeof saved>) => j.fields.pop(),
      "state.fields: holds 0 fields but the options list 1",
    ],
    [
      "another cap",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.counter.maxDistinct = 5),
      "state.fields[0].counter.maxDistinct: is 5 but the options say 10000",
    ],
    [
      "counts that do not add up",
      (j: ReturnType<typeof saved>) => (j.fields[0]!.counter.total = 5),
      "state.fields[0].counter.total: is 5 but the counts add up to 4",
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

describe("rarity: options", () => {
  function issues(options: unknown): readonly string[] {
    try {
      fitDetector({ detector: rarity, options, records: [] });
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  }

  it("names the key path and what was expected", () => {
    expect(issues({ budget: "high" })).toEqual([
      'detectors[0].options.budget: expected a share of requests above 0 and at most 0.5 (0.01 = 1%), or null to turn the budget off, received "high"',
    ]);
    expect(issues({ fields: ["ip", { field: "path", threshold: 2 }] })).toEqual([
      "detectors[0].options.fields[1].threshold: expected a probability above 0 and below 1 (e.g. 0.001), or null to turn it off, received 2",
    ]);
    expect(issues({ minCount: 2.5 })).toEqual([
      "detectors[0].options.minCount: expected a whole number of requests ≥ 1 (e.g. 5), or null to turn it off, received 2.5",
    ]);
    expect(issues({ maxDistinct: 0 })).toEqual([
      "detectors[0].options.maxDistinct: expected a whole number of distinct values from 1 to 1,000,000, received 0",
    ]);
  });

  it("refuses a field listed twice, even under an alias", () => {
    expect(issues({ fields: ["status", "status_code"] })).toEqual([
      'detectors[0].options.fields[1]: "status" is already watched by fields[0]; list each field once, received "status_code"',
    ]);
  });

  it("refuses limits that could never flag anything", () => {
    expect(issues({ budget: null, minCount: null })).toEqual([
      "detectors[0].options.budget: budget, threshold and minCount are all null, so nothing could be flagged; set at least one, received null",
    ]);
  });

  it("suggests the option a misspelt key meant", () => {
    expect(issues({ treshold: 0.01 })).toEqual([
      'detectors[0].options.treshold: unknown option; did you mean "threshold"?',
    ]);
  });

  it("defaults to the lesson's fields, a 0.5% budget, habits from 20 requests, Laplace smoothing, 10,000 exact values per field and clients by ip", () => {
    expect(rarity.meta.options["~standard"].validate({})).toEqual({
      value: {
        fields: ["method", "http_version", "status", "user_agent", "ip", "path_template"],
        budget: 0.005,
        threshold: null,
        minCount: 20,
        smoothing: 1,
        maxDistinct: 10_000,
        client: "ip",
        oneOffClients: 0.25,
      },
    });
  });
});

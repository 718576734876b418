import {
  ConfigError,
  ModelError,
  createPipeline,
  fieldReader,
  formatCount,
  type DistributionSummary,
  type LogRecord,
} from "@oddity/core";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import sizeDefault, { size } from "./index.js";
import type { SizeStateJSON } from "./serialize.js";
import { groupReader } from "./state.js";

const SALES = "/api/v1/sales?page=1";

/**
 * 40 sales pages: 10 × 508,000, 20 × 510,000, 10 × 512,000 → q1 509,500, median 510,000, q3 510,500
 * (type 7: h = 39p); deviations from the median are 20 × 0 and 20 × 2,000, so MAD 1,000.
 */
function salesPages(): LogRecord[] {
  return makeRecords([
    { times: 10, path: SALES, size: 508_000 },
    { times: 20, path: "/api/v1/sales?page=2", size: 510_000 },
    { times: 10, path: "/api/v1/sales?page=3", size: 512_000 },
  ]);
}

/**
 * The purely statistical fences of the method, as the tests of its arithmetic need them: no magnitude
 * floors, every value past a fence a finding, the upper side only.
 */
const STATISTICAL = { minRelativeDeviation: 0, minRatio: 1, maxProbability: 1, side: "upper" } as const;

function fit(records: LogRecord[], options: Record<string, unknown> = {}) {
  return fitDetector({ detector: size, options, records });
}

/** The per-group rows of a fitted detector's summary. */
function groupRows(fitted: ReturnType<typeof fit>): DistributionSummary["groups"] {
  const summary = fitted.hooks.summarize!(fitted.state).find(
    (s) => s.kind === "distribution" && s.groupBy !== null,
  );
  if (summary?.kind !== "distribution") throw new Error("no grouped summary");
  return summary.groups;
}

describe("size detector", () => {
  it("is the package's default export too", () => {
    expect(sizeDefault).toBe(size);
    expect(size.meta).toMatchObject({ name: "size", apiVersion: 1 });
  });

  it("flags 2,056,327 bytes among ~510 kB sales pages, naming the group, its median and the fence", () => {
    const fitted = fit(salesPages(), { ...STATISTICAL });
    const [finding, ...rest] = fitted.score(makeRecord({ path: "/api/v1/sales?page=79", size: 2_056_327 }));
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      detector: "size",
      kind: "high",
      fields: ["size", "path_template"],
      values: ["2056327", "/api/v1/sales?page=:n"],
      probability: 1 / 41,
      surprisal: Math.log2(41),
      threshold: { name: "upper_fence", direction: "above", value: 512_000 },
      counts: { group_count: 40, reference_count: 40, tail_count: 0, missing_count: 0 },
      message:
        'size 2,056,327 bytes for "/api/v1/sales?page=:n" (group median 510,000; upper fence 512,000; 0 of 40 at least as large, p=0.024)',
      statistics: {
        value: 2_056_327,
        median: 510_000,
        q1: 509_500,
        q3: 510_500,
        iqr: 1000,
        mad: 1000,
        mean: expect.closeTo(510_000, 6) as number,
        std: expect.closeTo(Math.sqrt((20 * 2000 ** 2) / 39), 6) as number,
        relative_error: 0,
        upper_fence: 512_000,
        robust_z: expect.closeTo((0.6745 * 1_546_327) / 1000, 6) as number,
        z: expect.closeTo(1_546_327 / Math.sqrt((20 * 2000 ** 2) / 39), 6) as number,
      },
    });
  });

  it("does not flag a size on the fence or inside it", () => {
    const fitted = fit(salesPages(), { ...STATISTICAL });
    expect(fitted.score(makeRecord({ path: SALES, size: 512_000 }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: SALES, size: 100 }))).toEqual([]);
  });

  it("counts baseline values at or past the scored one in the tail probability", () => {
    const records = [...salesPages(), makeRecord({ path: SALES, size: 900_000 })];
    const fitted = fit(records, { ...STATISTICAL });
    const [finding] = fitted.score(records.at(-1)!);
    expect(finding!.counts).toEqual({
      group_count: 41,
      reference_count: 41,
      tail_count: 1,
      missing_count: 0,
    });
    expect(finding!.probability).toBe(2 / 42);
  });

  it("compares a group with too few records against all records on a log scale, and says so", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 3, path: "/api/v1/items/", size: 3561 }])];
    const fitted = fit(records, { ...STATISTICAL });
    const [finding] = fitted.score(makeRecord({ path: "/api/v1/items/", size: 1_153_005 }));
    expect(finding!.counts).toEqual({ group_count: 3, reference_count: 43, tail_count: 0, missing_count: 0 });
    // 43 values: 3 × 3,561, 10 × 508,000, 20 × 510,000, 10 × 512,000 → q1 (h = 10.5) 508,000, q3 (h = 31.5)
    // 510,000; the fallback fence is Tukey's on log(1 + size): expm1(L3 + 1.5·(L3 − L1)).
    const l1 = Math.log1p(508_000);
    const l3 = Math.log1p(510_000);
    const fence = Math.expm1(l3 + 1.5 * (l3 - l1));
    expect(finding!.message).toBe(
      `size 1,153,005 bytes for "/api/v1/items/" (group has 3 of the 20 records needed, so compared with all: median 510,000; upper fence ${formatCount(Math.round(fence))}; 0 of 43 at least as large, p=0.023)`,
    );
    expect(finding!.statistics).toMatchObject({ q1: 508_000, median: 510_000, q3: 510_000 });
    expect(finding!.statistics!.upper_fence).toBeCloseTo(fence, 6);
  });

  it("uses linear fences for the fallback with fallbackScale linear", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 3, path: "/api/v1/items/", size: 3561 }])];
    const fitted = fit(records, { ...STATISTICAL, fallbackScale: "linear" });
    const [finding] = fitted.score(makeRecord({ path: "/api/v1/items/", size: 1_153_005 }));
    // linear Tukey: 510,000 + 1.5 × (510,000 − 508,000)
    expect(finding!.statistics).toMatchObject({ q1: 508_000, q3: 510_000, upper_fence: 513_000 });
  });

  it("does not flag an ordinary large file of a rare path when all records mix sizes across magnitudes", () => {
    // Quartiles 4,000 and 40,000: the linear fence is 40,000 + 1.5 × 36,000 = 94,000 bytes, so a 175 kB
    // image would be flagged; on a log scale it is a ratio of 4.4 above q3, inside the fence (≈1.26 MB).
    const mixed = makeRecords([
      { times: 30, path: "/app.css", size: 4_000 },
      { times: 30, path: "/index.html", size: 12_000 },
      { times: 30, path: "/app.js", size: 40_000 },
    ]);
    const linear = fit(mixed, { fallbackScale: "linear" });
    const log = fit(mixed);
    const image = makeRecord({ path: "/photo-1.jpg", size: 175_000 });
    expect(linear.score(image)).toHaveLength(1);
    expect(log.score(image)).toEqual([]);
    expect(log.score(makeRecord({ path: "/photo-1.jpg", size: 90_000_000 }))).toHaveLength(1);
  });

  it("ignores small groups instead with fallback none", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 3, path: "/api/v1/items/", size: 3561 }])];
    const fitted = fit(records, { fallback: "none" });
    expect(fitted.score(makeRecord({ path: "/api/v1/items/", size: 1_153_005 }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: SALES, size: 1_153_005 }))).toHaveLength(1);
  });

  it("uses one distribution for all records with groupBy null", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 40, path: "/", size: 42 }])];
    const fitted = fit(records, { groupBy: null });
    // 80 values, half 42: median (h = 39.5) is 42 + 0.5 × (508,000 − 42); 508,000 would stand out in a "/" group
    expect(fitted.score(makeRecord({ path: "/", size: 508_000 }))).toEqual([]);
    const [finding] = fitted.score(makeRecord({ path: "/", size: 2_000_000 }));
    expect(finding).toMatchObject({
      fields: ["size"],
      values: ["2000000"],
      counts: { group_count: 0, reference_count: 80 },
    });
  });

  it("groups by several fields when given a list", () => {
    const records = makeRecords([
      { times: 30, path: "/download", status: 200, size: 80_000_000 },
      { times: 30, path: "/download", status: 404, size: 335 },
    ]);
    const fitted = fit(records, { groupBy: ["path", "status"], side: "upper" });
    expect(fitted.score(makeRecord({ path: "/download", status: 200, size: 81_000_000 }))).toEqual([]);
    const [finding] = fitted.score(makeRecord({ path: "/download", status: 404, size: 80_000_000 }));
    expect(finding).toMatchObject({
      fields: ["size", "path", "status"],
      values: ["80000000", "/download", "404"],
    });
    expect(finding!.message).toContain('for path="/download" status="404" (group median 335;');
  });

  it("skips records without a size (`-`), counts them, and never scores them", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 5, path: SALES, size: null }])];
    const fitted = fit(records);
    expect(fitted.score(makeRecord({ path: SALES, size: null }))).toEqual([]);
    const [finding] = fitted.score(makeRecord({ path: SALES, size: 2_056_327 }));
    expect(finding!.counts).toEqual({
      group_count: 40,
      reference_count: 40,
      tail_count: 0,
      missing_count: 5,
    });
    const [all] = fitted.hooks.summarize!(fitted.state);
    expect(all).toMatchObject({ groupBy: null, groups: [{ group: "all", count: 40, missing: 5 }] });
  });

  it("warns when the field never holds a number", () => {
    const fitted = fit(makeRecords([{ times: 30 }]), { field: "response_time_ms" });
    expect(fitted.warnings).toEqual([
      'size: field "response_time_ms" had no numeric value in 30 records; check the field name',
    ]);
  });

  it("reads any numeric field, such as a response time carried in extras", () => {
    const records = makeRecords([
      { times: 20, path: "/api", extra: { response_time_ms: "12" } },
      { times: 20, path: "/api", extra: { response_time_ms: "14" } },
    ]);
    const fitted = fit(records, { field: "response_time_ms" });
    const [finding] = fitted.score(makeRecord({ path: "/api", extra: { response_time_ms: "5000" } }));
    expect(finding!.message).toBe(
      'response_time_ms 5,000 for "/api" (group median 13; upper fence 28; 0 of 40 at least as large, p=0.049)',
    );
  });
});

describe("sides", () => {
  const records = [...salesPages(), ...makeRecords([{ times: 3, path: SALES, size: 130_921 }])];
  const low = makeRecord({ path: SALES, size: 130_921 });
  const high = makeRecord({ path: SALES, size: 2_056_327 });

  it("looks only at sizes that are too large with side upper", () => {
    const fitted = fit(records, { side: "upper" });
    expect(fitted.score(low)).toEqual([]);
    expect(fitted.score(high).map((f) => f.kind)).toEqual(["high"]);
  });

  it("catches the 130,921-byte low tail with side lower, and only that side", () => {
    const fitted = fit(records, { ...STATISTICAL, side: "lower" });
    expect(fitted.score(high)).toEqual([]);
    const [finding] = fitted.score(low);
    expect(finding).toMatchObject({
      kind: "low",
      threshold: { name: "lower_fence", direction: "below" },
      counts: { tail_count: 3, reference_count: 43 },
      probability: 4 / 44,
    });
  });

  it("tests both sides with side both and doubles the one-sided tail probability", () => {
    const fitted = fit(records, { ...STATISTICAL, side: "both" });
    expect(fitted.score(low)[0]).toMatchObject({ kind: "low", probability: 8 / 44 });
    expect(fitted.score(high)[0]).toMatchObject({ kind: "high", probability: 2 / 44 });
  });
});

describe("groups that never vary", () => {
  const home = makeRecords([{ times: 107, path: "/", size: 42 }]);

  it("ignores a change by default unless the size at least doubles (minRatio 2)", () => {
    const fitted = fit(home);
    expect(fitted.score(makeRecord({ path: "/", size: 47 }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: "/", size: 85 }))[0]).toMatchObject({
      threshold: { name: "upper_fence", value: 84 },
    });
  });

  it("ignores a one-byte change with minRatio 1 (within 10% of the median)", () => {
    const fitted = fit(home, { side: "both", minRatio: 1 });
    expect(fitted.score(makeRecord({ path: "/", size: 43 }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: "/", size: 47 }))[0]).toMatchObject({
      threshold: { name: "upper_fence", value: 46.2 },
    });
  });

  it("flags any change with minRelativeDeviation 0, with p = 1/108 after 107 identical sizes", () => {
    const fitted = fit(home, { ...STATISTICAL });
    expect(fitted.score(makeRecord({ path: "/", size: 43 }))[0]).toMatchObject({
      probability: 1 / 108,
      threshold: { value: 42 },
      statistics: { iqr: 0, mad: 0, std: 0 },
    });
  });
});

describe("methods", () => {
  // 1..8 then 100 in one group: median 5, MAD 2, mean 136/9
  const records = [...makeRecords([1, 2, 3, 4, 5, 6, 7, 8, 100].map((size) => ({ path: "/x", size })))];

  it("flags by robust z (MAD) with the Iglewicz–Hoaglin cut-off 3.5 by default", () => {
    const fitted = fit(records, { ...STATISTICAL, method: "mad", minGroupSize: 5 });
    // fence 5 + 3.5 × 2 / 0.6745 ≈ 15.38
    expect(fitted.score(makeRecord({ path: "/x", size: 15 }))).toEqual([]);
    const [finding] = fitted.score(makeRecord({ path: "/x", size: 16 }));
    expect(finding!.statistics!.robust_z).toBeCloseTo((0.6745 * 11) / 2, 12);
    expect(finding!.threshold.value).toBeCloseTo(5 + 7 / 0.6745, 12);
  });

  it("flags by z-score with the cut-off given as threshold", () => {
    const fitted = fit(records, { ...STATISTICAL, method: "zscore", threshold: 2, minGroupSize: 5 });
    const mean = 136 / 9;
    const std = Math.sqrt([1, 2, 3, 4, 5, 6, 7, 8, 100].reduce((s, v) => s + (v - mean) ** 2, 0) / 8);
    expect(fitted.score(makeRecord({ path: "/x", size: 100 }))[0]!.threshold.value).toBeCloseTo(
      mean + 2 * std,
      10,
    );
    expect(fitted.score(makeRecord({ path: "/x", size: 60 }))).toEqual([]);
  });
});

describe("options", () => {
  const configure = (options: unknown) => () =>
    createPipeline({ detectors: [{ use: "size", options, definition: size }] });

  it("fills every default", () => {
    expect(configure({})().detectors[0]!.options).toEqual({
      field: "size",
      method: "iqr",
      side: "auto",
      groupBy: "path_template",
      fallback: "global",
      fallbackScale: "log",
      minGroupSize: 20,
      maxGroups: 500,
      exactLimit: 1000,
      relativeAccuracy: 0.001,
      minRelativeDeviation: 0.1,
      minRatio: 2,
      maxProbability: 0.05,
    });
  });

  it.each([
    [{ k: -1 }, "detectors[0].options.k: expected a positive multiplier of the IQR, e.g. 1.5, received -1"],
    [{ side: "up" }, 'detectors[0].options.side: expected "auto", "upper", "lower" or "both", received "up"'],
    [
      { minGroupSize: 1.5 },
      "detectors[0].options.minGroupSize: expected a whole number of records ≥ 2, received 1.5",
    ],
    [
      { method: "mad", k: 3 },
      'detectors[0].options.k: k is the IQR multiplier and applies to method "iqr" only; use threshold with method "mad", received 3',
    ],
    [
      { threshold: 3 },
      'detectors[0].options.threshold: threshold is a z cut-off for methods "mad" and "zscore"; use k with method "iqr", received 3',
    ],
    [
      { relativeAccuracy: 0.5 },
      "detectors[0].options.relativeAccuracy: expected a relative error between 0 and 0.05, e.g. 0.001, received 0.5",
    ],
  ])("rejects %j with a message naming the key and the fix", (options, message) => {
    expect(configure(options)).toThrow(ConfigError);
    expect(configure(options)).toThrow(message);
  });

  it("rejects a misspelt option instead of ignoring it", () => {
    expect(configure({ treshold: 3 })).toThrow(/detectors\[0\]\.options.*treshold/);
  });
});

describe("groups", () => {
  it("keeps only the maxGroups most frequent groups and compares the rest with all records", () => {
    const records = makeRecords([
      { times: 30, path: "/a", size: 100 },
      { times: 25, path: "/b", size: 100 },
      { times: 21, path: "/c", size: 100 },
    ]);
    const fitted = fit(records, { maxGroups: 2 });
    expect(groupRows(fitted).map((g) => g.group)).toEqual(["/a", "/b"]);
    expect(fitted.warnings).toEqual([
      "size: more than 2 groups of path_template; the less frequent were compared with all records (maxGroups)",
    ]);
    const [finding] = fitted.score(makeRecord({ path: "/c", size: 1000 }));
    expect(finding!.counts).toMatchObject({ group_count: 21, reference_count: 76 });
    expect(finding!.message).toContain("group not among the 2 largest (maxGroups), so compared with all");
  });

  it("bounds tracked groups by key hash, so shards merge to the same state as one fit", () => {
    // maxGroups 1 tracks max(20, 10,000) groups; 12,000 one-record groups force the hash ceiling down.
    const records = Array.from({ length: 12_000 }, (_, i) =>
      makeRecord({ path: `/p${i}`, size: 10 + (i % 7) }),
    );
    const whole = fit(records, { maxGroups: 1 });
    const shards = [records.filter((_, i) => i % 3 === 0), records.filter((_, i) => i % 3 !== 0).reverse()];
    const merged = fitDetectorOnShards({ detector: size, options: { maxGroups: 1 }, shards });
    const json = JSON.stringify(whole.hooks.toJSON(whole.state));
    expect(JSON.stringify(merged.hooks.toJSON(merged.state))).toBe(json);
    const saved = JSON.parse(json) as SizeStateJSON;
    expect(saved.groups).toHaveLength(10_000);
    expect(saved.evicted).toBe(2_000);
    expect(saved.hashCeiling).toBeLessThan(2 ** 32);
  });

  it("counts every record of an untracked group as evicted, also the one whose new group the cut removes", () => {
    // Past 20,000 tracked groups (2 × 10,000) fitting cuts back as it goes, and may cut the group just added.
    const records = Array.from({ length: 20_500 }, (_, i) => makeRecord({ path: `/p${i}`, size: 10 }));
    const evicted = (list: LogRecord[]) => {
      const fitted = fit(list, { maxGroups: 1 });
      return (fitted.hooks.toJSON(fitted.state) as SizeStateJSON).evicted;
    };
    expect([evicted(records), evicted([...records].reverse())]).toEqual([10_500, 10_500]);
  });

  it("tells groups of several fields apart whatever their values hold, also once its cache starts afresh", () => {
    const read = groupReader({ groupBy: ["path", "method"], fieldReader })!;
    const first = read(makeRecord({ path: '/a","b', method: "GET" }));
    expect(first).toEqual({ key: '["/a\\",\\"b","GET"]', labels: ['/a","b', "GET"] });
    expect(read(makeRecord({ path: "/a", method: '","bGET' }))!.key).not.toBe(first!.key);
    // 100,000 nodes fill the cache; the groups read after it empties are still the right ones.
    for (let i = 0; i < 60_000; i++) read(makeRecord({ path: `/p${i}`, method: "GET" }));
    expect(read(makeRecord({ path: "/p7", method: "PUT" }))).toEqual({
      key: '["/p7","PUT"]',
      labels: ["/p7", "PUT"],
    });
    expect(read(makeRecord({ path: '/a","b', method: "GET" }))).toEqual(first);
    expect(read(makeRecord({ path: null, method: "GET" }))).toBeNull();
  });

  it("counts groups named __proto__ and constructor like any other", () => {
    const records = makeRecords([
      { times: 20, path: "__proto__", size: 10 },
      { times: 20, path: "constructor", size: 20 },
    ]);
    const fitted = fit(records, { ...STATISTICAL });
    const rows = groupRows(fitted);
    expect(rows.map((r) => [r.group, r.count, r.median])).toEqual([
      ["__proto__", 20, 10],
      ["constructor", 20, 20],
    ]);
    expect(fitted.score(makeRecord({ path: "__proto__", size: 500 }))[0]!.values).toEqual([
      "500",
      "__proto__",
    ]);
  });

  it("escapes control characters of a hostile path in the message", () => {
    const path = "/\u001b]0;pwned\u0007";
    const fitted = fit(makeRecords([{ times: 20, path, size: 10 }]), { ...STATISTICAL });
    const [finding] = fitted.score(makeRecord({ path, size: 5000 }));
    expect(finding!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(finding!.message).toContain('for "/\\u001b]0;pwned\\u0007"');
  });
});

describe("summary", () => {
  it("describes all records and each scored group with quartiles and fences", () => {
    const records = [...salesPages(), ...makeRecords([{ times: 3, path: "/", size: 42 }])];
    const fitted = fit(records, { ...STATISTICAL });
    expect(fitted.hooks.summarize!(fitted.state)).toEqual([
      {
        kind: "distribution",
        detector: "size",
        field: "size",
        groupBy: null,
        groups: [
          {
            group: "all",
            count: 43,
            min: 42,
            q1: 508_000,
            median: 510_000,
            q3: 510_000,
            max: 512_000,
            lowerFence: null,
            upperFence: Math.expm1(Math.log1p(510_000) + 1.5 * (Math.log1p(510_000) - Math.log1p(508_000))),
            relativeError: 0,
            missing: 0,
          },
        ],
      },
      {
        kind: "distribution",
        detector: "size",
        field: "size",
        groupBy: "path_template",
        groups: [
          {
            group: "/api/v1/sales?page=:n",
            count: 40,
            min: 508_000,
            q1: 509_500,
            median: 510_000,
            q3: 510_500,
            max: 512_000,
            lowerFence: null,
            upperFence: 512_000,
            relativeError: 0,
          },
        ],
      },
    ]);
  });
});

describe("merging and saving", () => {
  /** Three groups; /big has 1,500 distinct sizes so it is sketched with the default exactLimit. */
  function mixed(): LogRecord[] {
    const records: LogRecord[] = [
      ...salesPages(),
      ...makeRecords([
        { times: 25, path: "/", size: 42 },
        { times: 4, size: null },
      ]),
    ];
    for (let i = 0; i < 3000; i++)
      records.push(makeRecord({ path: "/big", size: 10_000 + ((i * 7919) % 1500) * 13 }));
    return records;
  }
  const probes = [
    makeRecord({ path: SALES, size: 2_056_327 }),
    makeRecord({ path: "/big", size: 90_000 }),
    makeRecord({ path: "/", size: 420 }),
    makeRecord({ path: "/unseen", size: 5_000_000 }),
  ];

  it("fits on shards and merges to byte-identical JSON and the same scores as one fit", () => {
    const records = mixed();
    const whole = fit(records, { side: "both" });
    const shards = [records.slice(0, 1000), records.slice(1000, 1001), records.slice(1001)];
    const merged = fitDetectorOnShards({ detector: size, options: { side: "both" }, shards });
    const a = JSON.stringify(whole.hooks.toJSON(whole.state));
    const b = JSON.stringify(merged.hooks.toJSON(merged.state));
    expect(a).toContain('"sketch"');
    expect(b).toBe(a);
    for (const probe of probes) {
      expect(merged.score(probe).map((f) => [f.kind, f.probability, f.threshold])).toEqual(
        whole.score(probe).map((f) => [f.kind, f.probability, f.threshold]),
      );
    }
  });

  it("gives byte-identical JSON for the same baseline, and scores the same after a round trip", () => {
    const first = fit(mixed(), { ...STATISTICAL });
    const second = fit(mixed(), { ...STATISTICAL });
    expect(JSON.stringify(second.hooks.toJSON(second.state))).toBe(
      JSON.stringify(first.hooks.toJSON(first.state)),
    );
    const loaded = roundTrip(first);
    expect(JSON.stringify(loaded.hooks.toJSON(loaded.state))).toBe(
      JSON.stringify(first.hooks.toJSON(first.state)),
    );
    for (const probe of probes) expect(loaded.score(probe)).toEqual(first.score(probe));
    expect(probes.map((p) => first.score(p).length)).toEqual([1, 1, 1, 1]);
  });

  const saved = (): SizeStateJSON => {
    const fitted = fit(mixed());
    return JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as SizeStateJSON;
  };
  const load = (json: unknown) => () => fit([]).hooks.fromJSON(json);

  it.each<[string, (json: SizeStateJSON) => unknown, RegExp]>([
    ["not an object", () => "size", /size state/],
    ["another version", (j) => ({ ...j, version: 2 }), /version 2 is not supported/],
    ["an unknown key", (j) => ({ ...j, extra: 1 }), /size state/],
    ["a negative count", (j) => ({ ...j, missing: -1 }), /size state at missing/],
    [
      "NaN (null in JSON)",
      (j) => ({ ...j, global: { ...j.global, min: null } }),
      /min and max are inconsistent/,
    ],
    [
      "counts that do not add up",
      (j) => ({ ...j, global: { ...j.global, count: j.global.count + 1 } }),
      /add up to/,
    ],
    ["another field", (j) => ({ ...j, field: "extra" }), /fitted for field "extra"/],
    ["another sketch accuracy", (j) => ({ ...j, relativeAccuracy: 0.01 }), /sketched with 0.01/],
    [
      "a forged sketch bin",
      (j) => {
        const big = j.groups.find((g) => g.distribution.sketch)!;
        big.distribution.sketch!.positive.at(-1)![0] = 1e9;
        return j;
      },
      /bin key 1000000000 is outside what the sketch can produce/,
    ],
    [
      "a fractional sketch bin key",
      (j) => {
        const big = j.groups.find((g) => g.distribution.sketch)!;
        big.distribution.sketch!.positive[0]![0] = 1.5;
        return j;
      },
      /at groups\.\d+\.distribution\.sketch\.positive\.0\.0: expected a whole bin key/,
    ],
    [
      "a zero bin count",
      (j) => {
        const big = j.groups.find((g) => g.distribution.sketch)!;
        big.distribution.sketch!.negative.push([1, 0]);
        return j;
      },
      /sketch\.negative\.0\.1: expected a count of at least 1/,
    ],
    [
      "an exact value that is not a pair",
      (j) => {
        const small = j.groups.find((g) => g.distribution.values)!;
        (small.distribution.values as unknown[])[0] = 5;
        return j;
      },
      /distribution\.values\.0: expected \[value, count\]/,
    ],
    [
      "an exact value that is text",
      (j) => {
        const small = j.groups.find((g) => g.distribution.values)!;
        (small.distribution.values as unknown[])[0] = ["5", 1];
        return j;
      },
      /distribution\.values\.0\.0: expected a finite number/,
    ],
    ["a group listed twice", (j) => ({ ...j, groups: [...j.groups, j.groups[0]] }), /listed twice/],
    [
      "groups holding more than all",
      (j) => ({
        ...j,
        global: {
          ...j.global,
          sketch: undefined,
          count: 1,
          values: [[1, 1]],
          min: 1,
          max: 1,
        },
      }),
      /more than the 1 seen/,
    ],
  ])("refuses a saved state with %s", (_name, mutate, message) => {
    const attempt = load(mutate(saved()));
    expect(attempt).toThrow(ModelError);
    expect(attempt).toThrow(message);
  });
});

describe("magnitude, not rank", () => {
  /** 1,000 pages of one endpoint whose size varies naturally by ±10% around 3,500 bytes. */
  const varying = () =>
    makeRecords(
      Array.from({ length: 1_000 }, (_, i) => ({ path: "/page", size: 3_150 + ((i * 389) % 701) })),
    );

  it("never flags natural variation: the largest page of a ±10% group is inside a factor 2 of Q3", () => {
    const records = [...varying(), makeRecord({ path: "/page", size: 4_868 })];
    expect(fit(records).score(records.at(-1)!)).toEqual([]);
    // By rank alone (no magnitude floor) it would be flagged as 1 of 1,001.
    expect(fit(records, { minRatio: 1 }).score(records.at(-1)!)[0]!.counts.tail_count).toBe(1);
  });

  it("flags a response over twice the group's upper quartile", () => {
    const [finding] = fit(varying()).score(makeRecord({ path: "/page", size: 9_000 }));
    expect(finding).toMatchObject({ kind: "high", counts: { tail_count: 0, reference_count: 1_000 } });
    expect(finding!.threshold.value).toBe(2 * finding!.statistics!.q3!);
  });

  it("flags truncated responses of a stable group on the lower side by default, testing both sides", () => {
    const pages = makeRecords(
      Array.from({ length: 1_000 }, (_, i) => ({
        path: `/api/v1/sales?page=${i}`,
        size: 508_000 + (i % 5) * 1_000,
      })),
    );
    const truncated = makeRecords([{ times: 3, path: "/api/v1/sales?page=7", size: 130_921 }]);
    const [finding] = fit([...pages, ...truncated]).score(truncated[0]!);
    expect(finding).toMatchObject({
      kind: "low",
      threshold: { name: "lower_fence", direction: "below", value: 509_000 / 2 },
      counts: { tail_count: 3, reference_count: 1_003 },
      probability: (2 * 4) / 1_004,
    });
  });

  it("never flags an empty response as too small: it sent no body, a short one is a truncation", () => {
    const pages = makeRecords([
      { times: 500, path: "/api/v1/items", size: 3_561 },
      { times: 4, path: "/api/v1/items", status: 499, size: 0 },
    ]);
    const fitted = fit(pages);
    expect(fitted.score(makeRecord({ path: "/api/v1/items", status: 499, size: 0 }))).toEqual([]);
    expect(fitted.score(makeRecord({ path: "/api/v1/items", size: 1_000 }))[0]!.kind).toBe("low");
  });

  it("tests only the upper side of a group whose middle half spans more than a factor 2, one-sided", () => {
    // Sizes 100..5,050: Q1 1,337.5 and Q3 3,812.5, a factor 2.85 apart.
    const spread = makeRecords(
      Array.from({ length: 100 }, (_, i) => ({ path: "/search", size: 100 + i * 50 })),
    );
    const [finding] = fit(spread).score(makeRecord({ path: "/search", size: 20_000 }));
    expect(finding).toMatchObject({ kind: "high", probability: 1 / 101 });
    expect(
      fit(spread, { side: "both" }).score(makeRecord({ path: "/search", size: 20_000 }))[0]!.probability,
    ).toBe(2 / 101);
  });

  it("adds nothing for a value past the fences whose tail probability is above maxProbability", () => {
    // The home page has two sizes: 112 × 9,225 and 30 × 45,519 (21% of requests are the large one).
    const home = makeRecords([
      { times: 112, path: "/", size: 9_225 },
      { times: 30, path: "/", size: 45_519 },
    ]);
    const large = makeRecord({ path: "/", size: 45_519 });
    expect(fit(home).score(large)).toEqual([]);
    // The group is stable (Q1 = Q3 = 9,225), so both sides are tested and the tail doubled.
    expect(fit(home, { maxProbability: 1 }).score(large)[0]!.probability).toBeCloseTo((2 * 31) / 143, 12);
  });

  it("compares 206 partials and empty 304s of a path with all records on the upper side only", () => {
    const records = makeRecords([
      { times: 200, path: "/photo.jpg", status: 200, size: 500_000 },
      { times: 100, path: "/", status: 200, size: 9_000 },
      { times: 3, path: "/photo.jpg", status: 206, size: 65_536 },
      { times: 3, path: "/", status: 304, size: 0 },
    ]);
    const fitted = fit(records, { groupBy: ["path_template", "status"] });
    const probes = [
      makeRecord({ path: "/photo.jpg", status: 206, size: 1 }),
      makeRecord({ path: "/", status: 304, size: 0 }),
    ];
    expect(probes.map((r) => fitted.score(r))).toEqual([[], []]);
  });
});

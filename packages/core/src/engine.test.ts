import { describe, expect, it } from "vitest";
import { defineDetector, type AnyDetectorDefinition, type DetectorHooks } from "./detector.js";
import { ConfigError, DetectorError, ModelError } from "./errors.js";
import { NO_FINDINGS, type Finding } from "./finding.js";
import { surprisal } from "./format.js";
import { createFitter, mergeModels, mergeShards, modelFromJSON, modelToJSON } from "./model.js";
import { createPipeline } from "./pipeline.js";
import type { LogRecord } from "./record.js";
import { getFieldText } from "./fields.js";
import {
  TopRecords,
  combineFindings,
  compareScored,
  createScorer,
  fitBatches,
  scoreBatches,
} from "./score.js";
import { makeRecord, makeRecords } from "./testing.js";
import { z } from "zod";

interface CounterState {
  total: number;
  counts: Map<string, number>;
}

// A minimal detector: flags values of one field seen fewer than `minCount` times in the baseline.
const counter = defineDetector({
  meta: {
    name: "counter",
    description: "test detector",
    apiVersion: 1,
    options: z
      .object({ field: z.string().default("user_agent"), minCount: z.number().int().min(1).default(2) })
      .strict(),
  },
  create(options, context): DetectorHooks<CounterState> {
    return {
      init: () => ({ total: 0, counts: new Map<string, number>() }),
      observe(state, record) {
        const value = getFieldText(record, options.field) ?? "-";
        state.total++;
        state.counts.set(value, (state.counts.get(value) ?? 0) + 1);
      },
      merge(a, b) {
        const counts = new Map(a.counts);
        for (const [k, v] of b.counts) counts.set(k, (counts.get(k) ?? 0) + v);
        return { total: a.total + b.total, counts };
      },
      score(state, record): readonly Finding[] {
        const value = getFieldText(record, options.field) ?? "-";
        const count = state.counts.get(value) ?? 0;
        if (count >= options.minCount) return NO_FINDINGS;
        const probability = (count + 1) / (state.total + 2);
        return [
          {
            detector: context.id,
            kind: "rare",
            fields: [options.field],
            values: [value],
            probability,
            surprisal: surprisal(probability),
            threshold: { name: "count", direction: "below", value: options.minCount },
            counts: { count, total: state.total },
            message: `${options.field} ${value} seen ${count} times`,
          },
        ];
      },
      toJSON: (state) => ({ version: 1, total: state.total, counts: [...state.counts].sort() }),
      fromJSON(json) {
        const parsed = z
          .object({
            version: z.literal(1),
            total: z.number().int().nonnegative(),
            counts: z.array(z.tuple([z.string(), z.number().int().nonnegative()])),
          })
          .parse(json);
        return { total: parsed.total, counts: new Map(parsed.counts) };
      },
    };
  },
});

const resolve = (use: string): AnyDetectorDefinition => {
  if (use === "counter") return counter;
  throw new Error(`unknown ${use}`);
};

function fit(records: LogRecord[], entries = [{ use: "counter", definition: counter }], prepare = true) {
  const fitter = createFitter(createPipeline({ detectors: entries }));
  for (const record of records) fitter.observe(record);
  return fitter.finish({ prepare });
}

const baseline = makeRecords([
  { times: 20, user_agent: "python-requests/2.21.0" },
  { times: 1, user_agent: "Python-urllib/3.7", status: 500 },
]);

describe("createPipeline", () => {
  it("applies option defaults before the detector sees them", () => {
    const pipeline = createPipeline({ detectors: [{ use: "counter", definition: counter }] });
    expect(pipeline.detectors[0]!.options).toEqual({ field: "user_agent", minCount: 2 });
    expect(pipeline.detectors[0]!.id).toBe("counter");
  });

  it("reports every bad option with its key path, expectation and received value", () => {
    expect(() =>
      createPipeline({
        detectors: [{ use: "counter", definition: counter, options: { minCount: "high", feild: "x" } }],
        where: "oddity.config.yaml: detectors",
      }),
    ).toThrowError(ConfigError);
    try {
      createPipeline({
        detectors: [{ use: "counter", definition: counter, options: { minCount: "high" } }],
        where: "oddity.config.yaml: detectors",
      });
    } catch (error) {
      expect((error as ConfigError).issues).toEqual([
        'oddity.config.yaml: detectors[0].options.minCount: expected number, received "high"',
      ]);
    }
    try {
      createPipeline({
        detectors: [{ use: "counter", definition: counter, options: { feild: "ip" } }],
        where: "d",
      });
    } catch (error) {
      expect((error as ConfigError).issues).toEqual([
        'd[0].options.feild: unknown option; did you mean "field"?',
      ]);
    }
  });

  it("refuses a detector built for another API version", () => {
    const future = {
      ...counter,
      meta: { ...counter.meta, apiVersion: 2 },
    } as unknown as AnyDetectorDefinition;
    expect(() => createPipeline({ detectors: [{ use: "./future.js", definition: future }] })).toThrowError(
      /targets detector API 2, this oddity implements API 1/,
    );
  });

  it("refuses two instances with the same id", () => {
    expect(() =>
      createPipeline({
        detectors: [
          { use: "counter", definition: counter },
          { use: "counter", definition: counter, options: { field: "ip" } },
        ],
      }),
    ).toThrowError(/detectors\[1\]\.id: "counter" is used by another detector/);
  });

  it("gives the same config hash for the same configuration and another for different options", () => {
    const a = createPipeline({
      detectors: [{ use: "counter", definition: counter, options: { minCount: 2 } }],
    });
    const b = createPipeline({ detectors: [{ use: "counter", definition: counter }] });
    const c = createPipeline({
      detectors: [{ use: "counter", definition: counter, options: { minCount: 3 } }],
    });
    expect(a.configHash).toBe(b.configHash);
    expect(a.configHash).not.toBe(c.configHash);
  });
});

describe("fitting and scoring", () => {
  it("flags the record whose value is rare in the baseline and scores it in bits", () => {
    const model = fit(baseline);
    const score = createScorer(model);
    expect(score(makeRecord({ user_agent: "python-requests/2.21.0" }))).toBeNull();
    const scored = score(makeRecord({ user_agent: "Python-urllib/3.7" }))!;
    expect(scored.findings).toHaveLength(1);
    expect(scored.score).toBeCloseTo(-Math.log2(2 / 23), 10);
  });

  it("records the baseline's size, time range and sources in the model", () => {
    const records = [
      makeRecord({ source: "b.log", time: 2000 }),
      makeRecord({ source: "a.log", time: 1000 }),
      makeRecord({ source: "a.log", time: null }),
    ];
    expect(fit(records).meta).toMatchObject({
      records: 3,
      timeRange: { from: 1000, to: 2000 },
      sources: ["a.log", "b.log"],
    });
  });

  it("sums surprisal across detectors by default and keeps the strongest with combine max", () => {
    // A second detector (another name) counting statuses: different detectors' evidence adds up.
    const statusCounter = { ...counter, meta: { ...counter.meta, name: "status-counter" } };
    const entries = [
      { use: "counter", definition: counter },
      { use: "status-counter", id: "status", definition: statusCounter, options: { field: "status" } },
    ];
    const odd = makeRecord({ user_agent: "Python-urllib/3.7", status: 500 });
    const sum = createScorer(fit(baseline, entries))(odd)!;
    expect(sum.findings.map((f) => f.detector).sort()).toEqual(["counter", "status"]);
    expect(sum.score).toBeCloseTo(sum.findings[0]!.surprisal + sum.findings[1]!.surprisal, 10);

    const fitter = createFitter(createPipeline({ detectors: entries, scoring: { combine: "max" } }));
    for (const r of baseline) fitter.observe(r);
    const max = createScorer(fitter.finish())(odd)!;
    expect(max.score).toBe(Math.max(...max.findings.map((f) => f.surprisal)));
  });

  it("counts two instances of one detector once by default, as one detector's fields", () => {
    const entries = [
      { use: "counter", definition: counter },
      { use: "counter", id: "status", definition: counter, options: { field: "status" } },
    ];
    const odd = makeRecord({ user_agent: "Python-urllib/3.7", status: 500 });
    const scored = createScorer(fit(baseline, entries))(odd)!;
    expect(scored.findings.map((f) => f.detector).sort()).toEqual(["counter", "status"]);
    expect(scored.score).toBe(Math.max(...scored.findings.map((f) => f.surprisal)));
  });

  it("drops records below the minimum score", () => {
    const fitter = createFitter(
      createPipeline({ detectors: [{ use: "counter", definition: counter }], scoring: { minScore: 100 } }),
    );
    for (const r of baseline) fitter.observe(r);
    expect(createScorer(fitter.finish())(makeRecord({ user_agent: "Python-urllib/3.7" }))).toBeNull();
  });

  it("names the detector and the record's file:line when a detector throws", () => {
    const broken = defineDetector({
      ...counter,
      meta: { ...counter.meta, name: "broken" },
      create: (options, context) => ({
        ...counter.create(options, context),
        score: () => {
          throw new Error("boom");
        },
      }),
    });
    const model = fit(baseline, [{ use: "./broken.js", definition: broken }]);
    const record = makeRecord({ source: "access.log", line: 42 });
    expect(() => createScorer(model)(record)).toThrowError(DetectorError);
    expect(() => createScorer(model)(record)).toThrowError(
      'detector "broken" threw while scoring access.log:42: boom',
    );
  });

  it("fits and scores batches, counting every line", async () => {
    const batches = [
      {
        records: baseline,
        rejections: [{ source: "x", line: 3, reason: "bad", excerpt: "" }],
        blank: 2,
        read: baseline.length + 3,
      },
    ];
    const { model, stats } = await fitBatches({
      pipeline: createPipeline({ detectors: [{ use: "counter", definition: counter }] }),
      batches,
    });
    expect(stats).toEqual({ read: 24, parsed: 21, rejected: 1, blank: 2, bytes: 0, rejectedBy: { bad: 1 } });
    const flagged: string[] = [];
    const result = await scoreBatches({
      model,
      batches,
      onAnomaly: (s) => void flagged.push(s.record.user_agent!),
    });
    expect(result.flagged).toBe(1);
    expect(flagged).toEqual(["Python-urllib/3.7"]);
  });
});

describe("combineFindings", () => {
  const finding = (detector: string, bits: number): Finding => ({
    detector,
    kind: "rare",
    fields: ["x"],
    values: ["v"],
    probability: 2 ** -bits,
    surprisal: bits,
    threshold: { name: "probability", direction: "below", value: 0.01 },
    counts: {},
    message: "",
  });
  const findings = [finding("rarity", 10), finding("rarity", 12), finding("size", 5)];

  it("counts each detector's strongest finding once and adds detectors by default (sum-max)", () => {
    expect(combineFindings({ findings, mode: "sum-max" })).toBe(17);
  });

  it("adds every finding with sum and keeps the strongest with max", () => {
    expect(combineFindings({ findings, mode: "sum" })).toBe(27);
    expect(combineFindings({ findings, mode: "max" })).toBe(12);
  });

  it("counts two instances of one detector as one piece of evidence under sum-max", () => {
    const twice = [...findings, finding("rarity-by-path", 20)];
    const groups = new Map([
      ["rarity", "rarity"],
      ["rarity-by-path", "rarity"],
      ["size", "size"],
    ]);
    expect(combineFindings({ findings: twice, mode: "sum-max" })).toBe(37);
    expect(combineFindings({ findings: twice, mode: "sum-max", groups })).toBe(25);
  });
});

describe("ranking", () => {
  it("ranks by score, then source, then line, and keeps only the top N", () => {
    const make = (score: number, source: string, line: number) => ({
      record: makeRecord({ source, line }),
      score,
      findings: [],
    });
    const top = new TopRecords(3);
    const items = [make(1, "a", 1), make(5, "b", 2), make(5, "a", 9), make(3, "a", 3), make(5, "a", 4)];
    for (const item of items) top.add(item);
    expect(top.ranked().map((s) => `${s.score}:${s.record.source}:${s.record.line}`)).toEqual([
      "5:a:4",
      "5:a:9",
      "5:b:2",
    ]);
    expect(top.count).toBe(5);
    expect([...items].sort(compareScored)[4]!.score).toBe(1);
  });
});

describe("models", () => {
  it("merging models fitted on shards equals fitting on the whole", () => {
    const whole = modelToJSON(fit(baseline));
    const merged = modelToJSON(mergeModels(fit(baseline.slice(0, 7)), fit(baseline.slice(7))));
    expect({ ...merged, sources: whole.sources }).toEqual(whole);
  });

  it("round-trips through JSON text to a model that scores identically", async () => {
    const model = fit(baseline);
    const text = JSON.stringify(modelToJSON(model));
    const loaded = await modelFromJSON({ json: JSON.parse(text), resolve });
    expect(JSON.stringify(modelToJSON(loaded))).toBe(text);
    const odd = makeRecord({ user_agent: "Python-urllib/3.7" });
    expect(createScorer(loaded)(odd)!.score).toBe(createScorer(model)(odd)!.score);
  });

  it("keeps only the warnings of the merged state, not those each shard raised of itself", () => {
    const warner = defineDetector({
      ...counter,
      meta: { ...counter.meta, name: "warner" },
      create: (options, context): DetectorHooks<CounterState> => {
        const hooks = counter.create(options, context);
        return { ...hooks, prepare: (state) => context.warn(`${state.total} records`) };
      },
    });
    const entries = [{ use: "warner", definition: warner }];
    const merged = mergeModels(fit(baseline.slice(0, 7), entries), fit(baseline.slice(7), entries));
    expect(merged.pipeline.warnings).toEqual(["warner: 21 records"]);
  });

  it("prepares shards merged with mergeShards once, after the merge, from saved or live shards", async () => {
    const prepared: number[] = [];
    const counting = defineDetector({
      ...counter,
      create: (options, context): DetectorHooks<CounterState> => {
        const hooks = counter.create(options, context);
        return { ...hooks, prepare: (state) => void prepared.push(state.total) };
      },
    });
    const entries = [{ use: "counter", definition: counting }];
    const saved = modelToJSON(fit(baseline.slice(10), entries, false));
    const shards = [
      fit(baseline.slice(0, 4), entries, false),
      fit(baseline.slice(4, 10), entries, false),
      await modelFromJSON({ json: saved, resolve: () => counting, prepare: false }),
    ];
    expect(prepared).toEqual([]);
    const merged = mergeShards(shards);
    expect(prepared).toEqual([21]);
    const whole = modelToJSON(fit(baseline, entries));
    expect({ ...modelToJSON(merged), sources: whole.sources }).toEqual(whole);
  });

  it("refuses to merge models fitted with different configurations", () => {
    const other = fit(baseline, [{ use: "counter", definition: counter, options: { minCount: 5 } } as never]);
    expect(() => mergeModels(fit(baseline), other)).toThrowError(ModelError);
  });

  it("rejects files that are not models, of another version, edited or crafted", async () => {
    const good = modelToJSON(fit(baseline));
    await expect(modelFromJSON({ json: { hello: 1 }, resolve, where: "m.json" })).rejects.toThrowError(
      'm.json: not an oddity model (expected "format": "oddity-model")',
    );
    await expect(
      modelFromJSON({ json: { ...good, version: 2 }, resolve, where: "m.json" }),
    ).rejects.toThrowError(/model format version 2 is not supported/);
    await expect(
      modelFromJSON({ json: { ...good, records: -5 }, resolve, where: "m.json" }),
    ).rejects.toThrowError(/m\.json: invalid model at records/);
    const edited = { ...good, detectors: [{ ...good.detectors[0]!, options: { field: "ip", minCount: 2 } }] };
    await expect(modelFromJSON({ json: edited, resolve, where: "m.json" })).rejects.toThrowError(
      /config hash does not match/,
    );
    const crafted = {
      ...good,
      detectors: [{ ...good.detectors[0]!, state: { version: 1, total: -1, counts: [] } }],
    };
    await expect(modelFromJSON({ json: crafted, resolve, where: "m.json" })).rejects.toThrowError(
      /m\.json: detectors\[0\] \("counter"\) state is invalid/,
    );
    await expect(
      modelFromJSON({ json: JSON.parse('{"format":"oddity-model","__proto__":{"polluted":1}}'), resolve }),
    ).rejects.toThrowError(ModelError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

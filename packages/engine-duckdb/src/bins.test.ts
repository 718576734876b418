import path from "node:path";
import {
  API_VERSION,
  binKey,
  createPipeline,
  defineDetector,
  fitBatches,
  modelToJSON,
  readInputs,
  z,
  type DetectorHooks,
} from "@oddity/core";
import { describe, expect, it } from "vitest";
import { fitWithDuckDB } from "./index.js";

type Bins = Map<string, number>;

// Counts (status, size bin) as DDSketch keys at 0.001, both record by record and from count rows.
const sizeBins = defineDetector({
  meta: { name: "size-bins", description: "test", apiVersion: API_VERSION, options: z.object({}) },
  create(): DetectorHooks<Bins> {
    const add = (state: Bins, key: string, n: number) => state.set(key, (state.get(key) ?? 0) + n);
    return {
      init: () => new Map(),
      observe: (state, r) =>
        add(state, JSON.stringify([r.status, r.size === null ? null : binKey(r.size, 0.001)]), 1),
      merge: (a, b) => {
        const merged = new Map(a);
        for (const [key, n] of b) add(merged, key, n);
        return merged;
      },
      score: () => [],
      toJSON: (state) => [...state].sort(),
      fromJSON: (json) => new Map(json as Array<[string, number]>),
      counts: [{ id: "bins", fields: ["status"], bin: { field: "size", relativeAccuracy: 0.001 } }],
      foldCounts(state, tables) {
        for (const { values, bin, count } of tables.get("bins")!) {
          add(state, JSON.stringify([values[0] === null ? null : Number(values[0]), bin]), count);
        }
      },
    };
  },
});

const FILES = ["sample.log.gz", "tricky.log"].map((f) =>
  path.join(import.meta.dirname, "../test/fixtures", f),
);

describe("fitWithDuckDB bins", () => {
  it("puts every size in the DDSketch bin sketches-js would, the zero bin and absent sizes included", async () => {
    const pipeline = () => createPipeline({ detectors: [{ use: "size-bins", definition: sizeBins }] });
    const duck = await fitWithDuckDB({ pipeline: pipeline(), files: FILES, layout: "combined", threads: 2 });
    const { model } = await fitBatches({
      pipeline: pipeline(),
      batches: readInputs({ inputs: FILES, format: { name: "combined" } }),
    });
    const state = modelToJSON(duck.model).detectors[0]!.state as Array<[string, number]>;
    expect(state).toEqual(modelToJSON(model).detectors[0]!.state);
    expect(state.length).toBeGreaterThan(100);
    expect(state.some(([key]) => key.includes('"sign":0'))).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  binKey,
  binMultiplier,
  countRecords,
  countTables,
  deriveRows,
  derivedValues,
  MAPPABLE_FIELDS,
  planCounts,
  type CountResults,
  type RawCountRow,
} from "./counted.js";
import type { CountTables } from "./count-tables.js";
import { defineDetector, API_VERSION, type DetectorContext, type DetectorHooks } from "./detector.js";
import { ConfigError } from "./errors.js";
import { fieldReader } from "./fields.js";
import { createPipeline } from "./pipeline.js";
import { checkCountedFit, makeRecords } from "./testing.js";

// A toy detector counting path templates and size bins, declared both ways; `fold` lets a test break it.
function templateCounter(fold: (state: Map<string, number>, tables: CountTables) => void) {
  return defineDetector({
    meta: {
      name: "templates",
      description: "counts templates",
      apiVersion: API_VERSION,
      options: z.object({}),
    },
    create(): DetectorHooks<Map<string, number>> {
      const template = fieldReader("path_template");
      return {
        init: () => new Map(),
        observe(state, record) {
          const key = `${template(record)}|${record.size === null ? "none" : JSON.stringify(binKey(record.size, 0.001))}`;
          state.set(key, (state.get(key) ?? 0) + 1);
        },
        merge: (a, b) => new Map([...a, ...b]),
        score: () => [],
        toJSON: (state) => [...state].sort(),
        fromJSON: (json) => new Map(json as Array<[string, number]>),
        counts: [{ id: "t", fields: ["path_template"], bin: { field: "size", relativeAccuracy: 0.001 } }],
        foldCounts: fold,
      };
    },
  });
}

const records = makeRecords([
  { times: 3, path: "/users/1", size: 0 },
  { times: 2, path: "/users/22", size: 1001 },
  { times: 1, path: "/about", size: null },
  { times: 4, path: "/users/333", size: 1002 },
]);

describe("counted fit", () => {
  it("bins as sketches-js does at 0.001: ceil(log2(x) × 346.5734747554118), 0 in the zero bin", () => {
    expect(binMultiplier(0.001)).toBe(346.5734747554118);
    expect(binKey(1000, 0.001)).toEqual({ sign: 1, key: Math.ceil(Math.log2(1000) * 346.5734747554118) });
    expect(binKey(0, 0.001)).toEqual({ sign: 0, key: 0 });
    expect(binKey(-2, 0.001)).toEqual({ sign: -1, key: 347 });
  });

  it("asks the engine for raw paths and sums the rows whose template and bin agree (1001 and 1002 share a bin)", () => {
    const pipeline = createPipeline({ detectors: [{ use: "t", definition: templateCounter(() => {}) }] });
    const plan = planCounts(pipeline, "test");
    expect(plan.queries.map((q) => q.fields)).toEqual([["path"]]);
    const { spec, query } = plan.detectors[0]!.specs[0]!;
    const rows = deriveRows(spec, query, countRecords(plan.queries, records).get(query.key)!);
    const users = rows.filter((r) => r.values[0] === "/users/:n");
    expect(users.map((r) => r.count).sort()).toEqual([3, 6]);
  });

  it("lets an engine group by path_template itself, and the tables equal those of raw paths", () => {
    const pipeline = createPipeline({ detectors: [{ use: "t", definition: templateCounter(() => {}) }] });
    const raw = planCounts(pipeline, "test");
    const mapped = planCounts(pipeline, "test", { derive: MAPPABLE_FIELDS });
    expect(mapped.queries.map((q) => q.fields)).toEqual([["path_template"]]);
    expect(mapped.derived).toEqual([{ field: "path_template", from: "path" }]);
    expect(raw.derived).toEqual([]);
    // What an engine does: oddity's table of templates for the distinct paths, joined on each row.
    const paths = [...new Set(records.map((r) => r.path))];
    const templates = derivedValues({ mapping: mapped.derived[0]!, values: paths });
    expect(templates).toEqual(["/users/:n", "/users/:n", "/about", "/users/:n"]);
    const byPath = new Map(paths.map((p, i) => [p, templates[i]!]));
    // The engine's GROUP BY template and bin, over the paths' rows.
    const grouped = new Map<string, RawCountRow>();
    for (const row of countRecords(raw.queries, records).get(raw.queries[0]!.key)!) {
      const values = [byPath.get(row.values[0] as string) ?? null];
      const key = JSON.stringify([values, row.bin]);
      const seen = grouped.get(key);
      grouped.set(key, { ...row, values, count: (seen?.count ?? 0) + row.count });
    }
    const engine: CountResults = new Map([[mapped.queries[0]!.key, [...grouped.values()]]]);
    const sorted = (tables: CountTables[]) =>
      JSON.stringify([...tables[0]!.get("t")!].map((r) => JSON.stringify(r)).sort());
    expect(sorted(countTables(mapped, engine))).toBe(
      sorted(countTables(raw, countRecords(raw.queries, records))),
    );
  });

  it("groups by the raw path when a spec also asks for it, so the engine joins nothing", () => {
    const both = defineDetector({
      ...templateCounter(() => {}),
      create: (options, context) => ({
        ...templateCounter(() => {}).create(options, context),
        counts: [{ id: "t", fields: ["path", "path_template"] }],
      }),
    });
    const pipeline = createPipeline({ detectors: [{ use: "t", definition: both }] });
    const plan = planCounts(pipeline, "test", { derive: MAPPABLE_FIELDS });
    expect(plan.queries.map((q) => q.fields)).toEqual([["path"]]);
    expect(plan.derived).toEqual([]);
  });

  it("passes a detector whose fold adds the rows", () => {
    const good = templateCounter((state, tables) => {
      for (const row of tables.get("t")!) {
        const key = `${row.values[0]}|${row.bin ? JSON.stringify(row.bin) : "none"}`;
        state.set(key, (state.get(key) ?? 0) + row.count);
      }
    });
    expect(() => checkCountedFit({ detector: good, records })).not.toThrow();
  });

  it("names the first difference of a detector whose fold counts each row once", () => {
    const bad = templateCounter((state, tables) => {
      for (const row of tables.get("t")!) {
        const key = `${row.values[0]}|${row.bin ? JSON.stringify(row.bin) : "none"}`;
        state.set(key, (state.get(key) ?? 0) + 1);
      }
    });
    expect(() => checkCountedFit({ detector: bad, records })).toThrow(
      /the counted fit differs: state\[\d+\]/,
    );
  });

  it("refuses a pipeline with a detector that declares no counts, naming it", () => {
    const plain = templateCounter(() => {});
    const undeclared = {
      ...plain,
      create: (options: Record<string, never>, context: DetectorContext) => ({
        ...plain.create(options, context),
        counts: undefined,
      }),
    };
    const pipeline = createPipeline({
      detectors: [{ use: "./mine.js", id: "mine", definition: undeclared }],
    });
    expect(() => planCounts(pipeline, "DuckDB")).toThrow(ConfigError);
    try {
      planCounts(pipeline, "DuckDB");
    } catch (error) {
      expect((error as ConfigError).issues.join("\n")).toMatch(
        /detector "mine" \(\.\/mine\.js\) learns record by record only/,
      );
    }
  });
});

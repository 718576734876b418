import path from "node:path";
import { conditional } from "@oddity/detector-conditional";
import {
  ConfigError,
  createPipeline,
  fitBatches,
  defineDetector,
  derivedValues,
  MAPPABLE_FIELDS,
  modelToJSON,
  planCounts,
  readInputs,
  type AnyDetectorDefinition,
  type Rejection,
} from "@oddity/core";
import { describe, expect, it } from "vitest";
import { countLines, fitWithDuckDB } from "./index.js";

const fixture = (name: string) => path.join(import.meta.dirname, "../test/fixtures", name);
const SAMPLE = fixture("sample.log.gz");
const TRICKY = fixture("tricky.log");

function pipelineOf(definition: AnyDetectorDefinition = conditional, options: unknown = undefined) {
  return createPipeline({ detectors: [{ use: definition.meta.name, definition, options }] });
}

const WIDE = {
  pairs: [
    { given: "ip", target: "status" },
    { given: "path_template", target: "method" },
    { given: "user", target: "http_version" },
    { given: "referer", target: "user_agent" },
    { given: "hour", target: "size" },
    { given: "endpoint", target: "time_text" },
  ],
};

async function oddityFit(files: string[], options?: unknown) {
  const stream = readInputs({ inputs: files, format: { name: "combined" } });
  const { model } = await fitBatches({ pipeline: pipelineOf(conditional, options), batches: stream });
  return { model, stats: stream.stats };
}

describe("fitWithDuckDB", () => {
  it("fits the model oddity fits, sources included, on 3,000 gzipped real lines (default pairs)", async () => {
    const duck = await fitWithDuckDB({
      pipeline: pipelineOf(),
      files: [SAMPLE],
      layout: "combined",
      threads: 2,
    });
    const own = await oddityFit([SAMPLE]);
    expect(modelToJSON(duck.model)).toEqual(modelToJSON(own.model));
    expect(duck.model.meta.records).toBe(3000);
  });

  it("fits the model oddity fits on lines the SQL split hands back, reading every field and bin", async () => {
    const duck = await fitWithDuckDB({
      pipeline: pipelineOf(conditional, WIDE),
      files: [TRICKY, SAMPLE],
      layout: "combined",
    });
    const own = await oddityFit([TRICKY, SAMPLE], WIDE);
    expect(modelToJSON(duck.model)).toEqual(modelToJSON(own.model));
    expect(duck.handedBack).toBeGreaterThan(5);
    expect(duck.handedBack).toBeLessThan(20);
  });

  it("groups by path_template in DuckDB, a row per template rather than per path", async () => {
    const plan = planCounts(pipelineOf(), "test", { derive: MAPPABLE_FIELDS });
    const query = plan.queries.find((q) => q.fields.length === 1 && q.fields[0] === "path_template")!;
    const byPath = planCounts(pipelineOf(), "test").queries.find(
      (q) => q.fields.length === 1 && q.fields[0] === "path",
    )!;
    const count = (queries: typeof plan.queries, derived = plan.derived) =>
      countLines({ queries, derived, files: [SAMPLE], layout: "combined", onRecord() {} });
    const templates = (await count([query])).results.get(query.key)!;
    const paths = (await count([byPath], [])).results.get(byPath.key)!;
    // The same counts as oddity's templates of the distinct paths, summed.
    const derived = derivedValues({ mapping: plan.derived[0]!, values: paths.map((r) => r.values[0]!) });
    const expected = new Map<string | null, number>();
    paths.forEach((row, i) => expected.set(derived[i]!, (expected.get(derived[i]!) ?? 0) + row.count));
    expect(new Map(templates.map((row) => [row.values[0], row.count]))).toEqual(expected);
    expect(templates.length).toBeLessThan(paths.length);
    expect(expected.get("/blog/tags/puppet?flav=:v")).toBe(160);
  });

  it("splits common lines as oddity's parser does, trailing tabs included", async () => {
    const files = [fixture("common.log")];
    const duck = await fitWithDuckDB({ pipeline: pipelineOf(conditional, WIDE), files, layout: "common" });
    const stream = readInputs({ inputs: files, format: { name: "common" } });
    const { model } = await fitBatches({ pipeline: pipelineOf(conditional, WIDE), batches: stream });
    expect(modelToJSON(duck.model)).toEqual(modelToJSON(model));
    expect([duck.model.meta.records, duck.handedBack]).toEqual([2, 0]);
  });

  it("rejects and counts the lines oddity's parser rejects, with its reasons and line numbers", async () => {
    const duck = await fitWithDuckDB({ pipeline: pipelineOf(), files: [TRICKY], layout: "combined" });
    const stream = readInputs({ inputs: [TRICKY], format: { name: "combined" } });
    const rejected: Rejection[] = [];
    for await (const batch of stream) rejected.push(...batch.rejections);
    expect(duck.rejections).toEqual(rejected);
    expect(duck.stats).toEqual(stream.stats);
  });

  it("refuses a detector that declares no counts, naming it", async () => {
    const undeclared = defineDetector({
      meta: { ...conditional.meta, name: "plain" },
      create: (options, context) => ({
        ...conditional.create(options, context),
        counts: undefined,
        foldCounts: undefined,
      }),
    });
    const run = fitWithDuckDB({ pipeline: pipelineOf(undeclared), files: [TRICKY], layout: "combined" });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toMatchObject({
      issues: [expect.stringMatching(/detector "plain" \(plain\) learns record by record only/)],
    });
  });
});

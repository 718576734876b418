import { describe, expect, it } from "vitest";
import { z } from "zod";
import { API_VERSION, defineDetector, type DetectorContext } from "./detector.js";
import { createPipeline } from "./pipeline.js";
import { makeRecord } from "./testing.js";

// A detector that keeps the context the host hands it, and reads each record's ip and template through it.
function probe(contexts: DetectorContext[]) {
  return defineDetector({
    meta: { name: "probe", description: "keeps its context", apiVersion: API_VERSION, options: z.object({}) },
    create(_options, context) {
      contexts.push(context);
      const readIp = context.fieldReader("ip");
      const readTemplate = context.fieldReader("path_template");
      const ips = context.codes("ip");
      return {
        init: () => null,
        observe(_state, record) {
          const ip = readIp(record);
          if (ip !== null) ips.code(ip);
          readTemplate(record);
        },
        merge: () => null,
        score: () => [],
        toJSON: () => null,
        fromJSON: () => null,
      };
    },
  });
}

function pipelineOf(contexts: DetectorContext[], ids: readonly string[] = ["probe"]) {
  const definition = probe(contexts);
  return createPipeline({ detectors: ids.map((id) => ({ use: "probe", id, definition })) });
}

describe("createPipeline", () => {
  it("hands every detector of a pipeline the same code table per field, the pipeline's own", () => {
    const contexts: DetectorContext[] = [];
    const pipeline = pipelineOf(contexts, ["a", "b"]);
    const [a, b] = contexts;
    expect(a!.codes("ip")).toBe(b!.codes("ip"));
    expect(a!.codes("ip")).toBe(pipeline.fields.codes("ip"));
    expect(a!.codes("ip")).not.toBe(a!.codes("status"));
  });

  it("gives two pipelines in one thread their own codes: a value numbered in one is not in the other", () => {
    const first = pipelineOf([]);
    const second = pipelineOf([]);
    const { hooks } = first.detectors[0]!;
    hooks.observe(hooks.init(), makeRecord({ ip: "192.0.2.7" }));
    expect(first.fields.codes("ip").size).toBe(1);
    expect(second.fields.codes("ip").size).toBe(0);
    expect(second.fields.codes("ip")).not.toBe(first.fields.codes("ip"));
  });

  it("reads templates through the pipeline's own cache, which does not serve another pipeline", () => {
    const first = pipelineOf([]);
    const second = pipelineOf([]);
    const record = makeRecord({ path: "/users/42/edit" });
    first.detectors[0]!.hooks.observe(null, record);
    expect(first.fields.codes("path_template").value(0)).toBe("/users/:n/edit");
    expect(second.fields.codes("path_template").size).toBe(0);
    second.detectors[0]!.hooks.observe(null, record);
    expect(second.fields.codes("path_template").value(0)).toBe("/users/:n/edit");
  });
});

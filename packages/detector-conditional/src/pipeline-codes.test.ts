import { createPipeline } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { conditional } from "./index.js";

const pipelineOf = () => createPipeline({ detectors: [{ use: "conditional", definition: conditional }] });

describe("conditional and its pipeline's value codes", () => {
  it("counts by the codes of its own pipeline, which another pipeline does not share", () => {
    const pipeline = pipelineOf();
    const other = pipelineOf();
    const { hooks } = pipeline.detectors[0]!;
    const state: unknown = hooks.init();
    const records = makeRecords([{ ip: "10.0.0.1", times: 2 }, { ip: "10.0.0.2" }]);
    for (const record of records) hooks.observe(state, record);
    expect(pipeline.fields.codes("ip").size).toBe(2);
    expect(other.fields.codes("ip").size).toBe(0);
  });
});

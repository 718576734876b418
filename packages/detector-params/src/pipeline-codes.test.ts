import { createPipeline } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { params } from "./index.js";

const pipelineOf = () => createPipeline({ detectors: [{ use: "params", definition: params }] });

describe("params and its pipeline's value codes", () => {
  it("reads path templates through its own pipeline's cache, which another pipeline does not share", () => {
    const pipeline = pipelineOf();
    const other = pipelineOf();
    const { hooks } = pipeline.detectors[0]!;
    const state: unknown = hooks.init();
    const records = makeRecords([{ path: "/users/1?tab=a", times: 2 }, { path: "/shop?item=9" }]);
    for (const record of records) hooks.observe(state, record);
    expect(pipeline.fields.codes("path_template").size).toBe(2);
    expect(other.fields.codes("path_template").size).toBe(0);
  });
});

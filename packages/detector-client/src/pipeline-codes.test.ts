import { fitDetector, makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { client } from "./index.js";

describe("client and its pipeline's value codes", () => {
  it("tallies clients by the codes of its own pipeline, which another pipeline does not share", () => {
    const fitted = fitDetector({
      detector: client,
      records: makeRecords([{ ip: "10.0.0.1", times: 2 }, { ip: "10.0.0.2" }]),
    });
    const other = fitDetector({ detector: client, records: [] });
    expect([fitted.fields.codes("ip").size, other.fields.codes("ip").size]).toEqual([2, 0]);
  });
});

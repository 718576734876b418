import { fitDetector, makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { rarity } from "./index.js";

describe("rarity and its pipeline's value codes", () => {
  it("counts by the codes of its own pipeline, which another pipeline does not share", () => {
    const fitted = fitDetector({
      detector: rarity,
      records: makeRecords([{ ip: "10.0.0.1", times: 2 }, { ip: "10.0.0.2" }]),
    });
    const other = fitDetector({ detector: rarity, records: [] });
    expect([fitted.fields.codes("ip").size, other.fields.codes("ip").size]).toEqual([2, 0]);
  });
});

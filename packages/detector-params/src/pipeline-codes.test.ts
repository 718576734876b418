import { fitDetector, makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { params } from "./index.js";

describe("params and its pipeline's value codes", () => {
  it("reads path templates through its own pipeline's cache, which another pipeline does not share", () => {
    const fitted = fitDetector({
      detector: params,
      records: makeRecords([{ path: "/users/1?tab=a", times: 2 }, { path: "/shop?item=9" }]),
    });
    const other = fitDetector({ detector: params, records: [] });
    expect([fitted.fields.codes("path_template").size, other.fields.codes("path_template").size]).toEqual([
      2, 0,
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { topLimit } from "./detect.js";

describe("topLimit", () => {
  it("shows 20 in a table and everything in data formats by default", () => {
    expect([
      topLimit({ top: undefined, configured: undefined, format: "table" }),
      topLimit({ top: undefined, configured: undefined, format: "json" }),
    ]).toEqual([20, Number.POSITIVE_INFINITY]);
  });

  it("lets the command line beat the config, and 0 mean all", () => {
    expect([
      topLimit({ top: 5, configured: 50, format: "table" }),
      topLimit({ top: undefined, configured: 50, format: "csv" }),
      topLimit({ top: 0, configured: 50, format: "table" }),
    ]).toEqual([5, 50, Number.POSITIVE_INFINITY]);
  });
});

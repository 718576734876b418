import { describe, expect, it } from "vitest";
import type { OddityConfig } from "./normalize.js";
import { checkConfig } from "./rules.js";

function config(overrides: Partial<OddityConfig>): OddityConfig {
  return {
    file: "/p/oddity.config.yaml",
    name: "oddity.config.yaml",
    dir: "/p",
    format: { name: "auto" },
    inputs: [],
    database: {},
    detectors: [{ use: "rarity", where: "oddity.config.yaml: detectors[0]" }],
    scoring: {},
    ...overrides,
  };
}

describe("checkConfig", () => {
  it("passes a plain config without errors or warnings", () => {
    expect(checkConfig(config({}))).toEqual({ errors: [], warnings: [] });
  });

  it("asks for an id when one bundled detector is listed twice", () => {
    const report = checkConfig(
      config({
        detectors: [
          { use: "rarity", where: "oddity.config.yaml: detectors[0]" },
          { use: "@oddity/detector-rarity", where: "oddity.config.yaml: detectors[1]" },
        ],
      }),
    );
    expect(report.errors).toEqual([
      `oddity.config.yaml: detectors[1].id: "rarity" is already used by detectors[0]; give this entry its own "id"`,
    ]);
  });

  it("accepts two instances of one detector with distinct ids", () => {
    const report = checkConfig(
      config({
        detectors: [
          { use: "rarity", where: "a" },
          { use: "rarity", id: "rarity-paths", where: "b" },
        ],
      }),
    );
    expect(report.errors).toEqual([]);
  });

  it("refuses an empty detector list", () => {
    expect(checkConfig(config({ detectors: [] })).errors).toEqual([
      "oddity.config.yaml: detectors: the list is empty; list at least one detector, or remove the key to use the bundled ones",
    ]);
  });

  it("refuses a database query together with a table", () => {
    expect(checkConfig(config({ database: { query: "SELECT 1", table: "t" } })).errors).toEqual([
      'oddity.config.yaml: database: give either "query" or "table" (with "column"), not both',
    ]);
  });

  it("warns that a field mapping does nothing for the combined format", () => {
    expect(checkConfig(config({ format: { name: "combined", fields: { ip: "a" } } })).warnings).toEqual([
      'oddity.config.yaml: fields: only JSON Lines and CSV/TSV logs use a field mapping; it is ignored for "combined"',
    ]);
  });

  it("asks for the LogFormat string of the apache format", () => {
    expect(checkConfig(config({ format: { name: "apache" } })).errors).toHaveLength(1);
  });

  it("under auto-detection accepts the trailing fields the NCSA reader names, and still refuses a typo", () => {
    const rarity = (fields: string[]) =>
      checkConfig(
        config({
          detectors: [{ use: "rarity", options: { fields }, where: "oddity.config.yaml: detectors[0]" }],
        }),
      );
    expect(rarity(["request_time", "upstream_status", "x_forwarded_for", "field_3"])).toEqual({
      errors: [],
      warnings: [],
    });
    expect(rarity(["stauts"]).errors).toEqual([
      'oddity.config.yaml: detectors[0].options.fields[0]: "stauts" is not a known field; did you mean "status"? (the auto format has no such field)',
    ]);
    expect(rarity(["tenant_shard_label"])).toEqual({
      errors: [],
      warnings: [
        'oddity.config.yaml: detectors[0].options.fields[0]: "tenant_shard_label" is not a known field (read as an extra field of the auto lines)',
      ],
    });
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_ENTRIES } from "@oddity/eval";
import { DEFAULT_PIPELINE, normalizeConfig } from "./normalize.js";
import { parseConfigText } from "./parse.js";

function normalizeYaml(text: string) {
  const parsed = parseConfigText({ text, name: "oddity.config.yaml", syntax: "yaml" });
  return normalizeConfig({
    value: parsed.value,
    file: "/p/oddity.config.yaml",
    name: "oddity.config.yaml",
    dir: "/p",
    lineOf: parsed.lineOf,
  });
}

describe("normalizeConfig", () => {
  it("gives the bundled detectors and auto format when the config is empty", () => {
    const { config, errors } = normalizeConfig({ value: null, file: null, name: "(defaults)", dir: "/p" });
    expect(errors).toEqual([]);
    expect([config!.format, config!.detectors.map((d) => d.use), config!.scoring]).toEqual([
      { name: "auto" },
      ["rarity", "conditional", "size", "params", "client", "client", "targets"],
      {},
    ]);
  });

  it("compares sizes within one path template and one status in the built-in pipeline", () => {
    const { config } = normalizeConfig({ value: null, file: null, name: "(defaults)", dir: "/p" });
    expect(config!.detectors.map((d) => d.options)).toEqual([
      undefined,
      undefined,
      { groupBy: ["path_template", "status"] },
      undefined,
      undefined,
      { key: "user_agent" },
      undefined,
    ]);
  });

  it("suggests the nearest key for a misspelt one and names the line", () => {
    const { errors } = normalizeYaml("detectors:\n  - use: rarity\n    optoins:\n      budget: 0.02\n");
    expect(errors).toEqual([
      `oddity.config.yaml: detectors[0].optoins: unknown key; did you mean "options"? (line 3)`,
    ]);
  });

  it("lists the known keys when a wrong key is not close to any", () => {
    const { errors } = normalizeYaml("scoring:\n  zzzzzz: 1\n");
    expect(errors).toEqual([
      `oddity.config.yaml: scoring.zzzzzz: unknown key; known keys: combine, minScore, top (line 2)`,
    ]);
  });

  it("says what was expected and what was found for a wrong type", () => {
    const { errors } = normalizeYaml("scoring:\n  minScore: high\n");
    expect(errors).toEqual([
      `oddity.config.yaml: scoring.minScore: expected number, received "high" (line 2)`,
    ]);
  });

  it("suggests the nearest allowed value for a misspelt choice", () => {
    const { errors } = normalizeYaml("scoring:\n  combine: summ\n");
    expect(errors).toEqual([
      `oddity.config.yaml: scoring.combine: expected one of "sum", "max", "sum-max", received "summ"; did you mean "sum"? (line 2)`,
    ]);
  });

  it("reports a mistake inside a format object rather than a vague union error", () => {
    const { errors } = normalizeYaml("format:\n  name: jsonl\n  feilds: { ip: remote_addr }\n");
    expect(errors).toEqual([
      `oddity.config.yaml: format.feilds: unknown key; did you mean "fields"? (line 3)`,
    ]);
  });

  it("turns a format string into the parser spec", () => {
    const { config } = normalizeYaml("format: csv:entry\n");
    expect(config!.format).toEqual({ name: "csv", column: "entry" });
  });

  it("reports an unknown format name under the format key", () => {
    const { errors } = normalizeYaml("format: apachee\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^oddity\.config\.yaml: format: .*apachee/);
  });

  it("applies the top-level field mapping to a JSON Lines format", () => {
    const { config } = normalizeYaml("format: jsonl\nfields:\n  ip: remote_addr\n");
    expect(config!.format).toEqual({ name: "jsonl", fields: { ip: "remote_addr" } });
  });

  it("keeps each detector's key path for later messages", () => {
    const { config } = normalizeYaml(
      "detectors:\n  - use: rarity\n  - use: ./mine.js\n    id: mine\n    options: { x: 1 }\n",
    );
    expect(config!.detectors).toEqual([
      { use: "rarity", where: "oddity.config.yaml: detectors[0]" },
      { use: "./mine.js", id: "mine", options: { x: 1 }, where: "oddity.config.yaml: detectors[1]" },
    ]);
  });

  it("drops an option key named __proto__ without polluting any prototype", () => {
    const { config } = normalizeYaml(
      'detectors:\n  - use: rarity\n    options: { "__proto__": { polluted: 1 } }\n',
    );
    expect([config!.detectors[0]!.options, ({} as { polluted?: number }).polluted]).toEqual([{}, undefined]);
  });
});

describe("the default pipeline", () => {
  it("is the one @oddity/eval measures, entry for entry", () => {
    expect(DEFAULT_PIPELINE).toEqual(DEFAULT_ENTRIES);
  });
});

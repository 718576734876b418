import { describe, expect, it } from "vitest";
import { MAX_NESTING, flowNesting, parseConfigText } from "./parse.js";

describe("parseConfigText", () => {
  it("reads YAML into plain values", () => {
    const parsed = parseConfigText({
      text: "detectors:\n  - use: rarity\n",
      name: "oddity.config.yaml",
      syntax: "yaml",
    });
    expect([parsed.value, parsed.errors]).toEqual([{ detectors: [{ use: "rarity" }] }, []]);
  });

  it("reports a YAML syntax error with the file, line and column", () => {
    const parsed = parseConfigText({
      text: "format: combined\nscoring: 'unclosed\n",
      name: "oddity.config.yaml",
      syntax: "yaml",
    });
    expect([parsed.value, parsed.errors]).toEqual([
      undefined,
      ["oddity.config.yaml:3:1: invalid YAML: Missing closing 'quote"],
    ]);
  });

  it("rejects a duplicated YAML key instead of silently keeping one", () => {
    const parsed = parseConfigText({
      text: "format: combined\nformat: jsonl\n",
      name: "c.yaml",
      syntax: "yaml",
    });
    expect(parsed.errors[0]).toMatch(/^c\.yaml:2:1: invalid YAML: Map keys must be unique/);
  });

  it("reports a JSON syntax error with its line and column", () => {
    const parsed = parseConfigText({
      text: '{\n  "format": "combined",\n}',
      name: "oddity.config.json",
      syntax: "json",
    });
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatch(/^oddity\.config\.json:3:1: invalid JSON: /);
  });

  it("finds the line where a key path is written", () => {
    const parsed = parseConfigText({
      text: "scoring:\n  top: 5\ndetectors:\n  - use: rarity\n    optoins: {}\n",
      name: "c.yaml",
      syntax: "yaml",
    });
    expect([
      parsed.lineOf(["detectors", 0, "optoins"]),
      parsed.lineOf(["scoring", "top"]),
      parsed.lineOf(["nope"]),
    ]).toEqual([5, 2, undefined]);
  });
});

describe("flowNesting", () => {
  it("counts bracket depth outside quoted strings and comments", () => {
    expect(flowNesting('a: [1, {b: [2]}]\nc: "[[[[" # [[[[\n')).toBe(3);
    expect(flowNesting("x: 'it''s [not' [ok]")).toBe(1);
  });

  it("refuses a config nested deeper than the limit before parsing it", () => {
    const deep = `detectors: ${"[".repeat(MAX_NESTING + 1)}${"]".repeat(MAX_NESTING + 1)}\n`;
    expect(parseConfigText({ text: deep, name: "c.yaml", syntax: "yaml" }).errors).toEqual([
      `c.yaml: invalid YAML: nested more than ${MAX_NESTING} levels deep`,
    ]);
  });
});

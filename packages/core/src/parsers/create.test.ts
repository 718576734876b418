import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { FormatSpec } from "../input/types.js";
import { createParser } from "./create.js";
import { FUZZ_SPECS, hostileText } from "./hostile-lines.js";

const hostile = hostileText({ maxUnits: 60 });

describe("createParser", () => {
  it("returns a record or a reason for any string, never throwing, whatever the format", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FUZZ_SPECS), hostile, hostile, (spec, header, line) => {
        const parser = createParser(spec);
        const problem = parser.readHeader?.(header);
        expect(problem === undefined || problem === null || typeof problem === "string").toBe(true);
        const result = parser.parse(line, "fuzz", 1);
        if (typeof result !== "string") {
          expect(result.source).toBe("fuzz");
          expect(result.line).toBe(1);
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it("throws a ConfigError for a format name it does not know", () => {
    expect(() => createParser({ name: "syslog" } as unknown as FormatSpec)).toThrow(
      new ConfigError('unknown log format "syslog"'),
    );
  });

  it("sniffs an auto parser from the first line it sees", () => {
    const parser = createParser({ name: "auto" });
    expect(parser.description).toBe("auto");
    parser.parse('{"status":200}', "s", 1);
    expect(parser.description).toBe("jsonl");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { FormatSpec } from "../input/types.js";
import { createParser } from "./create.js";

// Any UTF-16 code unit (lone surrogates, NUL, escapes) mixed with the pieces log syntax is made of.
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom(
    '"',
    "[",
    "]",
    " ",
    "\\",
    "-",
    "\t",
    ",",
    "{",
    "}",
    ":",
    "\u0000",
    "\ud800",
    "\udfff",
    "\u001b[31m",
  ),
  fc.constantFrom(
    '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "',
    'GET / HTTP/1.1" 200 ',
    '5 "-" "',
    '{"status":',
    '"',
    "200",
  ),
);
const hostile = fc.array(unit, { maxLength: 60 }).map((parts) => parts.join(""));

const SPECS: FormatSpec[] = [
  { name: "common" },
  { name: "combined" },
  { name: "vcombined" },
  { name: "nginx" },
  {
    name: "apache",
    logFormat: '%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Forwarded-For}i',
  },
  { name: "nginx", logFormat: '$remote_addr - $remote_user [$time_local] "$request" $status $request_time' },
  { name: "jsonl" },
  { name: "csv", column: "entry" },
  { name: "csv" },
  { name: "tsv", header: false },
  { name: "auto" },
];

describe("createParser", () => {
  it("returns a record or a reason for any string, never throwing, whatever the format", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPECS), hostile, hostile, (spec, header, line) => {
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

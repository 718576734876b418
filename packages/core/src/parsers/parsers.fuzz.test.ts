import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../record.js";
import { createParser } from "./create.js";
import { FUZZ_SPECS, PROTO_NAMES, hostileText } from "./hostile-lines.js";

const hostileLine = hostileText({ maxUnits: 40, lines: true });

const STRING_FIELDS = [
  "ip",
  "ident",
  "user",
  "time_text",
  "method",
  "path",
  "http_version",
  "referer",
  "user_agent",
] as const;

/** What every parser promises about a record, whatever the line held. */
function checkRecord(record: LogRecord, line: string): void {
  expect([record.source, record.line, record.raw]).toEqual(["fuzz", 7, line]);
  for (const field of STRING_FIELDS) expect([field, typeof (record[field] ?? "")]).toEqual([field, "string"]);
  if (record.status !== null) expect(Number.isInteger(record.status) && record.status >= 0).toBe(true);
  if (record.size !== null) expect(Number.isSafeInteger(record.size) && record.size >= 0).toBe(true);
  if (record.time !== null) expect(Number.isFinite(record.time)).toBe(true);
  if (record.extra !== null) {
    expect(Object.getPrototypeOf(record.extra)).toBe(null);
    for (const value of Object.values(record.extra)) expect(typeof value).toBe("string");
  }
}

function unpolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted === undefined && Object.getPrototypeOf(probe) === Object.prototype;
}

describe("parsers on hostile lines", () => {
  it("return a well-formed record or a non-empty reason for any line, in every format", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FUZZ_SPECS), hostileLine, (spec, line) => {
        const result = createParser(spec).parse(line, "fuzz", 7);
        if (typeof result === "string") expect(result.length).toBeGreaterThan(0);
        else checkRecord(result, line);
        expect(unpolluted()).toBe(true);
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  it("keep every JSON key, __proto__ and constructor included, as an own field of the record", () => {
    const key = fc.oneof(fc.constantFrom(...PROTO_NAMES, "ua", "user_agent"), fc.string({ maxLength: 6 }));
    const leaf = fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.integer(), fc.boolean());
    const objects = fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 3 })), {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(objects, (object) => {
        // JSON text built by hand: a `__proto__` key is then data, exactly as it would arrive in a log.
        const line = JSON.stringify(object);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const result = createParser({ name: "jsonl" }).parse(line, "fuzz", 7);
        expect(unpolluted()).toBe(true);
        if (typeof result === "string") {
          // Only a field with the wrong type (status, size) may reject a JSON object.
          expect(result).toMatch(/^expected a (status code|response size)/);
          return;
        }
        checkRecord(result, line);
        const extra = result.extra ?? {};
        for (const [name, value] of Object.entries(parsed)) {
          const leaf = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
          if (PROTO_NAMES.includes(name) && leaf && value !== "") {
            expect(Object.hasOwn(extra, name)).toBe(true);
            expect(extra[name]).toBe(String(value));
          }
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("keep a key nested under an empty key apart from the top-level key of that name", () => {
    const record = createParser({ name: "jsonl" }).parse('{"vhost":"a.example","":{"vhost":"evil"}}', "f", 1);
    expect(typeof record === "string" ? record : { ...record.extra }).toEqual({
      vhost: "a.example",
      ".vhost": "evil",
    });
  });

  it("read a CSV header of prototype names as ordinary column names", () => {
    const parser = createParser({ name: "csv" });
    expect(parser.readHeader!("__proto__,constructor,toString,user_agent")).toBe(null);
    const record = parser.parse("a,b,c,curl", "fuzz", 7);
    expect(typeof record === "string" ? record : [record.user_agent, { ...record.extra }]).toEqual([
      "curl",
      { ["__proto__"]: "a", constructor: "b", toString: "c" },
    ]);
    expect(unpolluted()).toBe(true);
  });
});

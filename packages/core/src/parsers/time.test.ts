import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClfTimeReader, epochToMs, parseClfTime, parseTimeValue } from "./time.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

describe("parseClfTime", () => {
  it("converts the codeup log's first timestamp to epoch ms", () => {
    expect(parseClfTime("16/Apr/2019:19:34:42 +0000")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
  });

  it("subtracts a positive offset and adds a negative one", () => {
    expect(parseClfTime("19/Apr/2025:12:01:50 +0100")).toBe(Date.UTC(2025, 3, 19, 11, 1, 50));
    expect(parseClfTime("31/Dec/2024:23:30:00 -0730")).toBe(Date.UTC(2025, 0, 1, 7, 0, 0));
  });

  it("reads a timestamp without a zone as UTC", () => {
    expect(parseClfTime("16/Apr/2019:19:34:42")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
  });

  it("returns null for a day the month does not have", () => {
    expect(parseClfTime("31/Feb/2019:00:00:00 +0000")).toBeNull();
    expect(parseClfTime("29/Feb/2023:00:00:00 +0000")).toBeNull();
    expect(parseClfTime("29/Feb/2024:00:00:00 +0000")).toBe(Date.UTC(2024, 1, 29));
  });

  it("returns null for an unknown month, a bad clock or a bad zone", () => {
    expect(parseClfTime("16/Foo/2019:19:34:42 +0000")).toBeNull();
    expect(parseClfTime("16/Apr/2019:24:00:00 +0000")).toBeNull();
    expect(parseClfTime("16/Apr/2019:19:34:42 *0000")).toBeNull();
    expect(parseClfTime("16/Apr/2019 19:34:42 +0000")).toBeNull();
  });

  it("agrees with Date for any instant and offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, offsetMinutes) => {
          const instant = Math.floor(ms / 1000) * 1000;
          const local = new Date(instant + offsetMinutes * 60_000);
          const zone = `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
          const text =
            `${pad(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:` +
            `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone}`;
          expect(parseClfTime(text)).toBe(instant);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("createClfTimeReader", () => {
  it("gives each text its own time when the same texts repeat and alternate, valid or not", () => {
    const read = createClfTimeReader();
    const texts = ["16/Apr/2019:19:34:42 +0000", "16/Apr/2019:19:34:42 +0000", "31/Feb/2019:00:00:00 +0000"];
    const times = [...texts, texts[0]!, texts[2]!, "16/Apr/2019:19:34:43 +0000"].map((t) => read(t));
    const second = Date.UTC(2019, 3, 16, 19, 34, 42);
    expect(times).toEqual([second, second, null, second, null, second + 1000]);
  });

  it("gives the right day when dates alternate (the remembered day is not reused for another)", () => {
    const read = createClfTimeReader();
    expect(read("16/Apr/2019:00:00:00 +0000")).toBe(Date.UTC(2019, 3, 16));
    expect(read("17/Apr/2019:00:00:00 +0000")).toBe(Date.UTC(2019, 3, 17));
    expect(read("16/Apr/2019:00:00:01 +0000")).toBe(Date.UTC(2019, 3, 16, 0, 0, 1));
  });

  it("remembers its own day: two readers taking turns on different days each read theirs", () => {
    const [a, b] = [createClfTimeReader(), createClfTimeReader()];
    expect(a("16/Apr/2019:00:00:00 +0000")).toBe(Date.UTC(2019, 3, 16));
    expect(b("01/Jan/2020:00:00:00 +0000")).toBe(Date.UTC(2020, 0, 1));
    expect(a("16/Apr/2019:10:00:00 +0000")).toBe(Date.UTC(2019, 3, 16, 10));
    expect(b("01/Jan/2020:10:00:00 +0000")).toBe(Date.UTC(2020, 0, 1, 10));
  });

  it("agrees with parseClfTime on any sequence of timestamps, repeated, across days and invalid", () => {
    const text = fc
      .tuple(
        fc.integer({ min: 1, max: 31 }),
        fc.constantFrom("Jan", "Feb", "Apr", "Foo"),
        fc.constantFrom(2019, 2020),
        fc.integer({ min: 0, max: 24 }),
        fc.constantFrom("", " +0000", " -0130", " *0000"),
      )
      .map(([d, m, y, h, zone]) => `${pad(d)}/${m}/${y}:${pad(h)}:00:00${zone}`);
    fc.assert(
      fc.property(fc.array(text, { maxLength: 40 }), (texts) => {
        const read = createClfTimeReader();
        expect(texts.map((t) => read(t))).toEqual(texts.map(parseClfTime));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe("parseTimeValue", () => {
  it("reads ISO 8601 with Z, with an offset, and without a zone as UTC", () => {
    expect(parseTimeValue("2019-04-16T19:34:42Z")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
    expect(parseTimeValue("2019-04-16T21:34:42.250+02:00")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42, 250));
    expect(parseTimeValue("2019-04-16 19:34:42")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
    expect(parseTimeValue("2019-04-16T19:34:42+0000")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
  });

  it("reads epoch seconds and milliseconds, as numbers or text", () => {
    expect(parseTimeValue(1555443282)).toBe(1555443282000);
    expect(parseTimeValue("1555443282.123")).toBe(1555443282123);
    expect(parseTimeValue(1555443282123)).toBe(1555443282123);
    expect(epochToMs(1555443282123456)).toBe(1555443282123);
  });

  it("reads a CLF timestamp with or without its brackets", () => {
    expect(parseTimeValue("[16/Apr/2019:19:34:42 +0000]")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
    expect(parseTimeValue("16/Apr/2019:19:34:42 +0000")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
  });

  it("returns null for text that is no timestamp", () => {
    expect(parseTimeValue("yesterday")).toBeNull();
    expect(parseTimeValue("2019-13-45T99:99:99Z")).toBeNull();
    expect(parseTimeValue({ at: 1 })).toBeNull();
    expect(parseTimeValue(-5)).toBeNull();
  });
});

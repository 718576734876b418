import { describe, expect, it } from "vitest";
import { toNumber, toText, toTime } from "./values.js";

describe("toText", () => {
  it("turns every driver value type into text, keeping NULL absent", () => {
    expect([
      toText(null),
      toText("GET"),
      toText(200),
      toText(12345678901234567890n),
      toText(true),
      toText(new Date(Date.UTC(2019, 3, 16, 19, 34, 42))),
      toText(Buffer.from("python-requests/2.21.0")),
      toText({ a: 1 }),
    ]).toEqual([
      null,
      "GET",
      "200",
      "12345678901234567890",
      "true",
      "2019-04-16T19:34:42.000Z",
      "python-requests/2.21.0",
      '{"a":1}',
    ]);
  });
});

describe("toNumber", () => {
  it("accepts numbers, numeric text and bigint; reads '-' and NULL as absent", () => {
    expect([
      toNumber(200),
      toNumber("512495"),
      toNumber(" 42 "),
      toNumber(7n),
      toNumber("-"),
      toNumber(null),
    ]).toEqual([
      { value: 200 },
      { value: 512495 },
      { value: 42 },
      { value: 7 },
      { value: null },
      { value: null },
    ]);
  });

  it("names the value that is not a number", () => {
    expect([toNumber("OK"), toNumber(Number.NaN)]).toEqual([{ problem: "OK" }, { problem: "NaN" }]);
  });
});

describe("toTime", () => {
  const instant = Date.UTC(2019, 3, 16, 19, 34, 42);

  it("reads Date values, access-log text, ISO text and epoch seconds or milliseconds as the same instant", () => {
    expect([
      toTime(new Date(instant)),
      toTime("16/Apr/2019:19:34:42 +0000"),
      toTime("16/Apr/2019:21:34:42 +0200"),
      toTime("2019-04-16T19:34:42Z"),
      toTime(instant / 1000),
      toTime(instant),
    ]).toEqual([
      { time: instant, text: "2019-04-16T19:34:42.000Z" },
      { time: instant, text: "16/Apr/2019:19:34:42 +0000" },
      { time: instant, text: "16/Apr/2019:21:34:42 +0200" },
      { time: instant, text: "2019-04-16T19:34:42Z" },
      { time: instant, text: "2019-04-16T19:34:42.000Z" },
      { time: instant, text: "2019-04-16T19:34:42.000Z" },
    ]);
  });

  it("keeps unparseable text as shown but gives it no time", () => {
    expect([toTime("yesterday-ish"), toTime("16/Foo/2019:19:34:42 +0000"), toTime(null)]).toEqual([
      { time: null, text: "yesterday-ish" },
      { time: null, text: "16/Foo/2019:19:34:42 +0000" },
      { time: null, text: null },
    ]);
  });
});

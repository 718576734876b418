import { describe, expect, it } from "vitest";
import {
  canonicalField,
  fieldReader,
  getField,
  getFieldNumber,
  getFieldText,
  isKnownField,
} from "./fields.js";
import { makeRecord } from "./testing.js";

describe("getField", () => {
  const record = makeRecord({
    path: "/api/v1/sales?page=81",
    time: Date.UTC(2019, 3, 16, 19, 34, 42),
    time_text: "16/Apr/2019:19:34:42 +0000",
    size: 512495,
    status: 200,
  });

  it("derives endpoint, query and path_template from the request target", () => {
    expect(getField(record, "endpoint")).toBe("/api/v1/sales");
    expect(getField(record, "query")).toBe("page=81");
    expect(getField(record, "path_template")).toBe("/api/v1/sales?page=:n");
  });

  it("accepts the lesson's column names as aliases", () => {
    expect(getField(record, "request_path")).toBe("/api/v1/sales?page=81");
    expect(getField(record, "status_code")).toBe(200);
    expect(getField(record, "request_method")).toBe("GET");
    expect(getField(record, "timestamp")).toBe(Date.UTC(2019, 3, 16, 19, 34, 42));
    expect(canonicalField("status_code")).toBe("status");
  });

  it("reads hour and weekday in the log's own UTC offset", () => {
    const local = makeRecord({
      time: Date.UTC(2025, 3, 19, 11, 1, 50),
      time_text: "19/Apr/2025:12:01:50 +0100",
    });
    expect(getField(local, "hour")).toBe(12);
    expect(getField(local, "weekday")).toBe("Sat");
    const west = makeRecord({
      time: Date.UTC(2019, 3, 17, 2, 0, 0),
      time_text: "16/Apr/2019:21:00:00 -0500",
    });
    expect(getField(west, "hour")).toBe(21);
    expect(getField(west, "weekday")).toBe("Tue");
  });

  it("converts size to megabytes like the lesson's size_mb column", () => {
    expect(getField(record, "size_mb")).toBeCloseTo(512495 / 1024 / 1024, 12);
    expect(getField(makeRecord({ size: null }), "size_mb")).toBeNull();
  });

  it("reads format extras by name and never reaches the object prototype", () => {
    const withExtra = makeRecord({ extra: { vhost: "example.org", response_time_ms: "12.5" } });
    expect(getField(withExtra, "vhost")).toBe("example.org");
    expect(getFieldNumber(withExtra, "response_time_ms")).toBe(12.5);
    expect(getField(withExtra, "toString")).toBeNull();
    expect(getField(withExtra, "__proto__")).toBeNull();
    expect(getField(makeRecord(), "constructor")).toBeNull();
  });

  it("stringifies numbers for categorical use and leaves absent values null", () => {
    expect(getFieldText(record, "status")).toBe("200");
    expect(getFieldText(makeRecord({ referer: null }), "referer")).toBeNull();
    expect(fieldReader("status_code")(record)).toBe("200");
    expect(fieldReader("path_template")(record)).toBe("/api/v1/sales?page=:n");
    expect(fieldReader("endpoint")(record)).toBe("/api/v1/sales");
  });

  it("knows record, derived and alias names but not arbitrary ones", () => {
    expect(isKnownField("user_agent")).toBe(true);
    expect(isKnownField("path_template")).toBe(true);
    expect(isKnownField("request_path")).toBe(true);
    expect(isKnownField("vhost")).toBe(false);
  });
});

import { makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { matcher, parseCondition } from "./show.js";

describe("parseCondition", () => {
  it("splits at the first = so values may contain =", () => {
    expect(parseCondition("path=/api?a=1")).toEqual({ field: "path", value: "/api?a=1" });
  });

  it("refuses a condition without a field", () => {
    expect(() => parseCondition("=x")).toThrow(
      '--where "=x": expected FIELD=VALUE, e.g. --where user_agent=Python-urllib/3.7',
    );
  });
});

describe("matcher", () => {
  it("matches on the lesson's column names, ANDing every condition", () => {
    const match = matcher([
      { field: "user_agent", value: "Python-urllib/3.7" },
      { field: "status_code", value: "200" },
    ]);
    expect([
      match(makeRecord({ user_agent: "Python-urllib/3.7", status: 200 })),
      match(makeRecord({ user_agent: "Python-urllib/3.7", status: 404 })),
      match(makeRecord({ user_agent: "curl/8", status: 200 })),
    ]).toEqual([true, false, false]);
  });

  it("matches an absent field with -", () => {
    expect(matcher([{ field: "referer", value: "-" }])(makeRecord({ referer: null }))).toBe(true);
  });

  it("matches derived fields such as path_template", () => {
    expect(
      matcher([{ field: "endpoint", value: "/api/v1/sales" }])(makeRecord({ path: "/api/v1/sales?page=3" })),
    ).toBe(true);
  });
});

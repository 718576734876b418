import { describe, expect, it } from "vitest";
import { createPalette } from "./color.js";
import { profileCsv, profileJSON, profileTableText } from "./profile.js";

const userAgents = {
  key: "user_agent",
  rows: [
    { value: "python-requests/2.21.0", count: 12005, probability: 12005 / 13978 },
    { value: "Python-urllib/3.7", count: 1, probability: 1 / 13978 },
  ],
  omitted: 0,
  distinct: 2,
  conditional: false,
};

describe("profileJSON", () => {
  it("prints the total and each field's rows in the documented shape", () => {
    expect(JSON.parse(profileJSON({ total: 13978, tables: [userAgents] }))).toEqual({
      total: 13978,
      fields: {
        user_agent: [
          { value: "python-requests/2.21.0", count: 12005, probability: 12005 / 13978 },
          { value: "Python-urllib/3.7", count: 1, probability: 1 / 13978 },
        ],
      },
    });
  });

  it("keys a conditional table target|given and keeps given on each row", () => {
    const table = {
      key: "status|ip",
      rows: [{ value: "200", count: 3, probability: 1, given: "1.2.3.4" }],
      omitted: 0,
      distinct: 1,
      conditional: true,
    };
    expect(JSON.parse(profileJSON({ total: 3, tables: [table] }))).toEqual({
      total: 3,
      fields: { "status|ip": [{ value: "200", count: 3, probability: 1, given: "1.2.3.4" }] },
    });
  });

  it("keeps a field named __proto__ as an ordinary key", () => {
    const table = { ...userAgents, key: "__proto__" };
    expect(
      Object.keys((JSON.parse(profileJSON({ total: 1, tables: [table] })) as { fields: object }).fields),
    ).toEqual(["__proto__"]);
  });
});

describe("profileTableText", () => {
  it("shows probabilities to six decimals like pandas", () => {
    const text = profileTableText({
      total: 13978,
      tables: [userAgents],
      width: 100,
      palette: createPalette(false),
    });
    expect(text.split("\n")).toEqual([
      "user_agent (13,978 records, 2 distinct)",
      "value                    count     proba",
      "python-requests/2.21.0  12,005  0.858850",
      "Python-urllib/3.7            1  0.000072",
      "",
    ]);
  });
});

describe("profileCsv", () => {
  it("writes one row per value with the field and given columns", () => {
    expect(profileCsv([userAgents]).split("\r\n")).toEqual([
      "field,given,value,count,probability",
      `user_agent,,python-requests/2.21.0,12005,${12005 / 13978}`,
      `user_agent,,Python-urllib/3.7,1,${1 / 13978}`,
      "",
    ]);
  });
});

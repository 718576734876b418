import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "./csv.js";

describe("csvCell", () => {
  it("prefixes a formula in a user agent with a quote so a spreadsheet shows it as text", () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
  });

  it.each([
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
  ])("neutralises %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("keeps a lone - or + (an empty access-log field) as it is: no formula starts there", () => {
    expect([csvCell("-"), csvCell("+"), csvCell("--")]).toEqual(["-", "+", "'--"]);
  });

  it("quotes a cell starting with CR after neutralising it", () => {
    expect(csvCell("\r=1")).toBe(`"'\r=1"`);
  });

  it("quotes commas, quotes and line breaks as RFC 4180 says", () => {
    expect(csvCell('a,b "c"\nd')).toBe('"a,b ""c""\nd"');
  });

  it("writes numbers we computed as they are, including negative ones", () => {
    expect([csvCell(-1.5), csvCell(42), csvCell(Number.NaN), csvCell(null)]).toEqual(["-1.5", "42", "", ""]);
  });
});

describe("csvRow", () => {
  it("ends each record with CRLF", () => {
    expect(csvRow(["GET", 200, "/a,b"])).toBe('GET,200,"/a,b"\r\n');
  });
});

import { readFileSync } from "node:fs";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { createRecord } from "../record.js";
import { createClfParser } from "./clf.js";
import { createParser } from "./create.js";
import { splitRow } from "./csv.js";

const codeup = readFileSync(fixture("codeup-api-access/access.log"), "utf8").split("\n").slice(0, 200);

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

describe("splitRow", () => {
  it("reads quoted cells with doubled quotes, commas and empty cells", () => {
    expect(splitRow('a,"b ""q"", c",,"",d,', ",")).toEqual(["a", 'b "q", c', "", "", "d", ""]);
  });

  it("splits tabs for TSV and leaves commas alone", () => {
    expect(splitRow("1\ta,b\t", "\t")).toEqual(["1", "a,b", ""]);
  });

  it("rejects an unterminated quote, naming the column where it opened", () => {
    expect(splitRow('a,"open', ",")).toBe(
      "expected a closing quote for the field opened at column 3 (quoted fields cannot span lines)",
    );
  });

  it("rejects text after a closing quote", () => {
    expect(splitRow('"a"b,c', ",")).toBe("expected a comma after the closing quote at column 4");
  });
});

describe("csv and tsv", () => {
  it("reads the lesson's entry column exactly as the combined parser reads the raw lines", () => {
    const parser = createParser({ name: "csv", column: "entry", inner: { name: "combined" } });
    expect(parser.readHeader?.("id,entry")).toBeNull();
    const combined = createClfParser("combined");
    codeup.slice(0, 100).forEach((line, i) => {
      expect(parser.parse(`${i + 1},${csvCell(line)}`, "api_access.csv", i + 2)).toEqual(
        combined.parse(line, "api_access.csv", i + 2),
      );
    });
    expect(parser.description).toBe('csv (column "entry" holds combined lines)');
  });

  it("maps one column per field by its header name and keeps unknown columns as extra", () => {
    const parser = createParser({ name: "csv" });
    expect(parser.readHeader?.("client_ip,timestamp,method,path,status,bytes,user_agent,region")).toBeNull();
    const line = '10.0.0.1,2019-04-16T19:34:42Z,GET,/a,200,512,"Mozilla/5.0 (X11, Linux)",eu-west';
    expect(parser.parse(line, "export.csv", 2)).toEqual(
      createRecord({
        source: "export.csv",
        line: 2,
        raw: line,
        ip: "10.0.0.1",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "2019-04-16T19:34:42Z",
        method: "GET",
        path: "/a",
        status: 200,
        size: 512,
        user_agent: "Mozilla/5.0 (X11, Linux)",
        extra: { region: "eu-west" },
      }),
    );
  });

  it("reads a TSV whose column holds raw lines, with the inner format sniffed", () => {
    const parser = createParser({ name: "tsv", column: "entry" });
    expect(parser.readHeader?.("entry\tid")).toBeNull();
    expect(parser.parse(`${codeup[0]}\t1`, "t.tsv", 2)).toMatchObject({ ip: "97.105.19.58", size: 512495 });
  });

  it("takes a lone column named entry as raw lines without being told", () => {
    const parser = createParser({ name: "csv" });
    expect(parser.readHeader?.("entry")).toBeNull();
    expect(parser.parse(csvCell(codeup[1]!), "t.csv", 2)).toMatchObject({
      path: "/api/v1/items",
      size: 3561,
    });
  });

  it("names columns by position when there is no header", () => {
    const parser = createParser({ name: "csv", header: false, column: "2", inner: { name: "combined" } });
    expect("readHeader" in parser).toBe(false);
    expect(parser.parse(`7,${csvCell(codeup[0]!)}`, "t.csv", 1)).toMatchObject({
      ip: "97.105.19.58",
      line: 1,
    });
  });

  it("rejects a row with another number of fields than the header", () => {
    const parser = createParser({ name: "csv" });
    parser.readHeader?.("ip,status");
    expect(parser.parse("1.2.3.4,200,extra", "t.csv", 2)).toBe("expected 2 fields as in the header, found 3");
  });

  it("prefixes a rejection of the raw column with the column's name", () => {
    const parser = createParser({ name: "csv", column: "entry", inner: { name: "combined" } });
    parser.readHeader?.("entry");
    expect(parser.parse("garbage", "t.csv", 2)).toBe(
      'in column "entry": expected the client address and a space at column 1',
    );
  });

  it("says which columns exist when the raw column is missing", () => {
    const parser = createParser({ name: "csv", column: "entry" });
    expect(parser.readHeader?.("id,line_text")).toBe(
      'no column named "entry" in the header (columns: "id", "line_text")',
    );
  });

  it("refuses rows before the header is read", () => {
    expect(createParser({ name: "csv" }).parse("a,b", "t.csv", 1)).toBe(
      "expected the header row to be read first (readHeader)",
    );
  });
});

describe("messages about headers", () => {
  it("escapes control and bidi characters of header names it repeats", () => {
    const parser = createParser({ name: "csv", column: "entry" });
    expect(parser.readHeader?.("id,\u001b[2J\u202ename")).toBe(
      'no column named "entry" in the header (columns: "id", "\\u001b[2J\\u202ename")',
    );
  });
});

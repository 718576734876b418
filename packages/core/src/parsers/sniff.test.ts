import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { resolveFormat, sniffFormat } from "./resolve.js";

function head(file: string, count = 60): string[] {
  const bytes = readFileSync(fixture(file));
  const text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  return text.split("\n").slice(0, count);
}

const codeup = head("codeup-api-access/access.log");

function csvCell(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

describe("sniffFormat", () => {
  it.each([
    ["codeup-api-access/access.log"],
    ["elastic-apache/apache_logs"],
    ["elastic-nginx/nginx_logs.gz"],
    ["wap-hackathon-nginx/access.log"],
  ])("picks combined for %s, from its first 50 lines", (file) => {
    expect(sniffFormat({ lines: head(file) })).toEqual({
      spec: { name: "ncsa", layout: "combined" },
      description: "combined, auto-detected (50 of 50 sample lines parse)",
      parsed: 50,
      sampled: 50,
    });
  });

  it("picks vcombined when a virtual host comes first", () => {
    const lines = codeup.slice(0, 10).map((line) => `api.example:443 ${line}`);
    expect(sniffFormat({ lines }).spec).toEqual({ name: "ncsa", layout: "vcombined" });
  });

  it("picks common for lines without referer and user agent", () => {
    const lines = codeup.slice(0, 10).map((line) => line.slice(0, line.indexOf(' "-"')));
    expect(sniffFormat({ lines }).spec).toEqual({ name: "ncsa", layout: "common" });
  });

  it("picks jsonl for JSON objects", () => {
    const lines = ['{"remote_addr":"1.2.3.4","status":200}', '{"remote_addr":"1.2.3.5","status":404}'];
    expect(sniffFormat({ lines }).spec).toEqual({ name: "jsonl" });
  });

  it("finds the lesson's entry column in a CSV export and the format inside it", () => {
    const lines = ["id,entry", ...codeup.slice(0, 20).map((line, i) => `${i + 1},${csvCell(line)}`)];
    expect(sniffFormat({ lines })).toEqual({
      spec: { name: "csv", column: "entry", inner: { name: "ncsa", layout: "combined" } },
      description: 'csv (column "entry" holds combined lines), auto-detected (21 of 21 sample lines parse)',
      parsed: 21,
      sampled: 21,
    });
  });

  it("maps a CSV with one column per field", () => {
    const lines = ["ip,timestamp,method,path,status,size", "1.2.3.4,2019-04-16T19:34:42Z,GET,/,200,42"];
    expect(sniffFormat({ lines }).spec).toEqual({ name: "csv" });
  });

  it("picks tsv for tab-separated rows", () => {
    const lines = ["id\tentry", ...codeup.slice(0, 5).map((line, i) => `${i}\t${line}`)];
    expect(sniffFormat({ lines }).spec).toEqual({
      name: "tsv",
      column: "entry",
      inner: { name: "ncsa", layout: "combined" },
    });
  });

  it("stays with combined when a log starts with a stray line", () => {
    expect(sniffFormat({ lines: ["restarted", ...codeup.slice(0, 10)] }).spec).toEqual({
      name: "ncsa",
      layout: "combined",
    });
  });

  it("skips blank lines and says how few lines fit when none does", () => {
    expect(sniffFormat({ lines: ["", "  ", "not a log", "nor this"] })).toEqual({
      spec: { name: "ncsa", layout: "combined" },
      description: "combined, auto-detected (0 of 2 sample lines parse)",
      parsed: 0,
      sampled: 2,
    });
  });
});

describe("resolveFormat", () => {
  it("fills in the inner format of csv:<column>", () => {
    const lines = ["entry", ...codeup.slice(0, 5).map(csvCell)];
    expect(resolveFormat({ spec: { name: "csv", column: "entry" }, lines }).spec).toEqual({
      name: "csv",
      column: "entry",
      inner: { name: "ncsa", layout: "combined" },
    });
  });

  it("keeps a complete spec and counts the sample lines it parses", () => {
    const commonLines = codeup.slice(0, 5).map((line) => line.slice(0, line.indexOf(' "-"')));
    expect(resolveFormat({ spec: { name: "combined" }, lines: commonLines })).toEqual({
      spec: { name: "combined" },
      description: "combined",
      parsed: 0,
      sampled: 5,
    });
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { parseFormatOption } from "./format-option.js";

describe("parseFormatOption", () => {
  it.each([
    ["auto", { name: "auto" }],
    ["combined", { name: "combined" }],
    ["Common", { name: "common" }],
    ["vcombined", { name: "vcombined" }],
    ["nginx", { name: "nginx" }],
    ["jsonl", { name: "jsonl" }],
    ["ndjson", { name: "jsonl" }],
    ["csv", { name: "csv" }],
    ["tsv", { name: "tsv" }],
  ])("reads %s", (text, spec) => {
    expect(parseFormatOption(text)).toEqual(spec);
  });

  it("reads csv:<column> and tsv:<column> as the column holding raw lines", () => {
    expect(parseFormatOption("csv:entry")).toEqual({ name: "csv", column: "entry" });
    expect(parseFormatOption("tsv:log line")).toEqual({ name: "tsv", column: "log line" });
  });

  it("keeps everything after apache: as the LogFormat string, colons included", () => {
    expect(parseFormatOption('apache:%h %l %u %t "%r" %>s %b %{Host:port}i')).toEqual({
      name: "apache",
      logFormat: '%h %l %u %t "%r" %>s %b %{Host:port}i',
    });
  });

  it("reads nginx:<log_format>", () => {
    expect(parseFormatOption("nginx:$remote_addr [$time_local] $status")).toEqual({
      name: "nginx",
      logFormat: "$remote_addr [$time_local] $status",
    });
  });

  it("suggests the nearest name for an unknown one", () => {
    expect(() => parseFormatOption("combind")).toThrow(
      new ConfigError(
        'unknown log format "combind" (did you mean "combined"?); expected one of auto, ncsa, common, combined, vcombined, nginx, jsonl, csv, tsv, csv:<column>, tsv:<column>, apache:<LogFormat>, nginx:<log_format>',
      ),
    );
  });

  it("rejects an argument on a format that takes none, and apache without its string", () => {
    expect(() => parseFormatOption("combined:x")).toThrow(/the combined log format takes no argument/);
    expect(() => parseFormatOption("apache")).toThrow(/needs a LogFormat string/);
    expect(() => parseFormatOption("csv:")).toThrow('nothing follows "csv:" in the log format');
  });

  it("reports a bad LogFormat string before any input is read", () => {
    expect(() => parseFormatOption("apache:%h %Q")).toThrow(ConfigError);
  });
});

import { describe, expect, it } from "vitest";
import { identifierProblem, parseTableName, quoteIdentifier, quoteTable } from "./identifiers.js";

describe("identifiers", () => {
  it("splits schema-qualified table names", () => {
    expect([parseTableName("api_access"), parseTableName("logs.api_access")]).toEqual([
      { schema: null, table: "api_access" },
      { schema: "logs", table: "api_access" },
    ]);
  });

  it("refuses names with quotes, control characters or extra dots", () => {
    expect([
      parseTableName("a.b.c"),
      parseTableName("x`; DROP TABLE y; --"),
      identifierProblem('col"'),
      identifierProblem("line\nbreak"),
      identifierProblem(""),
      identifierProblem("x".repeat(64)),
      identifierProblem("request path"),
    ]).toEqual([
      'table name "a.b.c" has more than one dot (expected table or schema.table)',
      'table name "x`; DROP TABLE y; --" contains a quote or control character',
      "contains a quote or control character",
      "contains a quote or control character",
      "is empty",
      "is longer than 63 characters",
      null,
    ]);
  });

  it("quotes identifiers per dialect so they can never end the quoted name", () => {
    expect([
      quoteIdentifier("entry", "mysql"),
      quoteIdentifier("entry", "postgres"),
      quoteIdentifier("we`ird", "mysql"),
      quoteIdentifier('we"ird', "postgres"),
      quoteTable({ schema: "logs", table: "api_access" }, "mysql"),
      quoteTable({ schema: null, table: "requests" }, "postgres"),
    ]).toEqual(["`entry`", '"entry"', "`we``ird`", '"we""ird"', "`logs`.`api_access`", '"requests"']);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../record.js";
import { createParser } from "./create.js";
import { sniffFormat } from "./resolve.js";

/** One line from a peer's parser tests and what the peer expects, in oddity's field names. */
interface Case {
  id: string;
  repository: string;
  path: string;
  commit: string;
  line: string;
  /** null: the peer rejects the line. */
  expect: Record<string, unknown> | null;
}

const CORPUS = path.resolve(import.meta.dirname, "../../test/conformance/corpus.json");
const cases = (JSON.parse(readFileSync(CORPUS, "utf8")) as { cases: Case[] }).cases;

/**
 * Where oddity differs from the peer on purpose, with the reason; docs/formats.md lists the same cases.
 * The test fails when one of them starts to agree (remove it here and there) or a new one appears.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  "vrl:parse_apache_log.rs:log_line_valid_empty":
    "seven dashes without a bracketed timestamp are no NCSA line; VRL reads them as a record with every field absent",
  "lnav:access_log.json:sample[2]":
    "a timestamp-first layout (ISO time, ip, user, method, path, -1, status, size) that is not of the NCSA family",
  "lnav:access_log.json:sample[3]": "the same timestamp-first layout, with an unquoted path",
  "apachelogs:test_parse.py:test_parse[VHOST_COMBINED]":
    "apachelogs decodes Apache's \\xhh escapes into bytes; oddity keeps them as logged, as VRL does (the two disagree)",
};

// Peers disagree on how an absent value is written: `-`, "" and null all mean "not logged" here.
function absent(value: unknown): boolean {
  return value === null || value === undefined || value === "-" || value === "";
}

function same(ours: unknown, theirs: unknown): boolean {
  if (absent(theirs)) return absent(ours);
  if (typeof theirs === "number" && typeof ours === "string") return Number(ours) === theirs;
  if (typeof theirs === "string" && typeof ours === "string" && /^\d+(\.\d+)?$/.test(theirs))
    return Number(ours) === Number(theirs);
  return ours === theirs;
}

function requestOf(record: LogRecord): string | null {
  const parts = [record.method, record.path, record.http_version].filter((p) => p !== null);
  return parts.length === 0 ? null : parts.join(" ");
}

/** The fields where oddity and the peer disagree, or `rejected: reason` when oddity rejects the line. */
function differences(record: LogRecord | string, expected: Record<string, unknown>): string[] {
  if (typeof record === "string") return [`rejected: ${record}`];
  const found: string[] = [];
  for (const [field, want] of Object.entries(expected)) {
    if (field === "extra") {
      const extra = record.extra ?? {};
      for (const [name, value] of Object.entries(want as Record<string, unknown>))
        if (!same(extra[name], value)) found.push(`extra.${name}: ${JSON.stringify(extra[name])}`);
      continue;
    }
    let ours: unknown;
    if (field === "request") ours = requestOf(record);
    else if (field === "time") ours = record.time === null ? null : new Date(record.time).toISOString();
    else ours = record[field as keyof LogRecord];
    const wanted = field === "time" && typeof want === "string" ? new Date(want).toISOString() : want;
    if (!same(ours, wanted)) found.push(`${field}: ${JSON.stringify(ours)} (peer: ${JSON.stringify(want)})`);
  }
  return found;
}

function outcome(testCase: Case): string[] {
  // Each line is read as a one-line file would be: auto-detection, then the format it picked.
  const spec = sniffFormat({ lines: [testCase.line] }).spec;
  const record = createParser(spec).parse(testCase.line, "corpus", 1);
  if (testCase.expect === null) return typeof record === "string" ? [] : ["parsed; the peer rejects it"];
  return differences(record, testCase.expect);
}

describe("conformance corpus (peers' parser tests)", () => {
  it("cites a repository, a path and a commit for every case", () => {
    const uncited = cases.filter(
      (c) =>
        !/^[\w.-]+\/[\w.-]+$/.test(c.repository) || c.path.length === 0 || !/^[0-9a-f]{40}$/.test(c.commit),
    );
    expect(uncited).toEqual([]);
  });

  it("parses at least 90% of the lines as the peers expect, or rejects them where the peers do", () => {
    const agreeing = cases.filter((c) => outcome(c).length === 0).length;
    expect(agreeing / cases.length).toBeGreaterThanOrEqual(0.9);
  });

  it("differs from the peers only where docs/formats.md says why", () => {
    const differing = Object.fromEntries(
      cases.map((c) => [c.id, outcome(c)] as const).filter(([, found]) => found.length > 0),
    );
    expect(Object.keys(differing).sort()).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
  });
});

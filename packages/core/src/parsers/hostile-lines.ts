// Test support, imported only by the parser fuzz tests (it is not exported, so it does not ship): the
// hostile text and the formats both fuzz tests feed every parser.
import fc from "fast-check";
import type { FormatSpec } from "../input/types.js";

/** Names that break code keying plain objects by log values. */
export const PROTO_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];

/**
 * A piece of hostile log text: any UTF-16 code units (lone surrogates, NUL, escapes), the characters
 * log syntax is made of, terminal and bidi controls, a spreadsheet formula, prototype names, and
 * fragments of real lines and JSON.
 */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom(
    '"',
    "[",
    "]",
    " ",
    "\\",
    "-",
    "\t",
    ",",
    "{",
    "}",
    ":",
    "\0",
    "\r",
    "\ud800",
    "\udfff",
    "\u001b[31m",
    "\u202e",
    "=cmd|' /C calc'!A0",
    ...PROTO_NAMES,
  ),
  fc.constantFrom(
    '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "',
    'GET /__proto__ HTTP/1.1" 200 ',
    '5 "-" "',
    '{"status":',
    '{"__proto__":{"polluted":1},"user_agent":',
    '"',
    "200",
    "99999999999999999999",
    "-1",
    "1e400",
  ),
);

/** Hostile text of up to `maxUnits` pieces; `lines` drops newlines, as a line splitter would. */
export function hostileText({ maxUnits, lines = false }: { maxUnits: number; lines?: boolean }) {
  return fc
    .array(unit, { maxLength: maxUnits })
    .map((parts) => (lines ? parts.join("").replaceAll("\n", "") : parts.join("")));
}

/** Every parser, including templates and field maps that name prototype keys. */
export const FUZZ_SPECS: FormatSpec[] = [
  { name: "common" },
  { name: "combined" },
  { name: "vcombined" },
  { name: "nginx" },
  {
    name: "apache",
    logFormat: '%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Forwarded-For}i',
  },
  { name: "apache", logFormat: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{__proto__}i %D' },
  { name: "nginx", logFormat: '$remote_addr - $remote_user [$time_local] "$request" $status $request_time' },
  {
    name: "nginx",
    logFormat: '$remote_addr [$time_local] "$request" $status $body_bytes_sent $http_constructor',
  },
  { name: "jsonl" },
  { name: "jsonl", fields: { ip: "__proto__", user_agent: "constructor" } },
  { name: "csv", column: "entry" },
  { name: "csv" },
  { name: "csv", header: false },
  { name: "tsv", header: false },
  { name: "tsv", column: "entry", header: false },
  { name: "auto" },
];

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixture } from "@oddity/fixtures";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import type { LogRecord, Rejection } from "../record.js";
import { readInputs, type ReadInputsOptions } from "./read.js";
import type { RecordStream } from "./types.js";

// Inputs written by the internet: every one must come out as records, rejections with a reason, blank
// lines or a clear InputError, never as a crash, a hang or a line that disappears.

const SYNTHETIC = fixture("codeup-api-access/lesson-synthetic.log");
const FIRST = readFileSync(SYNTHETIC, "utf8").split("\n")[0]!;

interface Collected {
  stream: RecordStream;
  records: LogRecord[];
  rejections: Rejection[];
}

async function collect(options: ReadInputsOptions): Promise<Collected> {
  const stream = readInputs(options);
  const records: LogRecord[] = [];
  const rejections: Rejection[] = [];
  for await (const batch of stream) {
    records.push(...batch.records);
    rejections.push(...batch.rejections);
  }
  return { stream, records, rejections };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "oddity-hostile-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

/** The numbers of the lines a reader must count as blank: empty or whitespace only, after CRLF removal. */
function blankLineNumbers(bytes: Uint8Array): number[] {
  const text = Buffer.from(bytes).toString("utf8");
  if (text.length === 0) return [];
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  return lines.flatMap((line, i) => (line.replace(/\r$/, "").trim() === "" ? [i + 1] : []));
}

describe("every line of a hostile file is accounted for", () => {
  it("numbers each line of random bytes once, as a record, a rejection or a blank line", async () => {
    const hostileBytes = fc
      .array(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.constantFrom(
            ...["\n", "\r\n", "\r", "\0", " ", "\t", '"', "[", "{", "\u2028", "\u001b[2J"].map((s) =>
              Buffer.from(s),
            ),
            Buffer.from([0xff, 0xfe]),
            Buffer.from([0xed, 0xa0, 0x80]),
            Buffer.from(`${FIRST}\n`),
          ),
        ),
        { maxLength: 40 },
      )
      .map((parts) => Buffer.concat(parts))
      .filter((b) => !(b[0] === 0x1f && b[1] === 0x8b));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostileBytes, async (bytes) => {
        const input = file(`random-${run++}.log`, bytes);
        const { stream, records, rejections } = await collect({ inputs: [input], maxLineLength: 200 });
        const newlines = bytes.filter((b) => b === 0x0a).length;
        const lines = newlines + (bytes.length > 0 && bytes.at(-1) !== 0x0a ? 1 : 0);
        const numbered = [
          ...records.map((r) => r.line),
          ...rejections.map((r) => r.line),
          ...blankLineNumbers(bytes),
        ].sort((a, b) => a - b);
        expect(numbered).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
        expect(stream.stats).toMatchObject({
          read: lines,
          parsed: records.length,
          rejected: rejections.length,
          blank: lines - records.length - rejections.length,
          bytes: bytes.length,
        });
        for (const r of rejections) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { seed: 42, numRuns: 150 },
    );
  });
});

describe("bytes no log should hold", () => {
  it("keeps NUL bytes inside a field as data", async () => {
    const input = file("nul.log", FIRST.replace('"python-requests/2.21.0"', '"evil\0agent"') + "\n\0\0\0\n");
    const { records, rejections, stream } = await collect({ inputs: [input], format: { name: "combined" } });
    expect([records.map((r) => r.user_agent), rejections.map((r) => [r.line, r.excerpt])]).toEqual([
      ["evil\0agent"],
      [[2, "\0\0\0"]],
    ]);
    expect(stream.stats).toMatchObject({ read: 2, parsed: 1, rejected: 1, blank: 0 });
  });

  it("decodes invalid UTF-8 and CESU-8 surrogates as U+FFFD, one per bad byte", async () => {
    const line = Buffer.from(FIRST.replace("/api/v1/items/", "/a\u0001b"));
    const bad = Buffer.concat([
      line.subarray(0, line.indexOf(1)),
      Buffer.from([0xff, 0xc3, 0xed, 0xa0, 0x80]),
      line.subarray(line.indexOf(1) + 1),
    ]);
    const { records } = await collect({ inputs: [file("utf8.log", bad)], format: { name: "combined" } });
    expect(records[0]!.path).toBe("/a\ufffd\ufffd\ufffd\ufffd\ufffdb");
  });

  it("keeps a lone surrogate escaped in JSON as the string it encodes", async () => {
    const input = file("surrogate.jsonl", '{"user_agent":"x\\ud800y","path":"/\\udfff","status":200}\n');
    const { records } = await collect({ inputs: [input] });
    expect([records[0]!.user_agent, records[0]!.path]).toEqual(["x\ud800y", "/\udfff"]);
  });

  it("drops the CR of CRLF line ends and keeps a bare CR as data", async () => {
    const lines = readFileSync(SYNTHETIC, "utf8").trimEnd().split("\n");
    const input = file("crlf.log", `${lines[0]}\r\n${lines[1]!.replace('"-" "', '"-" "a\rb')}\r\n`);
    const { records } = await collect({ inputs: [input], format: { name: "combined" } });
    expect(records.map((r) => [r.line, r.raw.includes("\r\n"), r.user_agent])).toEqual([
      [1, false, "python-requests/2.21.0"],
      [2, false, "a\rbpython-requests/2.21.0"],
    ]);
  });

  it("reads a file whose lines end in bare CR as one overlong line, counted and rejected", async () => {
    const input = file("cr-only.log", `${FIRST}\r`.repeat(5000));
    const { stream, rejections } = await collect({ inputs: [input], maxLineLength: 100_000 });
    expect(stream.stats).toMatchObject({ read: 1, parsed: 0, rejected: 1 });
    expect(rejections[0]!.reason).toBe("line longer than 100000 characters");
  });
});

describe("sizes and shapes", () => {
  it("rejects a 50 MB line without a newline, keeping only its start, and reads the next file", async () => {
    const huge = file("huge.log", Buffer.alloc(50 * 1024 * 1024, "A"));
    const { stream, rejections, records } = await collect({ inputs: [huge, SYNTHETIC] });
    expect(rejections).toEqual([
      { source: huge, line: 1, reason: "line longer than 1048576 characters", excerpt: "A".repeat(200) },
    ]);
    expect(records.map((r) => `${r.source}:${r.line}`)).toEqual([1, 2, 3, 4].map((n) => `${SYNTHETIC}:${n}`));
    expect(stream.stats).toMatchObject({ read: 5, parsed: 4, rejected: 1, blank: 0 });
  });

  it("reads an empty file as no lines, with no format and no warning", async () => {
    const { stream, records } = await collect({ inputs: [file("empty.log", "")] });
    expect([records, stream.stats, stream.format, stream.warnings]).toEqual([
      [],
      { read: 0, parsed: 0, rejected: 0, blank: 0, bytes: 0 },
      null,
      [],
    ]);
  });

  it("counts a file of only blank lines as blank lines", async () => {
    const content = "\n \n\t\r\n\r\n   \t \n\n";
    const { stream, records, rejections } = await collect({ inputs: [file("blank.log", content)] });
    expect([records, rejections, stream.stats]).toEqual([
      [],
      [],
      { read: 6, parsed: 0, rejected: 0, blank: 6, bytes: content.length },
    ]);
  });
});

describe("files that cannot be read", () => {
  it("names a file it has no permission to read", async () => {
    const secret = file("secret.log", `${FIRST}\n`);
    chmodSync(secret, 0o000);
    chmodSync(dir, 0o755);
    // Root reads any file whatever its mode: as root the check runs with the effective user nobody.
    const root = process.geteuid?.() === 0;
    if (root) process.seteuid!(65534);
    try {
      await expect(collect({ inputs: [secret] })).rejects.toThrow(
        new InputError(`cannot read ${secret}: permission denied`),
      );
    } finally {
      if (root) process.seteuid!(0);
    }
  });
});

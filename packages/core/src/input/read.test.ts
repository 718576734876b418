import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { fixture } from "@oddity/fixtures";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordBatch } from "../batch.js";
import { InputError } from "../errors.js";
import { createRecord, type LogRecord, type Rejection } from "../record.js";
import { readInputs, type ReadInputsOptions } from "./read.js";
import type { RecordStream } from "./types.js";

const CODEUP = fixture("codeup-api-access/access.log");
const SYNTHETIC = fixture("codeup-api-access/lesson-synthetic.log");
const APACHE = fixture("elastic-apache/apache_logs");
const NGINX_GZ = fixture("elastic-nginx/nginx_logs.gz");
const HACKATHON = fixture("wap-hackathon-nginx/access.log");

interface Collected {
  stream: RecordStream;
  records: LogRecord[];
  rejections: Rejection[];
  batches: RecordBatch[];
}

async function collect(options: ReadInputsOptions): Promise<Collected> {
  const stream = readInputs(options);
  const batches: RecordBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  return {
    stream,
    batches,
    records: batches.flatMap((b) => b.records),
    rejections: batches.flatMap((b) => b.rejections),
  };
}

function streamOf(
  name: string,
  chunks: Array<Uint8Array | string>,
): { name: string; stream: AsyncIterable<Uint8Array | string> } {
  return { name, stream: Readable.from(chunks, { objectMode: true }) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "oddity-read-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("readInputs on the real logs", () => {
  it("reads codeup access.log and the lesson's 4 synthetic rows as 13,978 records, 0 rejected", async () => {
    const { stream, records } = await collect({ inputs: [CODEUP, SYNTHETIC] });
    expect(stream.stats).toEqual({
      read: 13_978,
      parsed: 13_978,
      rejected: 0,
      blank: 0,
      bytes: readFileSync(CODEUP).length + readFileSync(SYNTHETIC).length,
      layouts: { combined: 13_978 },
    });
    expect(records[0]).toEqual(
      createRecord({
        source: CODEUP,
        line: 1,
        raw: '97.105.19.58 - - [16/Apr/2019:19:34:42 +0000] "GET /api/v1/sales?page=81 HTTP/1.1" 200 512495 "-" "python-requests/2.21.0"',
        ip: "97.105.19.58",
        ident: "-",
        user: "-",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "16/Apr/2019:19:34:42 +0000",
        method: "GET",
        path: "/api/v1/sales?page=81",
        http_version: "HTTP/1.1",
        status: 200,
        size: 512495,
        user_agent: "python-requests/2.21.0",
      }),
    );
    expect(records.at(-1)).toMatchObject({ source: SYNTHETIC, line: 4, ip: "97.105.19.58", size: 2056327 });
    expect(stream.format).toBe("combined, auto-detected");
    expect(stream.warnings).toEqual([]);
  });

  it("rejects only line 8899 of elastic-apache, with the reason and the start of the line", async () => {
    const { stream, rejections } = await collect({ inputs: [APACHE] });
    expect(stream.stats).toMatchObject({ read: 10_000, parsed: 9_999, rejected: 1, blank: 0 });
    expect(rejections).toEqual([
      {
        source: APACHE,
        line: 8899,
        reason: "expected a closing quote to end the user agent opened at column 111",
        excerpt:
          '46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
      },
    ]);
  });

  // The fixture is lines 40,001-50,000 of elastic's log (its SOURCE.md): 69,192 bytes of gzip.
  it("reads the gzipped elastic-nginx excerpt, found by its magic bytes, as 10,000 records", async () => {
    const { stream, records } = await collect({ inputs: [NGINX_GZ] });
    expect(stream.stats).toEqual({
      read: 10_000,
      parsed: 10_000,
      rejected: 0,
      blank: 0,
      bytes: 69_192,
      layouts: { combined: 10_000 },
    });
    expect(records[1]).toMatchObject({
      line: 2,
      ip: "67.213.93.228",
      time: Date.UTC(2015, 4, 31, 6, 5, 59),
      status: 304,
      size: 0,
      user_agent: "Debian APT-HTTP/1.3 (1.0.1ubuntu2)",
    });
  });

  it("reads a gzip file whatever its name", async () => {
    const renamed = path.join(dir, "nginx.log");
    writeFileSync(renamed, readFileSync(NGINX_GZ));
    const { stream } = await collect({ inputs: [renamed] });
    expect(stream.stats.parsed).toBe(10_000);
  });

  it("keeps hackathon line 3777's empty request as a record", async () => {
    const { stream, records } = await collect({ inputs: [HACKATHON] });
    expect(stream.stats).toMatchObject({ read: 10_000, parsed: 10_000, rejected: 0 });
    expect(records[3776]).toMatchObject({
      line: 3777,
      method: null,
      path: null,
      http_version: null,
      status: 400,
    });
  });
});

describe("damaged gzip", () => {
  const whole = readFileSync(NGINX_GZ);
  // 40,000 bytes of the excerpt decode to text that ends inside a line, so there is a cut line to reject.
  const cut = whole.subarray(0, 40_000);
  // What zlib can still decode from the cut bytes: the lines a reader should keep.
  const decodable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString("utf8");
  const completeLines = decodable.split("\n").length - 1;

  it("keeps every complete line before the damage, rejects the cut one and warns with the offset", async () => {
    const file = path.join(dir, "cut.gz");
    writeFileSync(file, cut);
    const { stream, rejections } = await collect({ inputs: [file] });
    expect(stream.stats).toMatchObject({ read: completeLines + 1, parsed: completeLines, rejected: 1 });
    expect(rejections).toEqual([
      {
        source: file,
        line: completeLines + 1,
        reason: "line cut off where the gzip data is damaged",
        excerpt: decodable.slice(decodable.lastIndexOf("\n") + 1),
      },
    ]);
    expect(stream.warnings).toEqual([
      `${file}: gzip data ends early at compressed byte 40000 (unexpected end of file); kept the lines before it`,
    ]);
  });

  it("throws an InputError naming the file and offset under strict", async () => {
    const file = path.join(dir, "cut-strict.gz");
    writeFileSync(file, cut);
    await expect(collect({ inputs: [file], strict: true })).rejects.toThrow(
      new InputError(
        `${file}: gzip data ends early at compressed byte 40000 (unexpected end of file); kept the lines before it`,
      ),
    );
  });

  it("warns about a bad checksum, loses at most one 16 KiB zlib buffer and goes on with the next input", async () => {
    const corrupt = Buffer.from(gzipSync(Buffer.from("a\nb\n".repeat(50_000))));
    corrupt[corrupt.length - 6]! ^= 0xff;
    const { stream, rejections } = await collect({
      inputs: [streamOf("corrupt", [corrupt]), streamOf("next", ["x\n"])],
      format: { name: "common" },
    });
    expect(stream.warnings).toHaveLength(1);
    const match =
      /^corrupt: gzip data is corrupt after compressed byte (\d+) \(incorrect data check\); kept the lines before it$/.exec(
        stream.warnings[0]!,
      );
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[1])).toBeLessThanOrEqual(corrupt.length - 6);
    // zlib drops the output of the call that finds the damage: one buffer of 16 KiB, 8,192 lines here.
    expect(stream.stats.read).toBeGreaterThanOrEqual(100_001 - 8192);
    expect(stream.stats.read).toBeLessThan(100_001);
    expect(rejections.at(-1)).toEqual({
      source: "next",
      line: 1,
      reason: expect.any(String) as string,
      excerpt: "x",
    });
  });
});

describe("lines", () => {
  it("rejects a line longer than maxLineLength without keeping it, and reads the next", async () => {
    const long = "9".repeat(5000);
    const { stream, rejections, records } = await collect({
      inputs: [streamOf("s", [`${long.slice(0, 3000)}`, `${long.slice(3000)}\n`, readFileSync(SYNTHETIC)])],
      maxLineLength: 1000,
      format: { name: "combined" },
    });
    expect(rejections).toEqual([
      { source: "s", line: 1, reason: "line longer than 1000 characters", excerpt: "9".repeat(200) },
    ]);
    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(stream.stats).toMatchObject({ read: 5, parsed: 4, rejected: 1 });
  });

  it("counts empty and whitespace-only lines as blank, numbering lines as in the file", async () => {
    const [first, second] = readFileSync(SYNTHETIC, "utf8").split("\n");
    const { stream, records } = await collect({
      inputs: [streamOf("s", [`\n${first}\r\n \t\n\n${second}`])],
    });
    expect(stream.stats).toMatchObject({ read: 5, parsed: 2, rejected: 0, blank: 3 });
    expect(records.map((r) => [r.line, r.ip])).toEqual([
      [2, "95.31.18.119"],
      [5, "95.31.16.121"],
    ]);
  });

  it("counts a CSV header row as blank and reads the rows below it", async () => {
    const lines = readFileSync(SYNTHETIC, "utf8").trim().split("\n");
    const csv = ["id,entry", ...lines.map((line, i) => `${i + 1},"${line.replaceAll('"', '""')}"`)].join(
      "\n",
    );
    const { stream, records } = await collect({ inputs: [streamOf("api_access.csv", [csv])] });
    expect(stream.stats).toMatchObject({ read: 5, parsed: 4, rejected: 0, blank: 1 });
    expect(records[0]).toMatchObject({
      source: "api_access.csv",
      line: 2,
      ip: "95.31.18.119",
      raw: lines[0],
    });
    expect(stream.format).toBe('csv (column "entry" holds combined lines), auto-detected');
  });

  it("throws an InputError for a header without the named column", async () => {
    await expect(
      collect({
        inputs: [streamOf("t.csv", ["id,line_text\n1,x\n"])],
        format: { name: "csv", column: "entry" },
      }),
    ).rejects.toThrow(
      new InputError('t.csv:1: no column named "entry" in the header (columns: "id", "line_text")'),
    );
  });

  it("sniffs each source on its own", async () => {
    const { stream, records } = await collect({
      inputs: [streamOf("a.jsonl", ['{"remote_addr":"1.1.1.1","status":200}\n']), SYNTHETIC],
    });
    expect(records.map((r) => r.ip)).toEqual([
      "1.1.1.1",
      "95.31.18.119",
      "95.31.16.121",
      "97.105.15.120",
      "97.105.19.58",
    ]);
    expect(stream.format).toBe("jsonl, auto-detected; combined, auto-detected");
  });

  it("warns when most sample lines do not parse with the chosen format", async () => {
    const { stream } = await collect({ inputs: [streamOf("odd.log", ["one\ntwo\nthree\n"])] });
    expect(stream.warnings).toEqual([
      "odd.log: only 0 of 3 sample lines parse as combined; name the format if that is not it",
    ]);
    expect(stream.stats).toMatchObject({ read: 3, rejected: 3 });
  });

  it("throws at the first rejected line under strict, naming source, line and reason", async () => {
    await expect(collect({ inputs: [APACHE], strict: true })).rejects.toThrow(
      new InputError(`${APACHE}:8899: expected a closing quote to end the user agent opened at column 111`),
    );
  });

  it("hands over batches of at most batchSize lines", async () => {
    const { batches, stream } = await collect({ inputs: [CODEUP], batchSize: 1000 });
    expect(batches.map((b) => b.read)).toEqual([...Array.from({ length: 13 }, () => 1000), 974]);
    expect(stream.stats.read).toBe(13_974);
  });

  it("reports running totals to onProgress after each batch", async () => {
    const seen: number[] = [];
    await collect({ inputs: [CODEUP], batchSize: 5000, onProgress: (stats) => seen.push(stats.read) });
    expect(seen).toEqual([5000, 10000, 13974]);
  });
});

describe("inputs", () => {
  it("names a missing file", async () => {
    const missing = path.join(dir, "nope.log");
    await expect(collect({ inputs: [missing] })).rejects.toThrow(
      new InputError(`cannot read ${missing}: no such file`),
    );
  });

  it("refuses a directory and suggests its files", async () => {
    await expect(collect({ inputs: [dir] })).rejects.toThrow(
      new InputError(
        `cannot read ${dir}: is a directory, not a log file (give the files in it, e.g. "${dir}/*.log")`,
      ),
    );
  });

  it("checks every file before reading the first", async () => {
    const seen: number[] = [];
    const missing = path.join(dir, "missing.log");
    await expect(
      collect({ inputs: [SYNTHETIC, missing], onProgress: (s) => seen.push(s.read) }),
    ).rejects.toThrow(InputError);
    expect(seen).toEqual([]);
  });

  it("expands a glob to its files in sorted order", async () => {
    const logs = path.join(dir, "logs");
    mkdirSync(logs);
    const lines = readFileSync(SYNTHETIC, "utf8").split("\n");
    writeFileSync(path.join(logs, "b.log"), `${lines[1]}\n`);
    writeFileSync(path.join(logs, "a.log"), `${lines[0]}\n`);
    const { records } = await collect({ inputs: [path.join(logs, "*.log")] });
    expect(records.map((r) => [path.basename(r.source), r.ip])).toEqual([
      ["a.log", "95.31.18.119"],
      ["b.log", "95.31.16.121"],
    ]);
  });

  it("names a glob that matches nothing", async () => {
    const pattern = path.join(dir, "*.nothing");
    await expect(collect({ inputs: [pattern] })).rejects.toThrow(new InputError(`no files match ${pattern}`));
  });

  it("reads an injected stream of Buffers under its name, gzip included", async () => {
    const gz = gzipSync(readFileSync(SYNTHETIC));
    const { records, stream } = await collect({
      inputs: [streamOf("-", [gz.subarray(0, 1), gz.subarray(1)])],
    });
    expect(records.map((r) => [r.source, r.line])).toEqual([
      ["-", 1],
      ["-", 2],
      ["-", 3],
      ["-", 4],
    ]);
    expect(stream.stats.bytes).toBe(gz.length);
  });

  it("reads a stream that mixes Buffers and text", async () => {
    const lines = readFileSync(SYNTHETIC, "utf8").split("\n");
    const { records } = await collect({
      inputs: [
        streamOf("mixed", [
          Buffer.from(lines[0]!.slice(0, 1)),
          `${lines[0]!.slice(1)}\n`,
          Buffer.from(`${lines[1]}\n`),
        ]),
      ],
    });
    expect(records.map((r) => r.raw)).toEqual([lines[0], lines[1]]);
  });

  it("hands over a live stream's records as each chunk ends, without waiting for more", async () => {
    const line = readFileSync(SYNTHETIC, "utf8").split("\n")[0]!;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${line}\n`);
      await new Promise(() => {});
    }
    const iterator = readInputs({ inputs: [{ name: "-", stream: endless() }] })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect((first.value as RecordBatch).records.map((r) => r.ip)).toEqual(["95.31.18.119"]);
    await iterator.return?.();
  });

  it("stops when the signal is aborted", async () => {
    const controller = new AbortController();
    const stream = readInputs({ inputs: [CODEUP], batchSize: 100, signal: controller.signal });
    const read: number[] = [];
    await expect(
      (async () => {
        for await (const batch of stream) {
          read.push(batch.read);
          controller.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(stream.stats.read).toBeLessThan(13_974);
  });

  it("can be read only once", async () => {
    const stream = readInputs({ inputs: [SYNTHETIC] });
    for await (const _ of stream) void _;
    expect(() => stream[Symbol.asyncIterator]()).toThrow("a RecordStream can be read only once");
  });
});

describe("accounting", () => {
  it("counts every line of arbitrary bytes exactly once as parsed, rejected or blank", async () => {
    const bytes = fc
      .array(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.constantFrom(...'\n\r\r\n \t,"[]{}'.split("").map((c) => Buffer.from(c))),
          fc.constantFrom(
            Buffer.from(readFileSync(SYNTHETIC, "utf8").split("\n")[0]!),
            Buffer.from('{"status":200}'),
          ),
        ),
        { maxLength: 30 },
      )
      .map((parts) => Buffer.concat(parts))
      .filter((b) => !(b[0] === 0x1f && b[1] === 0x8b));
    await fc.assert(
      fc.asyncProperty(
        bytes,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        async (buffer, cuts, max) => {
          const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((start, i) => buffer.subarray(start, points[i] ?? buffer.length));
          const { stream } = await collect({ inputs: [streamOf("fuzz", chunks)], maxLineLength: max });
          const { read, parsed, rejected, blank } = stream.stats;
          const newlines = buffer.filter((b) => b === 0x0a).length;
          const lines = newlines + (buffer.length > 0 && buffer[buffer.length - 1] !== 0x0a ? 1 : 0);
          expect(parsed + rejected + blank).toBe(read);
          expect(read).toBe(lines);
          expect(stream.stats.bytes).toBe(buffer.length);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

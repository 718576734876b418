import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { excerpt } from "../parsers/text.js";
import { createLineSplitter } from "./lines.js";

type Event = string | { overlong: string };

function split(chunks: Array<Uint8Array | string>, maxLineLength?: number): Event[] {
  const events: Event[] = [];
  const splitter = createLineSplitter({
    maxLineLength,
    onLine: (text) => events.push(text),
    onOverlong: (start) => events.push({ overlong: start }),
  });
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return events;
}

const bytes = (text: string): Uint8Array => Buffer.from(text, "utf8");

describe("createLineSplitter", () => {
  it("splits LF and CRLF, keeps a bare CR as data and empty lines as lines", () => {
    expect(split([bytes("a\nb\r\nc\rd\n\nlast")])).toEqual(["a", "b", "c\rd", "", "last"]);
  });

  it("adds no empty line after a final newline", () => {
    expect(split([bytes("a\nb\n")])).toEqual(["a", "b"]);
  });

  it("joins a line and a CRLF split across chunks", () => {
    expect(split([bytes("hel"), bytes("lo\r"), bytes("\nworld\n")])).toEqual(["hello", "world"]);
  });

  it("decodes a character whose bytes are split across chunks", () => {
    const euro = Buffer.from("€", "utf8");
    expect(split([Buffer.concat([bytes("a"), euro.subarray(0, 1)]), euro.subarray(1), bytes("\n")])).toEqual([
      "a€",
    ]);
  });

  it("replaces invalid UTF-8 with U+FFFD and keeps the newline after it", () => {
    expect(split([Uint8Array.from([0x61, 0xff, 0x0a, 0xc3, 0x0a, 0x62, 0xe2, 0x82])])).toEqual([
      "a\ufffd",
      "\ufffd",
      "b\ufffd",
    ]);
  });

  it("drops the UTF-8 byte order mark at the start", () => {
    expect(split([Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0x0a])])).toEqual(["a"]);
  });

  it("reports a line over the limit with its start and reads the next line whole", () => {
    const long = "x".repeat(250);
    expect(split([`ok\n${long.slice(0, 100)}`, long.slice(100), "\nnext\n"], 120)).toEqual([
      "ok",
      { overlong: "x".repeat(200) },
      "next",
    ]);
  });

  it("keeps a line of exactly the limit, with or without CRLF", () => {
    expect(split(["abcd\r\nabcd\nabcde\n"], 4)).toEqual(["abcd", "abcd", { overlong: "abcde" }]);
  });

  it("reports an overlong last line without a newline", () => {
    expect(split(["ok\n", "abcdef"], 4)).toEqual(["ok", { overlong: "abcdef" }]);
  });

  it("hands back an unfinished line on discard and forgets it", () => {
    const events: Event[] = [];
    const splitter = createLineSplitter({
      onLine: (text) => events.push(text),
      onOverlong: (start) => events.push({ overlong: start }),
    });
    splitter.write(bytes("done\ncut off"));
    expect(splitter.discard()).toBe("cut off");
    splitter.end();
    expect(events).toEqual(["done"]);
    expect(splitter.discard()).toBeNull();
  });
});

describe("createLineSplitter on arbitrary bytes", () => {
  // What the splitter must agree with: the whole input decoded at once, then cut at newlines.
  function reference(input: Uint8Array, max: number): Event[] {
    const text = new TextDecoder("utf-8").decode(input);
    const lines = text.split("\n");
    const last = lines.pop()!;
    const events: Event[] = lines.map((line) => {
      const body = line.endsWith("\r") ? line.slice(0, -1) : line;
      return body.length > max ? { overlong: excerpt(body) } : body;
    });
    if (last.length > 0) events.push(last.length > max ? { overlong: excerpt(last) } : last);
    return events;
  }

  const piece = fc.oneof(
    fc.constantFrom("a", "\n", "\r\n", "\r", "€", "😀", "é", " "),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString("latin1")),
  );

  it("gives the lines of the input decoded whole, however its bytes are chunked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.uint8Array({ maxLength: 4 })), { maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 200, max: 320 }),
        (parts, cuts, max) => {
          const input = Buffer.concat(
            parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))),
          );
          const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((start, i) => input.subarray(start, points[i] ?? input.length));
          expect(split(chunks, max)).toEqual(reference(input, max));
        },
      ),
      { seed: 42, numRuns: 400 },
    );
  });
});

import { excerpt } from "../parsers/text.js";

/** The default longest line, in characters: longer ones are rejected, not buffered. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** What a line splitter calls, in line order. */
export interface LineSplitterOptions {
  /** Lines longer than this many characters are skipped to the next newline (default 1 MiB). */
  maxLineLength?: number;
  /** A complete line, without its LF or CRLF; a bare CR stays in the line. */
  onLine: (text: string) => void;
  /** Instead of `onLine` for a line over the limit, with its start: all that was kept of it. */
  onOverlong: (start: string) => void;
}

/** Splits a stream of chunks into lines, decoding UTF-8 with replacement characters. */
export interface LineSplitter {
  /** Splits a chunk; complete lines go to the callbacks before it returns. */
  write(chunk: Uint8Array | string): void;
  /** Ends the input: a last line without a newline is still a line. */
  end(): void;
  /** Drops an unfinished last line (input cut off) and returns its start, or null when there was none. */
  discard(): string | null;
}

const BOM = [0xef, 0xbb, 0xbf];

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

function isBomPrefix(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== BOM[i]) return false;
  return true;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

// The characters of an unfinished line so far, as a streaming decoder would have them: an incomplete
// character at the end is still awaiting its bytes and does not count yet.
function decodeHeld(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes, { stream: true });
}

/**
 * Creates a line splitter: the one place where bytes become lines. readInputs uses it, and so can any
 * source of raw lines (SQL rows, HTTP captures): `const s = createLineSplitter({ onLine, onOverlong });
 * for await (const chunk of stream) s.write(chunk); s.end();`. Memory stays bounded by the chunk size
 * plus `maxLineLength`, whatever the input.
 */
export function createLineSplitter({
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  onLine,
  onOverlong,
}: LineSplitterOptions): LineSplitter {
  // Byte chunks are cut at newlines first and each line is decoded on its own. Decoding a whole chunk
  // and slicing lines out of it is slower, and every slice kept as a value (a map key, a ranked record)
  // would keep the whole chunk's text alive with it.
  let held: Buffer | null = null;
  let atStart = true;
  let bomPrefix: Buffer | null = null;
  let carry = "";
  // While skipping, the rest of an overlong line is dropped until its newline.
  let skipping = false;
  let skippedStart = "";

  function emit(text: string): void {
    if (text.length > maxLineLength) onOverlong(excerpt(text));
    else onLine(text);
  }

  function emitBytes(bytes: Buffer, start: number, newline: number): void {
    const end = newline > start && bytes[newline - 1] === 13 ? newline - 1 : newline;
    emit(bytes.toString("utf8", start, end));
  }

  function startSkipping(text: string): void {
    skipping = true;
    skippedStart = excerpt(text);
  }

  function holdBytes(bytes: Buffer, start: number): void {
    if (skipping || start >= bytes.length) return;
    const rest = bytes.subarray(start);
    const next = held === null ? Buffer.from(rest) : Buffer.concat([held, rest]);
    held = null;
    // A character takes at least one byte, so only a long run of bytes can be too many characters. One
    // more than the limit leaves room for the CR of a CRLF.
    if (next.length > maxLineLength + 1) {
      const text = decodeHeld(next);
      if (text.length > maxLineLength + 1) {
        startSkipping(text);
        return;
      }
    }
    held = next;
  }

  function splitBytes(bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(10, start);
      if (newline === -1) {
        holdBytes(bytes, start);
        return;
      }
      if (skipping) {
        skipping = false;
        onOverlong(skippedStart);
      } else if (held === null) {
        emitBytes(bytes, start, newline);
      } else {
        const line = Buffer.concat([held, bytes.subarray(start, newline)]);
        held = null;
        emitBytes(line, 0, line.length);
      }
      start = newline + 1;
    }
  }

  function writeBytes(chunk: Uint8Array): void {
    let bytes = asBuffer(chunk);
    if (atStart) {
      // The byte order mark is dropped at the start of the input, even when it arrives a byte at a time.
      if (bomPrefix !== null) {
        bytes = Buffer.concat([bomPrefix, bytes]);
        bomPrefix = null;
      }
      if (bytes.length < BOM.length && isBomPrefix(bytes)) {
        if (bytes.length > 0) bomPrefix = Buffer.from(bytes);
        return;
      }
      atStart = false;
      if (startsWithBom(bytes)) bytes = bytes.subarray(BOM.length);
    }
    if (carry.length > 0) {
      held = Buffer.from(carry, "utf8");
      carry = "";
    }
    splitBytes(bytes);
  }

  function hold(text: string, start: number): void {
    if (skipping || start >= text.length) return;
    const rest = start === 0 ? text : text.slice(start);
    if (carry.length + rest.length > maxLineLength + 1) {
      startSkipping(carry.length >= 200 ? carry : carry + rest.slice(0, 200));
      carry = "";
    } else {
      carry += rest;
    }
  }

  function splitText(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) {
        hold(text, start);
        return;
      }
      let line: string;
      if (skipping) {
        skipping = false;
        onOverlong(skippedStart);
        start = newline + 1;
        continue;
      }
      if (carry.length === 0) {
        line = text.slice(start, newline);
      } else {
        line = carry + text.slice(start, newline);
        carry = "";
      }
      emit(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      start = newline + 1;
    }
  }

  // Text after bytes: the bytes of the unfinished line become text first, so the line keeps its order.
  function heldToText(): void {
    if (bomPrefix !== null) {
      carry += bomPrefix.toString("utf8");
      bomPrefix = null;
    }
    if (held === null) return;
    carry += held.toString("utf8");
    held = null;
  }

  return {
    write(chunk) {
      if (typeof chunk === "string") {
        heldToText();
        splitText(chunk);
      } else {
        writeBytes(chunk);
      }
    },
    end() {
      heldToText();
      if (skipping) {
        skipping = false;
        onOverlong(skippedStart);
      } else if (carry.length > 0) {
        const line = carry;
        carry = "";
        if (line.length > maxLineLength) onOverlong(excerpt(line));
        else onLine(line);
      }
    },
    discard() {
      heldToText();
      let start: string | null = null;
      if (skipping) start = skippedStart;
      else if (carry.length > 0) start = excerpt(carry);
      skipping = false;
      carry = "";
      atStart = true;
      return start;
    },
  };
}

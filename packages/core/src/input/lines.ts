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
  let decoder = new TextDecoder("utf-8");
  let carry = "";
  // While skipping, the rest of an overlong line is dropped until its newline.
  let skipping = false;
  let skippedStart = "";

  function emit(line: string): void {
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (text.length > maxLineLength) onOverlong(excerpt(text));
    else onLine(text);
  }

  function hold(text: string, start: number): void {
    if (skipping || start >= text.length) return;
    const rest = start === 0 ? text : text.slice(start);
    // One more than the limit leaves room for the CR of a CRLF.
    if (carry.length + rest.length > maxLineLength + 1) {
      skipping = true;
      skippedStart = excerpt(carry.length >= 200 ? carry : carry + rest.slice(0, 200));
      carry = "";
    } else {
      carry += rest;
    }
  }

  function split(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) {
        hold(text, start);
        return;
      }
      if (skipping) {
        skipping = false;
        onOverlong(skippedStart);
      } else if (carry.length === 0) {
        emit(text.slice(start, newline));
      } else {
        const line = carry + text.slice(start, newline);
        carry = "";
        emit(line);
      }
      start = newline + 1;
    }
  }

  return {
    write(chunk) {
      split(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      split(decoder.decode());
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
      const tail = decoder.decode();
      decoder = new TextDecoder("utf-8");
      let start: string | null = null;
      if (skipping) start = skippedStart;
      else if (carry.length > 0 || tail.length > 0) start = excerpt(carry + tail);
      skipping = false;
      carry = "";
      return start;
    },
  };
}

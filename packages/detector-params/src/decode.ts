const PLUS = 43;
const PERCENT = 37;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** The byte `%XX` at `i` encodes, or -1 when the text there is not a complete escape (`%ZZ`, `%4`). */
function escapedByte(text: string, i: number): number {
  if (i + 2 >= text.length) return -1;
  const high = hexValue(text.charCodeAt(i + 1));
  const low = hexValue(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** Strict UTF-8 decoding of `bytes`, or null when they are not well-formed UTF-8 (overlongs, surrogates, truncation). */
function utf8(bytes: readonly number[]): string | null {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const b0 = bytes[i]!;
    let need: number;
    let code: number;
    let min: number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) [need, code, min] = [1, b0 & 0x1f, 0x80];
    else if (b0 >= 0xe0 && b0 <= 0xef) [need, code, min] = [2, b0 & 0x0f, 0x800];
    else if (b0 >= 0xf0 && b0 <= 0xf4) [need, code, min] = [3, b0 & 0x07, 0x10000];
    else return null;
    if (i + need >= bytes.length) return null;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) return null;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    out += String.fromCodePoint(code);
    i += need + 1;
  }
  return out;
}

/**
 * A run of escaped bytes as text: UTF-8 when the run is well-formed UTF-8, otherwise one character per
 * byte (Latin-1), which is what `%E9` meant in the older forms and in CSIC 2010 (`A%F1adir`).
 */
function decodeBytes(bytes: readonly number[]): string {
  const text = utf8(bytes);
  if (text !== null) return text;
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/**
 * Decodes one query-string name or value as a server would read it: `+` is a space, `%XX` escapes are
 * bytes (UTF-8 when well-formed, Latin-1 otherwise), and a malformed escape (`%ZZ`, a truncated `%4`)
 * stays as written. Never throws, unlike `decodeURIComponent`.
 */
export function decodeQueryComponent(text: string): string {
  if (text.indexOf("%") === -1 && text.indexOf("+") === -1) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === PLUS) {
      out += " ";
      i++;
    } else if (code === PERCENT && escapedByte(text, i) >= 0) {
      const bytes: number[] = [];
      let byte: number;
      while (i < text.length && text.charCodeAt(i) === PERCENT && (byte = escapedByte(text, i)) >= 0) {
        bytes.push(byte);
        i += 3;
      }
      out += decodeBytes(bytes);
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/** One `name=value` pair of a query string, decoded. A pair without `=` has the value `""`. */
export interface QueryPair {
  name: string;
  value: string;
}

/**
 * The pairs of a query string in order, decoded; empty pairs (`a=1&&b=2`) are skipped. Request bodies
 * appended to the query (as the CSIC converter does) are read like any other pair.
 */
export function parseQuery(query: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end === -1) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      const hasValue = eq !== -1 && eq < end;
      pairs.push({
        name: decodeQueryComponent(query.slice(start, hasValue ? eq : end)),
        value: hasValue ? decodeQueryComponent(query.slice(eq + 1, end)) : "",
      });
    }
    start = end + 1;
  }
  return pairs;
}

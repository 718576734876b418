// Controls (C0, DEL, C1), invisible format characters (bidi overrides, zero-width), line/paragraph
// separators and lone surrogates (with /u a paired surrogate is one code point, so \p{Cs} only
// matches lone halves): anything that can move the cursor, reorder text or hide itself.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function escapeChar(char: string): string {
  const code = char.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`
    : `\\u{${code.toString(16).toUpperCase()}}`;
}

/**
 * Makes a log value safe to print on a terminal: control, format and separator characters become
 * visible `\xNN` / `\u{...}` escapes, so an ANSI sequence in a user agent is shown, never executed.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

// JSON.stringify escapes C0 controls and lone surrogates but leaves these as they are: DEL and the C1
// controls (U+009B is the 8-bit CSI some terminals obey), format characters that reorder or hide text
// (bidi overrides, zero-width joiners) and U+2028/U+2029, which line-oriented readers take for line
// ends. JSON allows any character as a \u escape, so output viewed in a terminal or split by lines
// stays inert and one record per line.
const INERT = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

function escapeUnits(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/** JSON text of a value holding log content: valid JSON, with no character that can act on a reader. */
export function jsonText(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? "null").replace(INERT, escapeUnits);
}

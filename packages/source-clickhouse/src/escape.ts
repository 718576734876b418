/**
 * ClickHouse 18.16 has no query parameters, so every identifier and literal oddity puts in a query is
 * escaped here. Inside quotes ClickHouse reads backslash escapes, so backslashes are escaped first.
 */

/** A string literal: `'…'` with `\` and `'` escaped (NUL too, which a log value may carry). */
export function chString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\u0000", "\\0")}'`;
}

/** An identifier (database, table or column name): `` `…` `` with `\` and `` ` `` escaped. */
export function chIdentifier(name: string): string {
  if (name.length === 0) throw new RangeError("an identifier cannot be empty");
  if (name.includes("\u0000")) throw new RangeError("an identifier cannot hold a NUL character");
  return `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
}

/**
 * A number that reads back as the same double. ClickHouse 18.16 refuses a literal below the smallest
 * normal double (a sketch's bin minimum is one), so such a number is written as its eight bytes.
 */
export function chNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  if (value === 0 || Math.abs(value) >= 2.2250738585072014e-308) return String(value);
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return `reinterpretAsFloat64(unhex('${bytes.toString("hex")}'))`;
}

/**
 * A string literal of raw bytes: `chString` of their text when they are UTF-8, else every byte outside
 * printable ASCII written as `\xHH`, so that the literal equals bytes the text would not give back.
 */
export function chBytes(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  if (Buffer.from(text, "utf8").equals(bytes)) return chString(text);
  let out = "'";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out +=
      byte < 0x20 || byte > 0x7e || char === "\\" || char === "'"
        ? `\\x${byte.toString(16).padStart(2, "0")}`
        : char;
  }
  return `${out}'`;
}

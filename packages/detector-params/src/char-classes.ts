/**
 * The character classes a parameter value is described by, in bit order. They separate what ordinary
 * values are made of (letters, digits, a dash or a dot) from what injection payloads need (quotes, angle
 * brackets, parentheses, semicolons, a literal `%` after decoding, control characters).
 */
export const CHAR_CLASSES = [
  { name: "digits", plural: "digits" },
  { name: "letters", plural: "letters" },
  { name: "spaces", plural: "spaces" },
  { name: "dots", plural: "dots" },
  { name: "dashes", plural: "dashes" },
  { name: "slashes", plural: "slashes" },
  { name: "quotes", plural: "quotes" },
  { name: "angle brackets", plural: "angle brackets" },
  { name: "parentheses", plural: "parentheses or brackets" },
  { name: "semicolons", plural: "semicolons" },
  { name: "equals", plural: "equals signs or ampersands" },
  { name: "percent", plural: "percent signs" },
  { name: "punctuation", plural: "other punctuation" },
  { name: "controls", plural: "control characters" },
  { name: "non-ASCII", plural: "non-ASCII characters" },
  { name: "empty", plural: "no characters (empty)" },
] as const;

/** Number of character classes. */
export const CLASS_COUNT = CHAR_CLASSES.length;

const DIGITS = 0;
const LETTERS = 1;
const SPACES = 2;
const DOTS = 3;
const DASHES = 4;
const SLASHES = 5;
const QUOTES = 6;
const ANGLES = 7;
const PARENS = 8;
const SEMICOLONS = 9;
const EQUALS = 10;
const PERCENT = 11;
const PUNCTUATION = 12;
const CONTROLS = 13;
const NON_ASCII = 14;
// An empty value is a class of its own: a parameter that always had a value and comes empty is odd.
const EMPTY = 15;

function asciiClass(code: number): number {
  if (code < 32 || code === 127) return code === 9 ? SPACES : CONTROLS;
  if (code >= 48 && code <= 57) return DIGITS;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95) return LETTERS;
  switch (String.fromCharCode(code)) {
    case " ":
      return SPACES;
    case ".":
      return DOTS;
    case "-":
      return DASHES;
    case "/":
    case "\\":
      return SLASHES;
    case "'":
    case '"':
    case "`":
      return QUOTES;
    case "<":
    case ">":
      return ANGLES;
    case "(":
    case ")":
    case "[":
    case "]":
    case "{":
    case "}":
      return PARENS;
    case ";":
      return SEMICOLONS;
    case "=":
    case "&":
      return EQUALS;
    case "%":
      return PERCENT;
    default:
      return PUNCTUATION;
  }
}

// One bit per ASCII code, computed once: classifying is then a table read per character.
const ASCII_BITS = Uint16Array.from({ length: 128 }, (_, code) => 1 << asciiClass(code));

/** The classes present in `value` as a bit mask (bit i = `CHAR_CLASSES[i]`). */
export function classMask(value: string): number {
  if (value.length === 0) return 1 << EMPTY;
  let mask = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    mask |= code < 128 ? ASCII_BITS[code]! : 1 << NON_ASCII;
  }
  return mask;
}

/** The classes of a mask, in class order. */
export function classesOf(mask: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < CLASS_COUNT; c++) if (mask & (1 << c)) out.push(c);
  return out;
}

/** `a`, `a and b`, `a, b and c`. */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

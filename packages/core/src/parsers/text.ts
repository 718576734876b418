/** True when the quote at `at` is escaped: preceded by an odd number of backslashes. */
export function isEscaped(line: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && line.charCodeAt(k) === 92) k--;
  return ((at - 1 - k) & 1) === 1;
}

/** Apache writes `"` as `\"` and `\` as `\\` inside quoted fields; other escapes (`\xhh`) stay as logged. */
export function unescapeQuoted(text: string): string {
  return text.includes("\\") ? text.replace(/\\(["\\])/g, "$1") : text;
}

/** A logged `-` (or nothing) means the header was absent. */
export function dashToNull(text: string): string | null {
  return text.length === 0 || text === "-" ? null : text;
}

/** The parts of a request line `GET /path HTTP/1.1`. */
export interface RequestParts {
  method: string | null;
  path: string | null;
  http_version: string | null;
}

/**
 * Splits a request line on its first and last space: the target may itself hold spaces, the method and
 * protocol never do. `""` and `-` are no request at all; `GET /x` has no protocol.
 */
export function splitRequest(request: string): RequestParts {
  if (request.length === 0 || request === "-") return { method: null, path: null, http_version: null };
  const first = request.indexOf(" ");
  if (first === -1) return { method: request, path: null, http_version: null };
  const last = request.lastIndexOf(" ");
  const method = first === 0 ? null : request.slice(0, first);
  if (last === first) return { method, path: dashToNull(request.slice(first + 1)), http_version: null };
  return {
    method,
    path: first + 1 === last ? null : request.slice(first + 1, last),
    http_version: last + 1 === request.length ? null : request.slice(last + 1),
  };
}

const EXCERPT_LENGTH = 200;

/** The start of a line, for rejection reports, cut so that no surrogate pair is split. */
export function excerpt(line: string): string {
  if (line.length <= EXCERPT_LENGTH) return line;
  const code = line.charCodeAt(EXCERPT_LENGTH - 1);
  return line.slice(0, code >= 0xd800 && code <= 0xdbff ? EXCERPT_LENGTH - 1 : EXCERPT_LENGTH);
}

/**
 * Quotes text from a log (a header name) for a message: JSON escapes plus every control and format
 * character (C1 controls, bidi overrides) as `\uXXXX`, so a message can never steer a terminal.
 */
export function quoteLogText(text: string, max = 40): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown).replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

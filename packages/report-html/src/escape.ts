const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// C0/C1 controls, DEL, bidi overrides and isolates, zero-width and other invisible format characters:
// a log line could use them to hide or reorder what the reader sees, so they are shown as escapes.
// Lone surrogates are included because they cannot be encoded as UTF-8 and would turn into U+FFFD silently.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- joiners and selectors are listed to be escaped, not combined
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visibleEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/**
 * A log value as a reader should see it: invisible and control characters made visible, tabs and
 * newlines kept as `\t`/`\n`, and shortened to `max` characters. The result still needs HTML escaping.
 */
export function displayText(value: string, max = Number.POSITIVE_INFINITY): string {
  let text = value;
  if (text.length > max) {
    // Do not cut a surrogate pair in half.
    let end = max;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    text = `${text.slice(0, end)}…`;
  }
  return text.replace(INVISIBLE, visibleEscape).replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

/** `displayText` then `escapeHtml`: the one call for putting a log value into the page. */
export function htmlText(value: string, max?: number): string {
  return escapeHtml(displayText(value, max));
}

import type { LineParser } from "../input/types.js";
import type { LogRecord } from "../record.js";
import { createClfTimeReader, parseClfTime, type ClfTimeReader } from "./time.js";
import { isEscaped, unescapeQuoted } from "./text.js";
import {
  BAD_TIME,
  CLIENT_LIST,
  clientShape,
  parseFamilyLine,
  readTrailing,
  SPACED_USER,
} from "./clf-family.js";

/** The hand-written layouts: NCSA common, combined, and combined with the virtual host first. */
export type ClfLayout = "common" | "combined" | "vcombined";

const SPACE = 32;
const QUOTE = 34;
const DASH = 45;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Ends the request at the first unescaped quote followed by a space and a status, so raw quotes inside it survive. */
function requestEnd(line: string, from: number, end: number): number {
  let q = from - 1;
  for (;;) {
    q = line.indexOf('"', q + 1);
    if (q === -1 || q >= end) return -1;
    if (line.charCodeAt(q + 1) !== SPACE) continue;
    const next = line.charCodeAt(q + 2);
    if ((isDigit(next) || next === DASH) && !isEscaped(line, q)) return q;
  }
}

/** The first unescaped quote at or after `from`, before `end`. */
function closingQuote(line: string, from: number, end: number): number {
  let q = from - 1;
  for (;;) {
    q = line.indexOf('"', q + 1);
    if (q === -1 || q >= end) return -1;
    if (!isEscaped(line, q)) return q;
  }
}

/** What a parser keeps from one line it reads with {@link parseClfLine} to the next. */
export interface ClfLineState {
  /** Its timestamp reader, which remembers the last day and time. */
  readTime: ClfTimeReader;
  /**
   * Given, fields after the user agent are read by shape and their layout's suffix written here (the
   * parser empties it once read); not given, such a line is not read.
   */
  trailing?: { suffix: string };
}

/**
 * Parses one line of an NCSA layout by scanning for separators: no regex, one pass, one slice per field.
 * This is the hot path for most logs; the returned reason says what was expected and at which column.
 */
export function parseClfLine(
  line: string,
  source: string,
  lineNumber: number,
  layout: ClfLayout,
  state?: ClfLineState,
): LogRecord | string {
  const trailing = state?.trailing;
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== SPACE && c !== 9 && c !== 13) break;
    end--;
  }
  let pos = 0;
  let extra: Record<string, string> | null = null;
  if (layout === "vcombined") {
    const space = line.indexOf(" ");
    if (space <= 0 || space >= end) return "expected the virtual host and a space at column 1";
    extra = Object.create(null) as Record<string, string>;
    const vhost = line.slice(0, space);
    const colon = vhost.lastIndexOf(":");
    if (
      colon > 0 &&
      colon < vhost.length - 1 &&
      vhost.indexOf(":") === colon &&
      /^\d{1,5}$/.test(vhost.slice(colon + 1))
    ) {
      extra.vhost = vhost.slice(0, colon);
      extra.port = vhost.slice(colon + 1);
    } else extra.vhost = vhost;
    pos = space + 1;
  }

  let space = line.indexOf(" ", pos);
  if (space <= pos || space >= end) return `expected the client address and a space at column ${pos + 1}`;
  const ip = line.slice(pos, space);
  if (ip.charCodeAt(ip.length - 1) === 44) return CLIENT_LIST;
  pos = space + 1;

  space = line.indexOf(" ", pos);
  if (space <= pos || space >= end)
    return `expected the identity (usually -) and a space at column ${pos + 1}`;
  const ident = line.slice(pos, space);
  pos = space + 1;

  // A user with spaces is indistinguishable from a shifted line (a virtual host first): not read.
  const bracket = line.indexOf(" ", pos);
  if (bracket <= pos || bracket >= end || line.charCodeAt(bracket + 1) !== 91) {
    if (bracket > pos && bracket < end && line.indexOf(" [", bracket) !== -1) return SPACED_USER;
    return `expected the user (usually -), a space and a [timestamp] at column ${pos + 1}`;
  }
  const user = line.slice(pos, bracket);
  pos = bracket + 2;

  const close = line.indexOf("]", pos);
  if (close === -1 || close >= end)
    return `expected "]" to close the timestamp opened at column ${bracket + 2}`;
  const timeText = line.slice(pos, close);
  const time = state === undefined ? parseClfTime(timeText) : state.readTime(timeText);
  if (time === null) return BAD_TIME;
  pos = close + 1;

  if (line.charCodeAt(pos) !== SPACE || line.charCodeAt(pos + 1) !== QUOTE) {
    return `expected a space and a quoted request ("GET / HTTP/1.1") at column ${pos + 1}`;
  }
  pos += 2;
  const reqEnd = requestEnd(line, pos, end);
  if (reqEnd === -1) {
    return `expected a closing quote, a space and the status after the request opened at column ${pos}`;
  }
  let method: string | null = null;
  let path: string | null = null;
  let httpVersion: string | null = null;
  if (reqEnd > pos && !(reqEnd === pos + 1 && line.charCodeAt(pos) === DASH)) {
    const request = unescapeQuoted(line.slice(pos, reqEnd));
    const first = request.indexOf(" ");
    if (first === -1) {
      method = request;
    } else {
      // The protocol is short and last: a scan back from the end finds its space sooner than
      // lastIndexOf, which V8 runs outside compiled code.
      let last = request.length - 1;
      while (request.charCodeAt(last) !== SPACE) last--;
      if (first > 0) method = request.slice(0, first);
      if (last === first) {
        if (first + 1 < request.length) path = request.slice(first + 1);
      } else {
        if (last > first + 1) path = request.slice(first + 1, last);
        if (last + 1 < request.length) httpVersion = request.slice(last + 1);
      }
    }
  }
  pos = reqEnd + 2;

  let status: number | null = null;
  if (line.charCodeAt(pos) === DASH) {
    pos++;
  } else {
    const start = pos;
    let value = 0;
    while (pos < end && isDigit(line.charCodeAt(pos))) value = value * 10 + line.charCodeAt(pos++) - 48;
    if (pos - start > 3) return `expected a status code of at most 3 digits at column ${start + 1}`;
    status = value;
  }
  if (line.charCodeAt(pos) !== SPACE || pos >= end) {
    return `expected a space and the response size after the status at column ${pos + 1}`;
  }
  pos++;

  let size: number | null = null;
  const sizeStart = pos;
  if (line.charCodeAt(pos) === DASH) {
    pos++;
  } else {
    let value = 0;
    while (pos < end && isDigit(line.charCodeAt(pos))) value = value * 10 + line.charCodeAt(pos++) - 48;
    if (pos === sizeStart || pos - sizeStart > 15) {
      return `expected the response size (digits or -) at column ${sizeStart + 1}`;
    }
    size = value;
  }
  if (pos < end && line.charCodeAt(pos) !== SPACE) {
    return `expected the response size (digits or -) at column ${sizeStart + 1}`;
  }

  let referer: string | null = null;
  let userAgent: string | null = null;
  if (layout === "common") {
    if (pos !== end) {
      return `expected the end of the line after the response size at column ${pos + 1} (common format has 7 fields)`;
    }
  } else {
    if (pos >= end || line.charCodeAt(pos + 1) !== QUOTE) {
      return `expected a space and a quoted referer after the response size at column ${pos + 1}`;
    }
    const refStart = pos + 2;
    let refEnd = closingQuote(line, refStart, end);
    const firstQuote = refEnd;
    // A raw quote inside the referer is not its end unless a quoted user agent follows.
    while (
      refEnd !== -1 &&
      !(line.charCodeAt(refEnd + 1) === SPACE && line.charCodeAt(refEnd + 2) === QUOTE)
    ) {
      refEnd = closingQuote(line, refEnd + 1, end);
    }
    if (refEnd === -1) {
      if (firstQuote === -1)
        return `expected a closing quote to end the referer opened at column ${refStart}`;
      return `expected a quoted user agent after the referer at column ${firstQuote + 2}`;
    }
    const agentStart = refEnd + 3;
    const agentEnd = closingQuote(line, agentStart, end);
    if (agentEnd === -1) {
      return `expected a closing quote to end the user agent opened at column ${agentStart}`;
    }
    if (agentEnd + 1 !== end) {
      if (trailing === undefined || line.charCodeAt(agentEnd + 1) !== SPACE) {
        return `expected the end of the line after the user agent at column ${agentEnd + 2} (combined format has 9 fields; name extra ones with an apache: or nginx: format string)`;
      }
      // nginx's main, ingress-nginx...: what follows is read by shape, without reading the line again.
      extra ??= Object.create(null) as Record<string, string>;
      const read = readTrailing({ line, from: agentEnd + 2, end, extra });
      if (typeof read === "string") return read;
      trailing.suffix = read.suffix;
      let empty = true;
      for (const _ in extra) {
        empty = false;
        break;
      }
      if (empty) extra = null;
    }
    const refText = line.slice(refStart, refEnd);
    if (refText !== "-" && refText.length !== 0) referer = unescapeQuoted(refText);
    const agentText = line.slice(agentStart, agentEnd);
    if (agentText !== "-" && agentText.length !== 0) userAgent = unescapeQuoted(agentText);
  }

  return {
    source,
    line: lineNumber,
    raw: line,
    ip,
    ident,
    user,
    time,
    time_text: timeText,
    method,
    path,
    http_version: httpVersion,
    status,
    size,
    referer,
    user_agent: userAgent,
    extra,
  };
}

/**
 * A parser for one of the NCSA layouts; `name` is what it reports (nginx's default is combined). Lines the
 * hand-written reader cannot read (trailing fields, tabs) are read by shape, as long as the shape agrees
 * with the layout about a virtual host coming first.
 */
export function createClfParser(layout: ClfLayout, name: string = layout): LineParser {
  // Named common, a combined line is read whole; named combined, a common line is not one.
  const cores =
    layout === "vcombined" ? ["vcombined"] : layout === "combined" ? ["combined"] : ["common", "combined"];
  const state: ClfLineState = { readTime: createClfTimeReader() };
  return {
    description: name,
    parse(line, source, lineNumber) {
      const record = parseClfLine(line, source, lineNumber, layout, state);
      if (typeof record !== "string") return record;
      const family = parseFamilyLine(line, source, lineNumber);
      if (typeof family === "string" || !cores.some((core) => family.layout.startsWith(core))) return record;
      return family.record;
    },
  };
}

/**
 * Auto-detection's parser for NCSA logs: every line is first read by the hand-written reader for the
 * layout most sample lines had, and otherwise by shape, so a file that mixes layouts (common lines in a
 * combined file, a virtual host added by a configuration change) is read line by line. It counts the
 * records of each layout for the summary.
 */
export function createNcsaParser(primary: ClfLayout): LineParser {
  // Written by the reader only when a line has fields after the user agent; emptied once read.
  const trailing = { suffix: "" };
  const state: ClfLineState = { readTime: createClfTimeReader(), trailing };
  // The leading layout is counted in a plain number: a map update per line would cost more than the check.
  let plain = 0;
  let others: Map<string, number> | null = null;
  const count = (layout: string): void => {
    others ??= new Map();
    others.set(layout, (others.get(layout) ?? 0) + 1);
  };
  return {
    description: primary,
    parse(line, source, lineNumber) {
      const record = parseClfLine(line, source, lineNumber, primary, state);
      if (typeof record !== "string") {
        if (trailing.suffix.length === 0 && isAddress(record.ip!)) {
          plain++;
          return record;
        }
        const name = `${primary}${trailing.suffix}`;
        trailing.suffix = "";
        count(isAddress(record.ip!) ? name : `${name}, host name as client`);
        return record;
      }
      const family = parseFamilyLine(line, source, lineNumber);
      if (typeof family === "string") return record;
      count(family.layout);
      return family.record;
    },
    takeLayouts() {
      if (plain === 0 && others === null) return null;
      const layouts: Record<string, number> = {};
      if (plain > 0) layouts[primary] = plain;
      if (others !== null) for (const [name, n] of others) layouts[name] = (layouts[name] ?? 0) + n;
      plain = 0;
      others = null;
      return layouts;
    },
  };
}

// Nearly every client address starts and ends with a digit: only the others are looked at closely.
function isAddress(ip: string): boolean {
  const first = ip.charCodeAt(0);
  const last = ip.charCodeAt(ip.length - 1);
  if (first >= 48 && first <= 57 && last >= 48 && last <= 57) return true;
  return clientShape(ip) === "address";
}

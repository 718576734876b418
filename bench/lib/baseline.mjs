// The in-run baseline: what a competent hand-written Node script does on the same file, with no library.
// oddity's figures are reported as ratios to these, measured in the same run on the same machine.
//
//   node bench/lib/baseline.mjs <mode> <file>
//   lines   count newlines in Buffers
//   parse   split lines and parse every combined-format field
//   count   parse + value counts for 8 fields + two pair tables (status|ip, method|path), one pass
//   score   count, then a second pass scoring every line from the counts (surprisal), keeping the top 20
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;

/** Calls `onLine` for every line of the file (ASCII/UTF-8, LF or CRLF), reading 1 MiB at a time. */
function eachLine(file, onLine) {
  const fd = openSync(file, "r");
  const buffer = Buffer.allocUnsafe(CHUNK);
  let carry = "";
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0) break;
    const text = carry + buffer.toString("utf8", 0, n);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      onLine(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) onLine(carry);
  closeSync(fd);
}

function countLines(file) {
  const fd = openSync(file, "r");
  const buffer = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0) break;
    for (let i = buffer.indexOf(10, 0); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
  }
  closeSync(fd);
  return lines;
}

/** Parses one combined line by index; null when it does not fit. */
function parse(line) {
  const s1 = line.indexOf(" ");
  const open = line.indexOf("[", s1);
  const close = line.indexOf("]", open);
  const q1 = line.indexOf('"', close);
  const q2 = line.indexOf('" ', q1 + 1);
  if (s1 < 0 || open < 0 || close < 0 || q1 < 0 || q2 < 0) return null;
  const request = line.slice(q1 + 1, q2);
  const m = request.indexOf(" ");
  const v = request.lastIndexOf(" ");
  const s2 = line.indexOf(" ", q2 + 2);
  const s3 = line.indexOf(" ", s2 + 1);
  const r1 = line.indexOf('"', s3);
  const r2 = line.indexOf('" "', r1 + 1);
  if (s2 < 0 || s3 < 0 || r1 < 0 || r2 < 0) return null;
  const sizeText = line.slice(s2 + 1, s3);
  return {
    ip: line.slice(0, s1),
    time: line.slice(open + 1, close),
    method: m < 0 ? request : request.slice(0, m),
    path: m < 0 ? "-" : request.slice(m + 1, v > m ? v : request.length),
    version: v > m ? request.slice(v + 1) : "-",
    status: line.slice(q2 + 2, s2),
    size: sizeText === "-" ? 0 : Number(sizeText),
    referer: line.slice(r1 + 1, r2),
    agent: line.slice(r2 + 3, line.length - 1),
  };
}

const FIELDS = ["ip", "method", "path", "endpoint", "version", "status", "referer", "agent"];

function endpoint(path) {
  const q = path.indexOf("?");
  return q === -1 ? path : path.slice(0, q);
}

function values(r) {
  return [r.ip, r.method, r.path, endpoint(r.path), r.version, r.status, r.referer, r.agent];
}

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function countPass(file) {
  const counts = FIELDS.map(() => new Map());
  const statusGivenIp = new Map();
  const methodGivenPath = new Map();
  let total = 0;
  let rejected = 0;
  eachLine(file, (line) => {
    const r = parse(line);
    if (r === null) {
      rejected++;
      return;
    }
    total++;
    const vs = values(r);
    for (let i = 0; i < vs.length; i++) bump(counts[i], vs[i]);
    bump(statusGivenIp, `${r.ip}\u0000${r.status}`);
    bump(methodGivenPath, `${r.path}\u0000${r.method}`);
  });
  return { counts, statusGivenIp, methodGivenPath, total, rejected };
}

function scorePass(file, model) {
  const { counts, statusGivenIp, methodGivenPath, total } = model;
  const top = [];
  let floor = 0;
  let scored = 0;
  eachLine(file, (line) => {
    const r = parse(line);
    if (r === null) return;
    scored++;
    const vs = values(r);
    let bits = 0;
    for (let i = 0; i < vs.length; i++) bits -= Math.log2((counts[i].get(vs[i]) ?? 0.5) / total);
    bits -= Math.log2((statusGivenIp.get(`${r.ip}\u0000${r.status}`) ?? 0.5) / counts[0].get(r.ip));
    bits -= Math.log2((methodGivenPath.get(`${r.path}\u0000${r.method}`) ?? 0.5) / counts[2].get(r.path));
    if (bits > floor || top.length < 20) {
      top.push({ bits, line });
      if (top.length > 200) {
        top.sort((a, b) => b.bits - a.bits);
        top.length = 20;
        floor = top[19].bits;
      }
    }
  });
  top.sort((a, b) => b.bits - a.bits);
  return { scored, top: top.slice(0, 20) };
}

const [mode, file] = process.argv.slice(2);
let result;
if (mode === "lines") result = { lines: countLines(file) };
else if (mode === "parse") {
  let parsed = 0;
  eachLine(file, (line) => {
    if (parse(line) !== null) parsed++;
  });
  result = { parsed };
} else if (mode === "count") {
  const model = countPass(file);
  result = { parsed: model.total, distinct: model.counts.map((c) => c.size) };
} else if (mode === "score") {
  const model = countPass(file);
  const { scored, top } = scorePass(file, model);
  result = { parsed: model.total, scored, highest: top[0]?.bits ?? 0 };
} else {
  console.error("usage: baseline.mjs lines|parse|count|score FILE");
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(result)}\n`);

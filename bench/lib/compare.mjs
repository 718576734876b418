// Optional comparisons with other tools doing the same work, run only when they are installed.
import { existsSync } from "node:fs";
import path from "node:path";

function which(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return null;
}

// The baseline's `count` work in awk: value counts for 8 fields and the status|ip and method|path pairs.
const AWK_COUNT = String.raw`
{
  split($1, head, " "); ip = head[1]
  split($2, request, " "); method = request[1]; target = request[2]; protocol = request[3]
  split($3, tail, " "); status = tail[1]
  endpoint = target; sub(/\?.*/, "", endpoint)
  ips[ip]++; methods[method]++; paths[target]++; endpoints[endpoint]++; protocols[protocol]++
  statuses[status]++; referers[$4]++; agents[$6]++
  statusGivenIp[ip SUBSEP status]++; methodGivenPath[target SUBSEP method]++
  n++
}
END { for (k in paths) distinct++; print n, distinct }`;

/** The comparisons available on this machine: { name, command, args(file) }. */
export function comparisons() {
  const found = [];
  const mawk = which("mawk");
  if (mawk !== null)
    found.push({ name: "mawk count", command: mawk, args: (file) => ["-F", '"', AWK_COUNT, file] });
  const goaccess = which("goaccess");
  if (goaccess !== null) {
    found.push({
      name: "goaccess",
      command: goaccess,
      args: (file) => [file, "--log-format=COMBINED", "--no-progress", "-o", "json"],
    });
  }
  return found;
}

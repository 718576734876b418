// Labels the access log by source address: every client of the plan is `normal`, every tool address is
// the tool's name. Fails if the log holds an address nobody was given (the labels would be wrong), and
// prints the line count per label and per normal kind.
// Usage: node labels.mjs ACCESS_LOG PLAN_JSON TOOLS (address=name,...) LABELS_OUT
import { readFileSync, writeFileSync } from "node:fs";

const [logPath, planPath, toolsArg, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node labels.mjs ACCESS_LOG PLAN_JSON address=tool,... LABELS_OUT");
  process.exit(2);
}
const labels = {};
const kinds = {};
for (const client of JSON.parse(readFileSync(planPath, "utf8"))) {
  labels[client.address] = "normal";
  kinds[client.address] = client.kind;
}
for (const pair of toolsArg.split(",")) {
  const [address, tool] = pair.split("=");
  labels[address] = tool;
  kinds[address] = tool;
}
const perLabel = {};
const perKind = {};
const lines = readFileSync(logPath, "utf8")
  .split("\n")
  .filter((line) => line !== "");
for (const [index, line] of lines.entries()) {
  const address = line.slice(0, line.indexOf(" "));
  const label = labels[address];
  if (label === undefined) {
    console.error(`${logPath}:${index + 1}: address ${JSON.stringify(address)} belongs to no client or tool`);
    process.exit(1);
  }
  perLabel[label] = (perLabel[label] ?? 0) + 1;
  perKind[kinds[address]] = (perKind[kinds[address]] ?? 0) + 1;
}
const seen = Object.fromEntries(
  Object.entries(labels).filter(([address]) => lines.some((l) => l.startsWith(`${address} `))),
);
writeFileSync(out, `${JSON.stringify(seen, null, 2)}\n`);
console.log(JSON.stringify({ lines: lines.length, perLabel, perKind }, null, 2));

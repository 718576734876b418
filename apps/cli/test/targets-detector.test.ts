import { probeKind } from "@oddity/eval";
import { describe, expect, it } from "vitest";
import { dataFixture, oddity } from "./helpers.js";

const WORDPRESS = dataFixture("wap-hackathon-nginx/access.log.gz");

/** The request path of each row's example record in a default table (the indented raw log line). */
function examplePaths(table: string): string[] {
  return table
    .split("\n")
    .filter((line) => /^ {4}\S+ \S+ \S+ \[[^\]]+\] "/.test(line))
    .map((line) => line.split('"')[1]!.split(" ")[1]!);
}

describe("oddity detect with the default pipeline on a WordPress site's real log", () => {
  it("shows scanner probes in at least 15 of the table's first 20 rows, the xmlrpc.php scan by its targets finding", async () => {
    const run = await oddity(["detect", WORDPRESS, "--top", "20"]);
    expect(run.code).toBe(0);
    const paths = examplePaths(run.stdout);
    expect(paths.length).toBe(20);
    expect(paths.filter((p) => probeKind(p) !== null).length).toBeGreaterThanOrEqual(15);
    expect(run.stdout).toMatch(
      /targets\/target +40\.0 +path_template "\/xmlrpc\.php": \d+ of the \d+ clients that asked for it got nothing but errors from the site \(other clients \d+%; p=/,
    );
  });

  it("lists the targets detector among the defaults, with its options described", async () => {
    const run = await oddity(["detectors"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("targets");
    expect(run.stdout).toContain("minClients");
  });
});

import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPLAY_RECORDS } from "@oddity/core";
import { tempFolders } from "../testing/temp-folders.js";
import { inputsFingerprint, replayRecords, replaySafe, SETTLED_MS, startReplay } from "./replay.js";

const tempFolder = tempFolders("oddity-replay-");

function logFile(name = "access.log"): string {
  const file = path.join(tempFolder(), name);
  writeFileSync(file, '10.0.0.1 - - [16/Apr/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"\n');
  return file;
}

// A clock far enough ahead that a file written now has settled.
const later = () => Date.now() + 10 * SETTLED_MS;

describe("inputsFingerprint", () => {
  it("identifies settled files, and stays the same while they do", async () => {
    const file = logFile();
    const first = await inputsFingerprint({ inputs: [file], now: later() });
    expect(first).toContain(file);
    expect(await inputsFingerprint({ inputs: [file], now: later() })).toBe(first);
  });

  it("changes when a file grows", async () => {
    const file = logFile();
    const before = await inputsFingerprint({ inputs: [file], now: later() });
    appendFileSync(file, "more\n");
    expect(await inputsFingerprint({ inputs: [file], now: later() })).not.toBe(before);
  });

  it("gives none for a file written moments ago, stdin, a database or a missing file", async () => {
    const file = logFile();
    expect(await inputsFingerprint({ inputs: [file], now: Date.now() })).toBeNull();
    for (const inputs of [
      ["-"],
      ["mysql://db/logs"],
      [path.join(tempFolder(), "missing.log")],
      [file, "-"],
    ]) {
      expect(await inputsFingerprint({ inputs, now: later() })).toBeNull();
    }
  });

  it("covers every file a glob matches", async () => {
    const file = logFile("a.log");
    writeFileSync(path.join(path.dirname(file), "b.log"), "x\n");
    const fingerprint = await inputsFingerprint({
      inputs: [path.join(path.dirname(file), "*.log")],
      now: later(),
    });
    expect(fingerprint?.split("\n")).toHaveLength(2);
  });
});

describe("startReplay", () => {
  it("replays the second pass over unchanged files", async () => {
    const replay = await startReplay({ inputs: [logFile()], records: 10, now: later });
    try {
      expect(await replay?.secondPass()).toBe(true);
    } finally {
      replay?.stop();
    }
  });

  it("reads a file changed between the passes again instead of replaying", async () => {
    const file = logFile();
    const replay = await startReplay({ inputs: [file], records: 10, now: later });
    try {
      appendFileSync(file, "appended between the passes\n");
      expect(await replay?.secondPass()).toBe(false);
    } finally {
      replay?.stop();
    }
  });

  it("does not start for 0 records, or for inputs it cannot trust to read the same twice", async () => {
    expect(await startReplay({ inputs: [logFile()], records: 0, now: later })).toBeNull();
    expect(await startReplay({ inputs: [logFile()], records: 10 })).toBeNull();
    expect(await startReplay({ inputs: ["-"], records: 10, now: later })).toBeNull();
  });
});

describe("replayRecords", () => {
  it("reads ODDITY_REPLAY_RECORDS as a whole number and ignores anything else", () => {
    expect(replayRecords({ ODDITY_REPLAY_RECORDS: "0" })).toBe(0);
    expect(replayRecords({ ODDITY_REPLAY_RECORDS: "5000" })).toBe(5000);
    expect(replayRecords({ ODDITY_REPLAY_RECORDS: "-1" })).toBe(REPLAY_RECORDS);
    expect(replayRecords({})).toBe(REPLAY_RECORDS);
  });
});

describe("replaySafe", () => {
  it("trusts the bundled detectors, by short or package name, and nothing else", () => {
    expect(replaySafe([{ use: "rarity" }, { use: "@oddity/detector-conditional" }, { use: "size" }])).toBe(
      true,
    );
    expect(replaySafe([{ use: "rarity" }, { use: "./my-detector.js" }])).toBe(false);
    expect(replaySafe([{ use: "oddity-detector-geo" }])).toBe(false);
  });
});

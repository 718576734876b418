import { afterEach, describe, expect, it } from "vitest";
import { defineDetector, type DetectorHooks } from "../detector.js";
import { fieldReader } from "../fields.js";
import { NO_FINDINGS } from "../finding.js";
import { createFitter } from "../model.js";
import { createPipeline } from "../pipeline.js";
import type { LogRecord } from "../record.js";
import { createScorer } from "../score.js";
import { makeRecord } from "../testing.js";
import { z } from "zod";
import { BoundedCounter } from "./bounded-counter.js";
import { boundTo, recordCodes, type CodeReplay } from "./code-replay.js";
import { ValueCodes, valueCodes } from "./value-codes.js";

let current: CodeReplay | null = null;
afterEach(() => current?.stop());

function start(records?: number): CodeReplay {
  current = recordCodes(records === undefined ? {} : { records });
  return current;
}

// What a bound fitter or scorer does around its detectors' work on one record.
function within<T>(record: LogRecord, work: () => T): T {
  return boundTo(current!, work)(record);
}

// One pass as the engine runs it: each record's value is asked for while the record is held.
function pass(codes: ValueCodes, records: readonly LogRecord[]): number[] {
  return records.map((record) => within(record, () => codes.code(record.ip!)));
}

// Records whose lines have the same lengths as `records`, with other values of the same length.
function sameLengths(records: readonly LogRecord[], ip: (i: number) => string): LogRecord[] {
  return records.map((r, i) => ({ ...r, ip: ip(i) }));
}

const ips = ["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3", "10.0.0.2"];
const records = ips.map((ip, line) => makeRecord({ ip, line, raw: `${ip} line ${line}` }));

// Records a pass over `records`, then replays one over `second` and returns the codes it got.
function replayOver(codes: ValueCodes, second: readonly LogRecord[], limit?: number): number[] {
  const replay = start(limit);
  pass(codes, records);
  replay.replay();
  return pass(codes, second);
}

const sameLengthOthers = sameLengths(records, () => "10.9.9.9");

interface RareState {
  counter: BoundedCounter;
}

// Flags ips seen at most once, counted through the shared code table `table`.
function rareIp(table: string) {
  return defineDetector({
    meta: { name: "rare", description: "test", apiVersion: 1, options: z.object({}).strict() },
    create(): DetectorHooks<RareState> {
      const codes = valueCodes(table);
      const fresh = () => ({ counter: new BoundedCounter({ maxDistinct: 100, codes }) });
      return {
        init: fresh,
        observe: (state, record) => state.counter.add(record.ip ?? "-"),
        merge: (a) => a,
        score(state, record) {
          const count = state.counter.count(record.ip ?? "-");
          if (count > 1) return NO_FINDINGS;
          return [
            {
              detector: "rare",
              kind: "rare",
              fields: ["ip"],
              values: [record.ip ?? "-"],
              probability: 0.5,
              surprisal: 1,
              threshold: { name: "count", direction: "below", value: 2 },
              counts: { value: count },
              message: "rare",
            },
          ];
        },
        toJSON: () => null,
        fromJSON: fresh,
      };
    },
  });
}

// Four busy clients, and every tenth line one seen once.
function ipRecords(n: number): LogRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({ ip: i % 10 === 0 ? `10.1.0.${i}` : `10.0.0.${i % 4}`, line: i + 1, raw: `line ${i}` }),
  );
}

describe("recordCodes", () => {
  it("gives a replayed pass the codes the recorded pass looked up", () => {
    const codes = valueCodes("replay-test-1");
    const replay = start();
    const first = pass(codes, records);
    replay.replay();
    const second = pass(codes, records);
    expect(second).toEqual(first);
    expect(first).toEqual([0, 1, 0, 2, 1]);
  });

  it("takes a replayed record's code from the tape, not from its value", () => {
    // The tape is trusted for a record whose line is as long as before: proof that no lookup ran.
    const codes = valueCodes("replay-test-2");
    expect(replayOver(codes, sameLengthOthers)).toEqual([0, 1, 0, 2, 1]);
    expect(codes.size).toBe(3);
  });

  it("looks up a record whose line number differs from the recorded one", () => {
    const codes = valueCodes("replay-test-lines");
    const shifted = records.map((r, i) => (i === 1 ? { ...r, ip: "10.0.0.99", line: r.line + 1 } : r));
    expect(replayOver(codes, shifted)).toEqual([0, 3, 0, 2, 1]);
  });

  it("looks up a record whose line length differs from the recorded one", () => {
    const codes = valueCodes("replay-test-3");
    const changed = records.map((r, i) => (i === 1 ? { ...r, ip: "10.0.0.99", raw: `${r.raw}!` } : r));
    expect(replayOver(codes, changed)).toEqual([0, 3, 0, 2, 1]);
  });

  it("looks up the records past its limit as usual", () => {
    const codes = valueCodes("replay-test-4");
    const other = sameLengths(records, (i) => `10.0.1.${i}`);
    // Records 0 and 1 come from the tape; 2 to 4 are looked up and get new codes.
    expect(replayOver(codes, other, 2)).toEqual([0, 1, 3, 4, 5]);
  });

  it("looks up everything once stopped, and a new recording never reads an older tape", () => {
    const codes = valueCodes("replay-test-5");
    const replay = start();
    pass(codes, records);
    replay.stop();
    const other = sameLengths(records, () => "10.7.7.7");
    expect(pass(codes, other)).toEqual([3, 3, 3, 3, 3]);
    const next = start();
    next.replay();
    expect(pass(codes, other)).toEqual([3, 3, 3, 3, 3]);
  });

  it("is not stopped by the stop of a replay it replaced", () => {
    const codes = valueCodes("replay-test-6");
    const old = recordCodes();
    const replay = start();
    old.stop();
    pass(codes, records);
    replay.replay();
    expect(pass(codes, sameLengthOthers)).toEqual([0, 1, 0, 2, 1]);
  });

  it("records a record's first value only, and answers later questions by lookup", () => {
    const codes = valueCodes("replay-test-7");
    const replay = start();
    expect(within(records[0]!, () => [codes.code("a"), codes.code("b")])).toEqual([0, 1]);
    replay.replay();
    expect(within(records[0]!, () => [codes.code("x"), codes.code("b"), codes.code("a")])).toEqual([0, 1, 0]);
  });

  it("never tapes a table a detector made for itself", () => {
    const own = new ValueCodes();
    expect(replayOver(own, sameLengthOthers)).toEqual([3, 3, 3, 3, 3]);
  });

  it("hands a replayed record the path template recorded for it, as the same string", () => {
    const read = fieldReader("path_template");
    const paths = ["/users/17/orders?page=2", "/health", "/users/18/orders?page=3"];
    const withPaths = paths.map((path, line) => makeRecord({ path, line, raw: `GET ${path}` }));
    const replay = start();
    const first = withPaths.map((r) => within(r, () => read(r)));
    replay.replay();
    // Same lengths, other paths: the templates can only have come from the tape.
    const other = withPaths.map((r) => ({ ...r, path: r.path!.replace(/[a-z]/g, "q") }));
    const second = other.map((r) => within(r, () => read(r)));
    expect(second).toEqual(["/users/:n/orders?page=:n", "/health", "/users/:n/orders?page=:n"]);
    second.forEach((template, i) => expect(Object.is(template, first[i])).toBe(true));
  });

  it("leaves what runs between records (a prepare hook) off the tape", () => {
    const codes = valueCodes("replay-test-8");
    const replay = start();
    within(records[0]!, () => null);
    // Asked outside any record, e.g. by a prepare hook walking its values: not this record's value.
    codes.code("prepare-time value");
    replay.replay();
    expect(within(records[0]!, () => codes.code(records[0]!.ip!))).toBe(1);
  });

  it("scores a replayed pass exactly as a looked-up one, through fitter and scorer", () => {
    const lines = ipRecords(60);
    const run = (replaying: boolean) => {
      const replay = replaying ? start() : undefined;
      const pipeline = createPipeline({ detectors: [{ use: "rare", definition: rareIp("replay-test-9") }] });
      const fitter = createFitter(pipeline, { replay });
      for (const record of lines) fitter.observe(record);
      const model = fitter.finish();
      replay?.replay();
      const score = createScorer(model, { replay });
      const flagged = lines.map((record) => score(record)?.record.line ?? null);
      replay?.stop();
      return flagged;
    };
    const plain = run(false);
    expect(plain.filter((line) => line !== null)).toEqual([1, 11, 21, 31, 41, 51]);
    expect(run(true)).toEqual(plain);
  });

  it("never lends its tapes to a fitter or scorer it was not given to", () => {
    const lines = ipRecords(60);
    // The same lines with other values: a scorer reading the tapes would score the recorded ones.
    // The first half new, the second as recorded: counts a scorer looked up by a wrong code in the first
    // half would be remembered for the busy clients of the second.
    const others = lines.map((r, i) => ({ ...r, ip: i < 30 ? `10.9.9.${i}` : r.ip }));
    const pipeline = createPipeline({ detectors: [{ use: "rare", definition: rareIp("replay-test-10") }] });
    const flagged = (replay: CodeReplay | undefined) => {
      const fitter = createFitter(pipeline, { replay });
      for (const record of lines) fitter.observe(record);
      const model = fitter.finish();
      replay?.replay();
      const score = createScorer(model);
      return others.map((record) => score(record)?.record.line ?? null);
    };
    const plain = flagged(undefined);
    // The first half is new; of the second, only the one-offs are flagged.
    expect(plain.filter((line) => line !== null)).toEqual(
      lines.map((r) => r.line).filter((line) => line <= 30 || line % 10 === 1),
    );
    const got = flagged(start());
    console.log(
      "GOT",
      JSON.stringify(got.filter((l) => l !== null)),
      JSON.stringify(plain.filter((l) => l !== null)),
    );
    expect(got).toEqual(plain);
  });
});

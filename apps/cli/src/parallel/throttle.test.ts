import { describe, expect, it } from "vitest";
import { throttle } from "./throttle.js";

describe("throttle", () => {
  it("posts the first call, then at most one call per interval, dropping those in between", () => {
    let clock = 0;
    const posted: number[] = [];
    const post = throttle<number>({ post: (v) => posted.push(v), everyMs: 100, now: () => clock });
    for (const [time, value] of [
      [0, 1],
      [50, 2],
      [99, 3],
      [100, 4],
      [150, 5],
      [260, 6],
    ] as const) {
      clock = time;
      post(value);
    }
    expect(posted).toEqual([1, 4, 6]);
  });
});

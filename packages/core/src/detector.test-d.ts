import { describe, expectTypeOf, it } from "vitest";
import type { ValueCodes } from "./counting/value-codes.js";
import { defineDetector, type DetectorContext, type DetectorHooks } from "./detector.js";
import type { Finding } from "./finding.js";
import type { LogRecord } from "./record.js";
import { z } from "zod";

describe("detector contract types", () => {
  it("infers the options type from the schema and types hooks by the declared state", () => {
    defineDetector({
      meta: {
        name: "t",
        description: "",
        apiVersion: 1,
        options: z.object({ limit: z.number().default(3) }),
      },
      create(options): DetectorHooks<{ n: number }> {
        expectTypeOf(options).toEqualTypeOf<{ limit: number }>();
        return {
          init: () => ({ n: 0 }),
          observe(state) {
            expectTypeOf(state).toEqualTypeOf<{ n: number }>();
          },
          merge: (a, b) => ({ n: a.n + b.n }),
          score: () => [],
          toJSON: (state) => state,
          fromJSON: () => ({ n: 0 }),
        };
      },
    });
  });

  it("pins the hook signatures plugin authors implement", () => {
    expectTypeOf<DetectorHooks<number>["score"]>().toEqualTypeOf<
      (state: number, record: LogRecord) => readonly Finding[]
    >();
    expectTypeOf<DetectorHooks<number>["merge"]>().toEqualTypeOf<(a: number, b: number) => number>();
    expectTypeOf<Finding["surprisal"]>().toEqualTypeOf<number>();
  });

  it("pins what the context hands a detector: its id, warn, the pipeline's codes and field reader", () => {
    expectTypeOf<DetectorContext["codes"]>().toEqualTypeOf<(field: string) => ValueCodes>();
    expectTypeOf<DetectorContext["fieldReader"]>().toEqualTypeOf<
      (name: string) => (record: LogRecord) => string | null
    >();
    expectTypeOf<DetectorContext["id"]>().toEqualTypeOf<string>();
  });
});

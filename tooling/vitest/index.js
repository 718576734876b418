import { defineConfig } from "vitest/config";

/**
 * Tests sit next to the source; fixed seeds keep property tests reproducible. The timeouts only catch a
 * hang: `npm test` runs every package's suites at once, on machines that may be busy with more (a 2-core
 * machine at load 30 took 55 s for a property test and over 30 s for a whole-log test), so they are
 * generous, but bounded.
 */
export function vitestConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      typecheck: { enabled: true, include: ["src/**/*.test-d.ts"] },
      testTimeout: 120_000,
      hookTimeout: 120_000,
      ...overrides,
    },
  });
}

import { defineConfig } from "vitest/config";

/** Tests sit next to the source; fixed seeds keep property tests reproducible. */
export function vitestConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      typecheck: { enabled: true, include: ["src/**/*.test-d.ts"] },
      testTimeout: 30_000,
      ...overrides,
    },
  });
}

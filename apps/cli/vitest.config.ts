import { vitestConfig } from "@oddity/vitest-config";

// The e2e tests spawn the built CLI on whole real logs, often several runs per test, while other suites
// share the machine: generous, but still a bound that fails a hung run.
export default vitestConfig({ testTimeout: 60_000 });

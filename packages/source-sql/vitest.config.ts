import { vitestConfig } from "@oddity/vitest-config";

export default vitestConfig({ globalSetup: ["./test/global-setup.ts"] });

import { vitestConfig } from "@oddity/vitest-config";

export default vitestConfig();

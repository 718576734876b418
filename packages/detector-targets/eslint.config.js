import { config } from "@oddity/eslint-config";

export default config(import.meta.dirname);

import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Type-aware lint for every package; `dir` is the package folder (import.meta.dirname). */
export function config(dir) {
  return tseslint.config(
    { ignores: ["dist/**", "coverage/**", "**/*.js", "**/*.mjs", "**/*.cjs", "test/fixtures/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir: dir },
      },
      rules: {
        "@typescript-eslint/no-explicit-any": "error",
        "@typescript-eslint/consistent-type-imports": "error",
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
        "no-control-regex": "off",
      },
    },
    {
      files: ["**/*.test.ts", "**/*.test-d.ts", "test/**/*.ts"],
      rules: {
        "@typescript-eslint/no-unsafe-assignment": "off",
        "@typescript-eslint/no-unsafe-member-access": "off",
        "@typescript-eslint/no-non-null-assertion": "off",
      },
    },
  );
}

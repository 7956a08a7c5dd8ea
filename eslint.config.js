// Lint is part of `npm test`. Type-aware rules catch floating promises, which
// in a distributed trainer turn into silent hangs.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // scripts/*.mjs are small maintenance scripts outside the typed project
  { ignores: ["dist/**", "runs/**", "node_modules/**", "eslint.config.js", "coverage/**", "scripts/**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use named exports." }],
    },
  },
  // tool configs must default-export
  { files: ["vitest.config.ts"], rules: { "no-restricted-syntax": "off" } },
);

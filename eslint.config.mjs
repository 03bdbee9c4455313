// The lint and format gate (`npm run lint`): Effect's own rule set and dprint settings, shared with the
// generator through scripts/dprint.json so generated modules are written already formatted.
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import * as fs from "node:fs"
import tseslint from "typescript-eslint"

const dprintConfig = JSON.parse(fs.readFileSync(new URL("./scripts/dprint.json", import.meta.url), "utf8"))

export default tseslint.config(
  { ignores: ["**/node_modules", "**/dist", "docs/**", ".tmp/**", "bench/.tmp/**", "scratch/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.ts", "**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "no-fallthrough": "off",
      "no-irregular-whitespace": "off",
      "object-shorthand": "error",
      "prefer-destructuring": "off",
      "sort-imports": "off",
      "no-unused-vars": "off",
      "require-yield": "off",
      "prefer-rest-params": "off",
      "prefer-spread": "off",
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.property.name='push'] > SpreadElement.arguments",
        message: "Do not use spread arguments in Array.push"
      }],
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-wrapper-object-types": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/ban-ts-comment": "off",
      "@typescript-eslint/no-use-before-define": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@effect/dprint": ["error", { config: dprintConfig }]
    }
  },
  {
    // Plain Node scripts; TypeScript files get their globals from the type checker.
    files: ["**/*.mjs"],
    languageOptions: {
      globals: { Buffer: "readonly", URL: "readonly", console: "readonly", process: "readonly", setTimeout: "readonly" }
    }
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "no-console": "error",
      "@effect/no-import-from-barrel-package": ["error", { packageNames: ["effect", "@effect/platform"] }]
    }
  }
)

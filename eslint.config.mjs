import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      '*.mjs',
      '*.cjs',
      'scripts/*.cjs',
      'jest.config.js',
      // Type-checked against a client generated at test time (test/openapi-client.e2e-spec.ts).
      'test/support/openapi-client/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/unbound-method': 'off',
      'no-console': ['error'],
    },
  },
  {
    // Structure (issue 12): a file over 300 lines or a function over 50 wants splitting; where a
    // long function is really right, an eslint-disable-next-line comment says why.
    files: ['src/**/*.ts', 'web/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // pg query rows are untyped; tests read them directly.
    files: ['test/**', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // ESM helpers that tests run as child processes (e.g. the OpenID Provider): plain JS.
    files: ['test/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The web console (web/src): browser ES modules on their own tsconfig, no Node globals. Text
    // reaches the page only as text nodes (CSP and XSS): no HTML parsing sinks, no eval.
    files: ['web/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer', '__dirname'],
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Build nodes with h(); text stays text.' },
        { property: 'outerHTML', message: 'Build nodes with h(); text stays text.' },
        { property: 'insertAdjacentHTML', message: 'Build nodes with h(); text stays text.' },
        { object: 'document', property: 'write', message: 'Build nodes with h().' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='setAttribute'][arguments.0.value='style']",
          message: "Inline styles are refused by the CSP (style-src 'self'); use a class.",
        },
      ],
    },
  },
  {
    // CommonJS helpers jest loads itself (the OpenAPI coverage reporter): plain JS.
    files: ['test/**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);

// Lint rules that encode the architecture (see DESIGN.md, "Packages").
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const packages = ['core', 'sdk', 'server', 'cli', 'web'];

// Any package may import another only through its entry point.
const noDeepImports = [
  {
    group: ['@threshold/*/*'],
    message: 'Import a workspace package only through its entry point (src/index.ts).',
  },
  {
    group: packages.map((p) => `**/${p}/src/**`).concat(packages.map((p) => `**/${p}/src`)),
    message: "Never import another package's src/*; import its package name.",
  },
];

// core is pure: no workspace package, no Node API, no DOM.
const coreRestrictions = [
  ...noDeepImports,
  { group: ['@threshold/*'], message: 'core imports no workspace package.' },
  {
    group: ['node:*', ...builtinModules, ...builtinModules.map((m) => `${m}/*`)],
    message: 'core is pure: no Node API.',
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-app/**',
      '**/node_modules/**',
      '**/coverage/**',
      'schema/**',
      '.threshold/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { patterns: noDeepImports }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { patterns: coreRestrictions }],
      'no-restricted-globals': [
        'error',
        ...[
          'process',
          'Buffer',
          'window',
          'document',
          'navigator',
          'fetch',
          'localStorage',
          'setTimeout',
          'setInterval',
          'require',
          '__dirname',
          '__filename',
        ].map((name) => ({ name, message: 'core is pure: no Node or DOM API.' })),
      ],
    },
  },
  {
    files: ['packages/sdk/src/**/*.ts', 'packages/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noDeepImports,
            {
              group: ['node:*', ...builtinModules],
              message: 'The SDK and dashboard run in browsers too: use fetch and web APIs only.',
            },
          ],
        },
      ],
    },
  },
);

// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The direction of dependencies (../shared/notes/architecture.md): each piece
 * of infrastructure is imported by one lib only, libs never import apps, apps
 * reach libs by their `@hangar/*` alias, and only the config lib and each
 * app's entry point read `process.env`.
 */
const INFRASTRUCTURE = [
  { packages: ['minio'], owner: 'storage' },
  { packages: ['bullmq', 'ioredis'], owner: 'queue' },
  { packages: ['sharp', 'file-type'], owner: 'media' },
  { packages: ['@prisma/client', '@prisma/adapter-pg', 'pg'], owner: 'database' },
  // Outbound HTTP goes through the guarded client only (SSRF): nothing else gets to open its own connections.
  { packages: ['undici', 'ipaddr.js'], owner: 'outbound' },
];
const LIBS = [
  'assets',
  'config',
  'database',
  'domain',
  'events',
  'files',
  'ingest',
  'media',
  'observability',
  'outbound',
  'queue',
  'storage',
];

function restrictedImports(owner) {
  return {
    paths: INFRASTRUCTURE.filter((entry) => entry.owner !== owner).flatMap((entry) =>
      entry.packages.map((name) => ({ name, message: `Only libs/${entry.owner} imports ${name}; use @hangar/${entry.owner}.` })),
    ),
    patterns: [
      { group: ['**/apps/**', '@hangar/*/src/**'], message: 'Libs never import apps; apps import libs by their @hangar/* alias.' },
      { group: ['**/libs/**', '../../**'], message: 'Import a lib by its alias (@hangar/<name>), never by path.' },
    ],
  };
}

const importDirection = [
  { files: ['apps/**/*.ts'], owner: undefined },
  ...LIBS.map((name) => ({ files: [`libs/${name}/**/*.ts`], owner: name })),
].map(({ files, owner }) => ({
  files,
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': ['error', restrictedImports(owner)],
    'no-restricted-properties': [
      'error',
      { object: 'process', property: 'env', message: 'Read settings from the AppConfig (libs/config) instead of process.env.' },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.hangar/**', 'libs/database/src/generated/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  ...importDirection,
  {
    // Where process.env is read on purpose: the config lib validates it, each app's entry point hands it over.
    files: ['libs/config/src/**/*.ts', 'apps/*/src/main.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    // Tests read untyped JSON response bodies and jest's asymmetric matchers (typed `any`); the assertions check them.
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { ...globals.node },
    },
  },
);

// Two tiers: unit specs beside the code, integration specs in test/ against
// the real PostgreSQL, Redis and MinIO (see test/global-setup.ts).

/** swc compiles our TypeScript and the ESM-only packages (NestJS 12) to CommonJS for Jest. */
const transform = {
  '^.+\\.(t|j|mj)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};

// Packages published as ESM only, which Jest on Node 20 cannot require as they are.
const esmPackages = [
  '@nestjs',
  '@tus',
  'srvx',
  'file-type',
  'thumbhash',
  'strtok3',
  'token-types',
  'peek-readable',
  'uint8array-extras',
  '@tokenizer',
  '@borewit',
];

const moduleNameMapper = {
  '^@hangar/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  // file-type exports its Node entry only under the 'import' condition, which Jest's CommonJS resolver does not use.
  '^file-type$': '<rootDir>/node_modules/file-type/index.js',
};

const shared = {
  rootDir: __dirname,
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
      slowTestThreshold: 20,
    },
  ],
};

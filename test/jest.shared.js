// Jest cannot load NestJS 12 (ESM-only) through its CommonJS runtime, so SWC transforms
// our TypeScript and those ESM packages; type-checking is `npm run typecheck`.
const path = require('node:path');

const root = path.resolve(__dirname, '..');

module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-env.js'],
  setupFilesAfterEnv: ['<rootDir>/test/support/shift-clock.js'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|file-type|strtok3|token-types|peek-readable|@tokenizer|load-esm|feed)/)'],
  moduleNameMapper: { '^@libs/(\\w+)(.*)$': '<rootDir>/libs/$1/src$2' },
};

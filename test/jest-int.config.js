const shared = require('./jest.shared');

/**
 * Integration (`*.int-spec.ts` next to the code) and end-to-end (`test/*.e2e-spec.ts`) tests:
 * real Postgres, Redis, SMTP and loopback HTTP. Each file creates its own database and queue prefix.
 * The scripts run them with --runInBand: the 2-core machines they run on time out otherwise.
 */
module.exports = {
  ...shared,
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs,scripts,bench}/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 60_000,
  setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/test/support/int-timeout.js'],
};

const shared = require('./jest.shared');

/** Pure logic, no IO: `*.spec.ts` next to the code (apps, libs, scripts, bench); checks of the deployment files in test/. */
module.exports = {
  ...shared,
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,scripts,bench}/**/*.spec.ts', '<rootDir>/test/*.spec.ts'],
};

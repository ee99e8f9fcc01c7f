const shared = require('./jest.shared');

/** Pure logic, no IO: `*.spec.ts` next to the code (apps, libs, scripts, bench). */
module.exports = {
  ...shared,
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,scripts,bench}/**/*.spec.ts'],
};

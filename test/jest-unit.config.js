const shared = require('./jest.shared');

/** Pure logic, no IO: `*.spec.ts` next to the code. */
module.exports = {
  ...shared,
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
};

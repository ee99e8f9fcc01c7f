// Hooks of integration tests (a database to migrate, an app to boot) get the tests' own budget: on a busy
// 2-core machine a beforeAll can take longer than Jest's 5 s default for hooks.
jest.setTimeout(60_000);

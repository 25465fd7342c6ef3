/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Multi-process and Docker tests start real processes; they get their own time budget.
  testTimeout: 30000,
  globalTeardown: '<rootDir>/tests/global-teardown.ts',
};

// Three projects: unit (no servers), integration (real etcd/NATS from libs/testing),
// e2e (the whole cluster driven by real kubectl and @kubernetes/client-node).
// ts-jest transpiles only; `npm test` type-checks everything with `tsc -b` first.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }]; // isolatedModules (transpile only) is set in tsconfig.jest.json
const moduleNameMapper = {
  '^@keelson/(api|bus|storage|client|controller-runtime|testing|telemetry|operator-sdk)$': '<rootDir>/libs/$1/src',
  '^@keelson/operator-sdk/(envtest|codegen|scheduling)$': '<rootDir>/libs/operator-sdk/src/$1',
  '^@keelson/local$': '<rootDir>/infra/local/src',
};
const common = { rootDir: __dirname, testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleNameMapper };

module.exports = {
  // On a 2-core machine jest has one worker, so it runs every file in band, in its own process:
  // one timer a test leaves behind keeps `npm test` from ever exiting. Session 3's CI run hung after
  // a full pass with three ref'd Timeouts in the jest process (none found by --detectOpenHandles in
  // the new e2e files; the hunt is open, see the closing note). forceExit ends the run once the
  // results are in; it does not hide failures.
  forceExit: true,
  // The slowest files after every full run (infra/local/jest-timings.js): the budget is kept from CI's log.
  reporters: ['default', '<rootDir>/infra/local/jest-timings.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,infra}/*/test/**/*.test.ts', '<rootDir>/chaos/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{libs,services,infra}/*/test/**/*.int.test.ts'], slowTestThreshold: 30 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/test/**/*.test.ts'], slowTestThreshold: 60 },
  ],
};

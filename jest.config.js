// Three projects: unit (no servers), integration (real etcd/NATS from libs/testing),
// e2e (the whole cluster driven by real kubectl and @kubernetes/client-node).
// ts-jest transpiles only; `npm test` type-checks everything with `tsc -b` first.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }]; // isolatedModules (transpile only) is set in tsconfig.jest.json
const moduleNameMapper = {
  '^@keelson/(api|bus|storage|client|controller-runtime|testing|telemetry)$': '<rootDir>/libs/$1/src',
  '^@keelson/local$': '<rootDir>/infra/local/src',
};
const common = { rootDir: __dirname, testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleNameMapper };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,infra}/*/test/**/*.test.ts', '<rootDir>/chaos/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{libs,services,infra}/*/test/**/*.int.test.ts'], slowTestThreshold: 30 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/test/**/*.test.ts'], slowTestThreshold: 60 },
  ],
};

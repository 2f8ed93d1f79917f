/** One jest run, several projects: node units, jsdom components, the weapp simulator and the browser. */
const tsJest = [
  'ts-jest',
  {
    // Transpile only (tsc --noEmit type-checks the whole project once in pretest).
    tsconfig: { module: 'commonjs', moduleResolution: 'node', jsx: 'react-jsx', esModuleInterop: true, target: 'ES2020', isolatedModules: true },
    diagnostics: false,
  },
];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: '<rootDir>/test/helpers/node-environment.js',
      testMatch: ['<rootDir>/test/{engine,backend,scripts,functions}/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': tsJest },
    },
    {
      displayName: 'client',
      testEnvironment: 'jsdom',
      setupFiles: ['<rootDir>/test/client/setup.ts'],
      testMatch: ['<rootDir>/test/client/**/*.test.tsx'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleNameMapper: {
        '^@tarojs/components$': '<rootDir>/test/client/mocks/taro-components.tsx',
        '^@tarojs/taro$': '<rootDir>/test/client/mocks/taro.ts',
        '\\.(css|scss)$': '<rootDir>/test/client/mocks/style.ts',
        // The browser transport: component tests exercise it against a stubbed fetch.
        '^(.*)/services/backend$': '$1/services/backend.h5.ts',
      },
    },
    {
      displayName: 'weapp',
      testEnvironment: '<rootDir>/test/helpers/node-environment.js',
      testMatch: ['<rootDir>/test/weapp/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: '<rootDir>/test/helpers/node-environment.js',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': tsJest },
    },
  ],
};

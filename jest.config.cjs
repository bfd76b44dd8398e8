// Two projects: unit tests import src/ directly; integration tests run the
// built dist/ artifact as a subprocess against moto on 127.0.0.1.
const transform = { "^.+\\.ts$": "ts-jest" };
module.exports = {
  projects: [
    { displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"], transform },
    {
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      transform,
      globalSetup: "<rootDir>/test/support/global-setup.ts",
      globalTeardown: "<rootDir>/test/support/global-teardown.ts",
    },
  ],
};

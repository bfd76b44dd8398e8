// Two projects: unit tests import src/ directly; integration tests run the
// built dist/ artifact as a subprocess against moto on 127.0.0.1.
const { existsSync } = require("node:fs");
const path = require("node:path");

// scripts/setup.sh installs moto (with PyYAML), hadolint and shellcheck into
// .venv; the tests find them, and its python3, first on PATH.
const venvBin = path.join(__dirname, ".venv/bin");
if (existsSync(venvBin)) process.env.PATH = `${venvBin}:${process.env.PATH}`;

const transform = { "^.+\\.ts$": "ts-jest" };
module.exports = {
  reporters: ["default", "<rootDir>/test/support/summary-reporter.cjs"],
  // Integration tests start processes (the CLI, sometimes their own moto, the
  // arm64 binary under qemu): on two busy cores that can take seconds, which
  // is not what they measure. Jest reads testTimeout only here, not in a
  // project: a moto start in infra.test.ts once hit the default 5 s.
  testTimeout: 30_000,
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

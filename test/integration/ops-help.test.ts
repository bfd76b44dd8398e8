// Every ops command answers --help with its usage and an example, and the
// main help lists them.
import { runCli } from "../support/run-cli";

const COMMANDS = [
  "put",
  "get",
  "diff",
  "set",
  "unset",
  "edit",
  "history",
  "rollback",
  "rekey",
  "verify",
  "render",
];

test.each(COMMANDS)("%s --help shows its usage and an example, and exits 0", async (command) => {
  const result = await runCli([command, "--help"]);
  expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  expect(result.stdout).toMatch(new RegExp(`^Usage: s3-kms-env ${command} `));
  expect(result.stdout).toMatch(new RegExp(`\\nExample:\\n(  .*\\n)*  .*s3-kms-env ${command} `));
});

test("the main help lists every ops command", async () => {
  const result = await runCli(["--help"]);
  for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`\\n  ${command} +\\S`));
});

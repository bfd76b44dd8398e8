// Help, rendered from the commands' definitions (cli/command.ts): loaded only
// when asked for.
import { writeOutSync } from "./output";
import type { CommandDefinition } from "./command";

export function renderCommandHelp(command: Pick<CommandDefinition, "name" | "help">): string {
  const help = command.help();
  return [
    `Usage: s3-kms-env ${command.name} ${help.usage}`,
    help.description,
    `Example:\n${help.example.map((line) => `  ${line}`).join("\n")}`,
    help.options,
  ].join("\n\n");
}

const line = (name: string, summary: string): string => `  ${name.padEnd(10)}${summary}`;

export function renderMainHelp(exec: CommandDefinition, ops: readonly CommandDefinition[]): string {
  return `s3-kms-env: fetch an SSE-KMS env file from S3, verify it, and exec your app with it.

Usage:
  s3-kms-env exec ${exec.help().usage.replace("[options] ", "")}
  s3-kms-env <command> --help

Commands:
${line("exec", exec.help().summary)}
${line("help", "show help for a command")}
${line("version", "print the version")}
${line("completion", "print a completion script: completion bash|zsh|fish")}

Ops commands:
${ops.map((command) => line(command.name, command.help().summary)).join("\n")}

Exit codes: 125 s3-kms-env failed, 126 command not executable, 127 command not found,
otherwise the command's own status.`;
}

export function printCommandHelp(command: Pick<CommandDefinition, "name" | "help">): void {
  writeOutSync(renderCommandHelp(command) + "\n");
}

/** The help of the command `name`, or the main help when there is no such command. */
export function printHelp(
  name: string | undefined,
  exec: CommandDefinition,
  ops: readonly CommandDefinition[],
): void {
  const command = [exec, ...ops].find((c) => c.name === name);
  writeOutSync((command ? renderCommandHelp(command) : renderMainHelp(exec, ops)) + "\n");
}

export function printVersion(): void {
  writeOutSync(`s3-kms-env ${S3_KMS_ENV_VERSION}\n`);
}

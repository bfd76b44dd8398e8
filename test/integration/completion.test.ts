// `completion bash|zsh|fish`: scripts generated from the command definitions.
// The bash one is sourced into a real bash and asked with `complete -p` and
// its completion function, as bash asks it when Tab is pressed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { errorLine } from "../support/ops";
import { runCli } from "../support/run-cli";

const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-completion-"));

/** What the bash script offers for the words typed so far (the last one is being completed). */
function bashCompletes(script: string, words: readonly string[]): string[] {
  const file = path.join(dir, "s3-kms-env.bash");
  writeFileSync(file, script);
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _s3_kms_env; printf '%s\\n' "\${COMPREPLY[@]}"`,
      "bash",
      file,
    ],
    { encoding: "utf8" },
  );
  return out.split("\n").filter((l) => l !== "");
}

describe("completion", () => {
  let bash = "";
  beforeAll(async () => {
    const result = await runCli(["completion", "bash"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    bash = result.stdout;
  });

  test("bash: the script registers itself for s3-kms-env", () => {
    const file = path.join(dir, "registered.bash");
    writeFileSync(file, bash);
    const out = execFileSync("bash", ["-c", 'source "$1"; complete -p s3-kms-env', "bash", file], {
      encoding: "utf8",
    });
    expect(out).toBe("complete -o bashdefault -o default -F _s3_kms_env s3-kms-env\n");
  });

  test.each([
    [
      ["s3-kms-env", "re"],
      ["rekey", "render"],
    ],
    [["s3-kms-env", "get", "--for"], ["--format"]],
    [
      ["s3-kms-env", "get", "--format", ""],
      ["dotenv", "json", "shell"],
    ],
    [["s3-kms-env", "set", "s3://b/k", "--allow-un"], ["--allow-unversioned"]],
    [["s3-kms-env", "set", "--client-s"], ["--client-side"]],
    [["s3-kms-env", "edit", "--client-s"], ["--client-side"]],
    [["s3-kms-env", "diff", "--s3-o"], ["--s3-object"]],
    [
      ["s3-kms-env", "history", "--d"],
      ["--debug", "--diff", "--discovery-account"],
    ],
    [
      ["s3-kms-env", "exec", "--precedence", ""],
      ["file", "env"],
    ],
    [["s3-kms-env", "exec", "--log-format", "j"], ["json"]],
    [["s3-kms-env", "render", "--allow-d"], ["--allow-disk"]],
    // After "--" the words are the app's own: none of ours is offered.
    [["s3-kms-env", "exec", "s3://b/k", "--", "node", "--v"], []],
    [
      ["s3-kms-env", "completion", ""],
      ["bash", "zsh", "fish"],
    ],
  ])("bash: %j offers %j", (words, expected) => {
    expect(bashCompletes(bash, words)).toEqual(expected);
  });

  test("zsh and fish scripts name every command and the --format values", async () => {
    const zsh = await runCli(["completion", "zsh"]);
    const fish = await runCli(["completion", "fish"]);
    expect(zsh).toMatchObject({ exitCode: 0, stderr: "" });
    expect(zsh.stdout).toMatch(/^#compdef s3-kms-env\n/);
    expect(zsh.stdout).toContain("'--format:format:(dotenv json shell)'");
    expect(fish.stdout).toContain(
      'complete -c s3-kms-env -n "__fish_seen_subcommand_from get" -l format -x -a "dotenv json shell"',
    );
    for (const command of ["exec", "put", "set", "history", "verify"]) {
      expect(zsh.stdout).toContain(`    '${command}:`);
      expect(fish.stdout).toContain(` -a ${command} -d `);
    }
  });

  test("an unknown shell is one usage line", async () => {
    const result = await runCli(["completion", "tcsh"]);
    expect(result).toMatchObject({
      exitCode: 125,
      stdout: "",
      stderr: errorLine("completion takes one shell: bash, zsh, fish", "USAGE"),
    });
  });
});

// Exit codes of `s3-kms-env exec`, as `env` and `docker run` have them: the
// app's own status, 126 when the command cannot be executed, 127 when it (or
// its #! interpreter) is not there, 125 for s3-kms-env's own failures. Every
// case execve could fail on is caught first: a failing process.execve aborts
// Node (exit 134, a native stack, a core dump holding the secrets).
import { readFileSync } from "node:fs";
import { ExecFixture, expectFailure, expectNoAbort, runExec, ScratchDir } from "../support/exec";
import { cliEnv } from "../support/run-cli";

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-exit-codes");
  scratch = new ScratchDir();
  uri = await fx.put("DB_USERNAME=app\n");
});

afterAll(() => {
  fx.destroy();
  scratch.remove();
});

const MODES = [
  ["execve", []],
  ["--spawn", ["--spawn"]],
] as const;

describe.each(MODES)("the app's own status passes through (%s)", (_mode, flags) => {
  test.concurrent.each([0, 1, 3, 124, 255])("exit %i", async (status) => {
    const result = await runExec({
      flags: [...flags, "-q"],
      sources: [uri],
      command: ["/bin/sh", "-c", `exit ${status}`],
    });
    expect(result).toMatchObject({ exitCode: status, signal: null, stdout: "", stderr: "" });
  });
});

describe("the app dies of a signal", () => {
  test.concurrent.each(["TERM", "KILL", "INT"])(
    "SIG%s with execve: the runtime sees the app's own death by that signal",
    async (name) => {
      const result = await runExec({
        flags: ["-q"],
        sources: [uri],
        command: ["/bin/sh", "-c", `kill -${name} $$`],
      });
      expect(result).toMatchObject({ exitCode: null, signal: `SIG${name}`, stderr: "" });
    },
  );

  test.concurrent.each([
    ["TERM", 143],
    ["KILL", 137],
    ["INT", 130],
  ])("SIG%s with --spawn: exit 128+N (%i)", async (name, status) => {
    const result = await runExec({
      flags: ["--spawn", "-q"],
      sources: [uri],
      command: ["/bin/sh", "-c", `kill -${name} $$`],
    });
    expect(result).toMatchObject({ exitCode: status, signal: null, stderr: "" });
  });
});

describe.each(MODES)("a command that cannot run (%s)", (_mode, flags) => {
  async function refused(command: string[], code: string, message: string, exitCode: number) {
    const result = await runExec({ flags: [...flags, "-q"], sources: [uri], command });
    expectFailure(result, code, message, exitCode);
    expectNoAbort(result);
  }

  test.concurrent("a file without execute permission (0644): 126", async () => {
    const file = scratch.file("app.sh", "#!/bin/sh\nexit 0\n", 0o644);
    await refused(
      [file],
      "COMMAND_NOT_EXECUTABLE",
      `${file}: permission denied (not an executable file)`,
      126,
    );
  });

  test.concurrent("an executable file that has neither an ELF header nor #!: 126", async () => {
    const file = scratch.file("app", "echo this is not a script\n", 0o755);
    await refused(
      [file],
      "COMMAND_NOT_EXECUTABLE",
      `${file}: not an executable format (no ELF header and no #! line)`,
      126,
    );
  });

  test.concurrent("a directory: 126", async () => {
    const dir = scratch.dir("app");
    await refused(
      [dir],
      "COMMAND_NOT_EXECUTABLE",
      `${dir}: permission denied (not an executable file)`,
      126,
    );
  });

  test.concurrent("a name found on PATH only as a non-executable file: 126", async () => {
    const bin = scratch.dir("bin");
    scratch.file("only-readable-tool", "#!/bin/sh\n", 0o644, bin);
    const result = await runExec({
      flags: [...flags, "-q"],
      sources: [uri],
      command: ["only-readable-tool"],
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    expectFailure(
      result,
      "COMMAND_NOT_EXECUTABLE",
      "only-readable-tool: permission denied (not an executable file)",
      126,
    );
  });

  test.concurrent("a script whose #! interpreter is not executable: 126", async () => {
    const interpreter = scratch.file("interpreter", "", 0o644);
    const file = scratch.file("app", `#!${interpreter} -x\n`, 0o755);
    await refused(
      [file],
      "COMMAND_NOT_EXECUTABLE",
      `${file}: interpreter "${interpreter}" is not executable`,
      126,
    );
  });

  test.concurrent("a command found nowhere on PATH: 127", async () => {
    await refused(
      ["no-such-command-e7d1"],
      "COMMAND_NOT_FOUND",
      "no-such-command-e7d1: command not found",
      127,
    );
  });

  test.concurrent("a path that does not exist: 127", async () => {
    const missing = scratch.freshPath("missing");
    await refused([missing], "COMMAND_NOT_FOUND", `${missing}: command not found`, 127);
  });

  test.concurrent("a script whose #! interpreter does not exist: 127", async () => {
    const file = scratch.file("app", "#!/nonexistent/bin/interpreter\necho hi\n", 0o755);
    await refused(
      [file],
      "COMMAND_NOT_FOUND",
      `${file}: bad interpreter "/nonexistent/bin/interpreter": no such file`,
      127,
    );
  });

  test.concurrent("a script saved with CRLF line endings: 127, not an abort", async () => {
    const file = scratch.file("crlf", "#!/bin/sh\r\necho hi\r\n", 0o755);
    await refused(
      [file],
      "COMMAND_NOT_FOUND",
      `${file}: bad interpreter "/bin/sh\\r": no such file (the #! line ends in \\r: CRLF line endings?)`,
      127,
    );
  });

  test.concurrent("an empty command name: 127", async () => {
    await refused([""], "COMMAND_NOT_FOUND", "(empty command): command not found", 127);
  });
});

describe("an environment execve cannot take: ENV_TOO_LARGE (125), never an abort", () => {
  // Linux's MAX_ARG_STRLEN: one "NAME=value\0" string may take at most 128 KiB.
  const MAX_ARG_STRLEN = 128 * 1024;

  test.concurrent("one variable over 128 KiB", async () => {
    const big = await fx.put(`BIG=${"x".repeat(MAX_ARG_STRLEN)}\n`);
    const app = scratch.marker();
    const result = await runExec({ flags: ["-q"], sources: [big], command: app.command });
    expectFailure(
      result,
      "ENV_TOO_LARGE",
      `variable BIG is ${MAX_ARG_STRLEN + 5} bytes; Linux allows at most ${MAX_ARG_STRLEN} bytes per environment string`,
    );
    expect(app.ran()).toBe(false);
  });

  test.concurrent(
    "one variable of exactly 128 KiB, its NUL included, reaches the app",
    async () => {
      const value = "x".repeat(MAX_ARG_STRLEN - "BIG=".length - 1);
      const big = await fx.put(`BIG=${value}\n`);
      const result = await runExec({
        flags: ["-q"],
        sources: [big],
        command: ["/bin/sh", "-c", 'printf %s "${#BIG}"'],
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: String(value.length), stderr: "" });
    },
  );

  test.concurrent("all variables together over the argument space", async () => {
    // 24 × 120 KiB ≈ 2.8 MiB: over a quarter of the usual 8 MiB stack limit.
    const lines = Array.from({ length: 24 }, (_, i) => `V${i}=${"x".repeat(120 * 1024)}`);
    const big = await fx.put(lines.join("\n") + "\n");
    const result = await runExec({ flags: ["-q", "--max-size", "4M"], sources: [big] });
    expect(result).toMatchObject({ exitCode: 125, signal: null, stdout: "" });
    expect(result.stderr).toMatch(
      /^s3-kms-env: error: the environment and arguments take \d+ bytes; this system allows \d+ \(code=ENV_TOO_LARGE\)\n$/,
    );
  });

  // What execve(2) needs room for, as Linux counts it: the program's path,
  // then each "NAME=value" and argument string with its NUL and its pointer;
  // at most a quarter of the stack limit, capped at 6 MiB (3/4 of _STK_LIM).
  const POINTER = 8;
  const strlen = (text: string): number => Buffer.byteLength(text) + 1;

  function argumentSpace(stackBytes: number): number {
    return Math.max(Math.min(6 * 1024 * 1024, stackBytes / 4), MAX_ARG_STRLEN);
  }

  function ownStackLimit(): number {
    const limits = readFileSync("/proc/self/limits", "latin1");
    return Number(/^Max stack size\s+(\d+)/m.exec(limits)?.[1]);
  }

  /** A file whose variables make the whole execve of `program` (no arguments) take `total` bytes. */
  function fillTo(total: number, program: string): string {
    const inherited = Object.entries(cliEnv()).reduce(
      (n, [name, value]) => n + strlen(`${name}=${value}`) + POINTER,
      0,
    );
    let left = total - strlen(program) - (strlen(program) + POINTER) - inherited;
    const lines: string[] = [];
    for (let i = 0; left > 0; i++) {
      const name = `V${String(i).padStart(3, "0")}`;
      const overhead = strlen(`${name}=`) + POINTER;
      const length = Math.min(120 * 1024, left - overhead);
      if (length < 0) throw new Error("cannot fill the last few bytes");
      lines.push(`${name}=${"x".repeat(length)}`);
      left -= overhead + length;
    }
    return lines.join("\n") + "\n";
  }

  test.concurrent(
    "an environment that fills the argument space to the byte reaches the app",
    async () => {
      const full = await fx.put(fillTo(argumentSpace(ownStackLimit()), "/bin/true"));
      const result = await runExec({
        flags: ["-q", "--max-size", "8M"],
        sources: [full],
        wrapper: NO_CORE_DUMPS,
      });
      expectNoAbort(result);
      expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    },
  );

  test.concurrent("one byte more: ENV_TOO_LARGE", async () => {
    const full = await fx.put(fillTo(argumentSpace(ownStackLimit()) + 1, "/bin/true"));
    const result = await runExec({
      flags: ["-q", "--max-size", "8M"],
      sources: [full],
      wrapper: NO_CORE_DUMPS,
    });
    expectNoAbort(result);
    expect(result).toMatchObject({ exitCode: 125, stdout: "" });
    expect(result.stderr).toMatch(/\(code=ENV_TOO_LARGE\)\n$/);
  });

  test.concurrent(
    "a #! script needs room for its interpreter as well: ENV_TOO_LARGE, not an abort",
    async () => {
      const app = scratch.file("app", "#!/bin/sh\nexit 0\n", 0o755);
      // Room for the path and the script as a binary, none for "/bin/sh".
      const full = await fx.put(fillTo(argumentSpace(ownStackLimit()), app));
      const result = await runExec({
        flags: ["-q", "--max-size", "8M"],
        sources: [full],
        command: [app],
        wrapper: NO_CORE_DUMPS,
      });
      expectNoAbort(result);
      expect(result).toMatchObject({ exitCode: 125, stdout: "" });
      expect(result.stderr).toMatch(/\(code=ENV_TOO_LARGE\)\n$/);
    },
  );

  test.concurrent(
    "with a 64 MiB stack limit, Linux still allows only 6 MiB: 7 MiB is ENV_TOO_LARGE",
    async () => {
      const big = await fx.put(fillTo(7 * 1024 * 1024, "/bin/true"));
      const result = await runExec({
        flags: ["-q", "--max-size", "8M"],
        sources: [big],
        wrapper: [...NO_CORE_DUMPS, `--stack=${64 * 1024 * 1024}`],
      });
      expectNoAbort(result);
      expect(result).toMatchObject({ exitCode: 125, stdout: "" });
      expect(result.stderr).toMatch(/ this system allows 6291456 \(code=ENV_TOO_LARGE\)\n$/);
    },
  );
});

/**
 * Runs the CLI with core dumps off, so a regression that aborts cannot write
 * one; prlimit (util-linux) leaves the environment as it is, to the byte.
 */
const NO_CORE_DUMPS = ["prlimit", "--core=0"] as const;

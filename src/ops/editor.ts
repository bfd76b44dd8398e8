// Run $VISUAL / $EDITOR on a file: the command is split on white space and
// started without a shell, so nothing in it (or in the file name) is
// interpreted; stdio is the terminal's.
import { spawn, type ChildProcess } from "node:child_process";
import { S3KmsEnvError } from "../errors";

/**
 * $VISUAL, else $EDITOR, else vi, but vi only at a terminal: without one it
 * would hang on (or scribble over) a pipe, so edit refuses before reading.
 */
export function editorCommand(
  env: Readonly<Record<string, string | undefined>>,
  terminal: boolean,
): string[] {
  const words = (env.VISUAL || env.EDITOR || "").trim().split(/\s+/);
  if (words[0] !== "") return words;
  if (terminal) return ["vi"];
  throw new S3KmsEnvError(
    "USAGE",
    "no editor: VISUAL and EDITOR are unset and stdin is not a terminal, so vi cannot run; " +
      'set VISUAL or EDITOR (e.g. EDITOR="code --wait"), or use get --reveal and put',
  );
}

/** Resolves when the editor exits 0; `started` sees the child so signals can reach it. */
export function runEditor(
  command: readonly string[],
  file: string,
  started: (child: ChildProcess | undefined) => void,
): Promise<void> {
  const [program = "vi", ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, file], { stdio: "inherit" });
    started(child);
    child.once("error", (err) => {
      started(undefined);
      const code = (err as { code?: string }).code ?? err.name;
      reject(
        new S3KmsEnvError(
          "EDITOR_FAILED",
          `cannot start the editor "${program}" (${code}); set VISUAL or EDITOR`,
        ),
      );
    });
    child.once("exit", (code, signal) => {
      started(undefined);
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      reject(new S3KmsEnvError("EDITOR_FAILED", `the editor ${how}; nothing was uploaded`));
    });
  });
}

// edit: decrypt to a private file, let the user's editor change it, check the
// result as exec would read it, and upload it only if the object did not
// change meanwhile (If-Match). The plaintext file is removed on every way out:
// success, failure, and SIGINT/SIGTERM/SIGHUP.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { OpsS3 } from "./s3";
import { hasCode, InterruptedError, S3KmsEnvError } from "../errors";
import type { S3Location } from "../s3/location";
import { runEditor } from "./editor";
import { parseForExec } from "./exec-policy";
import { ifExists, readPlaintext, type ReadOptions } from "./read";
import { bodyToWrite, keptEncryption, unchangedSince } from "./object";
import type { Encrypt, Written } from "./s3";
import { createWorkspace, type Workspace } from "./workspace";
import type { NameChanges } from "../audit/event";
import { parseEnvFile } from "../envfile/parse";
import { diffVars } from "./diff";

export interface EditOptions extends ReadOptions {
  readonly allowNames: ReadonlySet<string>;
  /** How to encrypt the object if it does not exist yet; undefined: it must exist. */
  readonly create: Encrypt | undefined;
  readonly editor: readonly string[];
  /** A person at a terminal: re-open the editor on an invalid file instead of failing. */
  readonly interactive: boolean;
  /** Told about each invalid save before the editor re-opens. */
  readonly onInvalid: (err: S3KmsEnvError) => void;
}

export interface EditResult extends Written {
  /** False when the file was saved unchanged: nothing was uploaded. */
  readonly changed: boolean;
  readonly created: boolean;
  readonly variables: number;
  /** The version edited (undefined when the edit created the object). */
  readonly previousVersionId: string | undefined;
  /** The names added, changed and removed, for the audit event. */
  readonly names: NameChanges;
  /** The key the written object is sealed under; undefined for a plain one. */
  readonly sealedKmsKeyArn: string | undefined;
}

// Lines edit puts on top of a file that did not pass, for the person to read
// in the editor; removed again before the file is checked or uploaded.
const NOTE = "# s3-kms-env: ";

function withNote(text: string, err: S3KmsEnvError): string {
  return `${NOTE}${err.message} (code=${err.code})\n${NOTE}fix it and save, or quit without saving to cancel\n${text}`;
}

function withoutNote(text: string): string {
  let rest = text;
  while (rest.startsWith(NOTE)) rest = rest.slice(rest.indexOf("\n") + 1 || rest.length);
  return rest;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * While the workspace exists: a signal removes it at once and stops the
 * editor. SIGINT while the editor runs is left to the editor (Ctrl-C in a
 * terminal editor reaches both processes and does not mean "quit").
 */
class Guard {
  editor: ChildProcess | undefined;
  interrupted: NodeJS.Signals | undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (signal === "SIGINT" && this.editor) return;
    this.interrupted ??= signal;
    this.workspace.remove();
    this.editor?.kill(signal);
  };
  private readonly onExit = (): void => this.workspace.remove();

  constructor(private readonly workspace: Workspace) {
    for (const s of SIGNALS) process.on(s, this.onSignal);
    process.on("exit", this.onExit);
  }

  /** Throws once a signal has arrived: nothing more may happen. */
  check(): void {
    if (this.interrupted === undefined) return;
    throw new InterruptedError(
      this.interrupted,
      `interrupted by ${this.interrupted}; nothing was uploaded and the decrypted copy was removed`,
    );
  }

  close(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
    process.off("exit", this.onExit);
    this.workspace.remove();
  }
}

async function currentText(
  s3: OpsS3,
  loc: S3Location,
  options: ReadOptions,
): Promise<{ facts: Awaited<ReturnType<typeof readPlaintext>> | undefined; text: string }> {
  const facts = await ifExists(readPlaintext(s3, loc, options));
  if (facts === undefined) return { facts, text: "" };
  try {
    return { facts, text: new TextDecoder("utf-8", { fatal: true }).decode(facts.body) };
  } catch {
    throw new S3KmsEnvError(
      "NOT_UTF8",
      `${loc.uri} is not valid UTF-8 and cannot be edited as text`,
    );
  } finally {
    facts.body.fill(0);
  }
}

function readSaved(workspace: Workspace): Buffer {
  try {
    return readFileSync(workspace.file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? "read error";
    throw new S3KmsEnvError(
      "CANNOT_READ_FILE",
      `cannot read the edited file back (${code}); nothing was uploaded`,
    );
  }
}

/** Edits until the saved file passes (or fails for good); returns it without edit's note. */
async function editUntilValid(
  workspace: Workspace,
  guard: Guard,
  loc: S3Location,
  original: string,
  options: EditOptions,
): Promise<{ text: string; vars: ReadonlyMap<string, string> }> {
  let shown = original;
  workspace.write(shown);
  for (;;) {
    await runEditor(options.editor, workspace.file, (child) => (guard.editor = child)).finally(() =>
      guard.check(),
    );
    const saved = readSaved(workspace);
    try {
      // Checked with the note, so line numbers match what the editor showed.
      const { vars } = parseForExec(saved, loc.uri, options.maxBytes, options.allowNames);
      return { text: withoutNote(saved.toString("utf8")), vars };
    } catch (err) {
      if (!(err instanceof S3KmsEnvError) || !options.interactive) throw err;
      const text = saved.toString("utf8");
      if (text === shown) {
        throw new S3KmsEnvError(
          "EDIT_CANCELLED",
          `edit cancelled: the file still does not pass (${err.code}); nothing was uploaded`,
        );
      }
      options.onInvalid(err);
      shown = withNote(withoutNote(text), err);
      workspace.write(shown);
    } finally {
      saved.fill(0);
    }
  }
}

/**
 * The key's last segment. "." and ".." are refused: HTTP clients and S3
 * tools resolve them as path steps, so the object read, the one written
 * and the one meant could differ.
 */
function lastSegment(loc: S3Location): string {
  const last = loc.key.split("/").pop() ?? "";
  if (last === "." || last === "..") {
    throw new S3KmsEnvError(
      "BAD_URI",
      `invalid source ${JSON.stringify(loc.uri)}: the key ends in "/${last}", which clients resolve as a path; edit the object under its plain key`,
    );
  }
  return last;
}

/**
 * The variables before the edit, to name what it changed. A file that does
 * not parse (edit is how one gets fixed) counts as empty: every name saved
 * is then "added".
 */
function originalVars(
  text: string,
  loc: S3Location,
  maxBytes: number,
): ReadonlyMap<string, string> {
  const bytes = Buffer.from(text);
  try {
    return parseEnvFile(bytes, loc.uri, maxBytes).vars;
  } catch {
    return new Map();
  } finally {
    bytes.fill(0);
  }
}

export async function editEnv(
  s3: OpsS3,
  loc: S3Location,
  options: EditOptions,
): Promise<EditResult> {
  const name = lastSegment(loc);
  const { facts, text: original } = await currentText(s3, loc, options);
  const encrypt = keptEncryption(loc, facts, options.create);
  const workspace = createWorkspace(name);
  const guard = new Guard(workspace);
  try {
    const { text: edited, vars } = await editUntilValid(workspace, guard, loc, original, options);
    workspace.remove();
    const outcome = {
      variables: vars.size,
      previousVersionId: facts?.versionId,
      names: diffVars(originalVars(original, loc, options.maxBytes), vars),
      sealedKmsKeyArn: encrypt.sealed?.keyId,
    };
    if (facts !== undefined && edited === original) {
      const { versionId, etag, kmsKeyArn } = facts;
      return { versionId, etag, kmsKeyArn, changed: false, created: false, ...outcome };
    }
    guard.check();
    const body = Buffer.from(edited);
    try {
      const upload = await bodyToWrite(options.sealed, loc, body, encrypt);
      const written = await s3.putObject(loc, upload, encrypt, unchangedSince(facts));
      return { ...written, changed: true, created: facts === undefined, ...outcome };
    } catch (err) {
      if (!hasCode(err, "CONFLICT")) throw err;
      throw new S3KmsEnvError(
        "CONFLICT",
        `${loc.uri} was changed by someone else while you were editing; your edit was not uploaded. Run edit again`,
      );
    } finally {
      body.fill(0);
    }
  } finally {
    guard.close();
  }
}

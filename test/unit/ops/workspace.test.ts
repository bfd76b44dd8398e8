import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3KmsEnvError } from "../../../src/errors";
import { createWorkspace, workspaceFileName } from "../../../src/ops/workspace";

let root: string;
beforeAll(() => (root = mkdtempSync(path.join(tmpdir(), "s3-kms-env-ws-"))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("workspaceFileName never makes a path of its own", () => {
  test.each([
    ["app.env", "app.env"],
    ["..", "env"],
    [".", "env"],
    ["", "env"],
    [".env", "env"],
    ["..prod.env", "prod.env"],
    ["a b$c", "a_b_c"],
    ["x".repeat(300), "x".repeat(100)],
  ])("%j → %j", (name, file) => {
    expect(workspaceFileName(name)).toBe(file);
  });
});

function thrown(work: () => void): S3KmsEnvError {
  try {
    work();
  } catch (err) {
    if (err instanceof S3KmsEnvError) return err;
    throw err;
  }
  throw new Error("did not throw");
}

test("a full tmpfs (ENOSPC) is CANNOT_WRITE_FILE, and the partial copy is removed", () => {
  const full = (file: string): never => {
    writeFileSync(file, "DB_PASSWORD=partial"); // what a full device leaves behind
    throw Object.assign(new Error("no space"), { code: "ENOSPC" });
  };
  const workspace = createWorkspace("app.env", root, full);
  const err = thrown(() => workspace.write("DB_PASSWORD=CANARY-1d7e\n"));
  expect({ code: err.code, message: err.message }).toEqual({
    code: "CANNOT_WRITE_FILE",
    message: `no space left in ${root} for the decrypted copy (ENOSPC); free space there and try again; nothing was uploaded`,
  });
  expect(existsSync(workspace.dir)).toBe(false);
  expect(readdirSync(root)).toEqual([]);
});

test("a root it cannot create the directory in is CANNOT_WRITE_FILE, naming the errno", () => {
  const missing = path.join(root, "missing");
  const err = thrown(() => createWorkspace("app.env", missing));
  expect({ code: err.code, message: err.message }).toEqual({
    code: "CANNOT_WRITE_FILE",
    message: `cannot write the decrypted copy in ${missing} (ENOENT); nothing was uploaded`,
  });
});

// edit's logic (src/ops/edit.ts) against an in-memory S3, with a scripted
// "editor" (sh -c) standing in for a person.
import { editEnv, type EditOptions } from "../../../src/ops/edit";
import { FakeS3, KEY_A, location } from "../../support/fake-s3";
import { FakeSealedRoom } from "../../support/fake-sealed";

const loc = location("app.env");

/** An editor that replaces the file with `text`. */
function editorWriting(text: string): string[] {
  return ["sh", "-c", `printf '%s' "$0" > "$1"`, text];
}

function options(editor: string[], overrides: Partial<EditOptions> = {}): EditOptions {
  return {
    maxBytes: 1024,
    sealed: new FakeSealedRoom(),
    encryption: { allowUnencrypted: false, trustedKeys: undefined },
    allowNames: new Set(),
    create: undefined,
    editor,
    interactive: false,
    onInvalid: () => {},
    ...overrides,
  };
}

test("uploads the saved file under the object's key, conditional on what was read", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  const result = await editEnv(s3, loc, options(editorWriting("A=2\n# kept\n")));
  expect(s3.text("app.env")).toBe("A=2\n# kept\n");
  expect(s3.current("app.env")?.kmsKeyArn).toBe(KEY_A);
  expect(result).toMatchObject({ changed: true, created: false, variables: 1 });
});

test("uploads nothing when the file is saved unchanged", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  const result = await editEnv(s3, loc, options(["true"]));
  expect(result.changed).toBe(false);
  expect(s3.requests.some((r) => r.request === "putObject")).toBe(false);
});

test("without a terminal, an invalid save fails and uploads nothing", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  await expect(editEnv(s3, loc, options(editorWriting("A=p#ss\n")))).rejects.toMatchObject({
    code: "PARSE",
  });
  expect(s3.versions("app.env")).toHaveLength(1);
});

test("reports CONFLICT when someone else wrote while the editor was open", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  s3.before = (request) => {
    if (request === "putObject") s3.seed("app.env", "A=other\n");
  };
  await expect(editEnv(s3, loc, options(editorWriting("A=2\n")))).rejects.toMatchObject({
    code: "CONFLICT",
    message: expect.stringContaining("while you were editing") as string,
  });
  expect(s3.text("app.env")).toBe("A=other\n");
});

test("a failing editor is EDITOR_FAILED and uploads nothing", async () => {
  const s3 = new FakeS3();
  s3.seed("app.env", "A=1\n");
  await expect(editEnv(s3, loc, options(["false"]))).rejects.toMatchObject({
    code: "EDITOR_FAILED",
  });
  expect(s3.versions("app.env")).toHaveLength(1);
});

// What an app image needs for the single binary (README "Releases"): exactly
// the shared libraries `ldd` lists (glibc, libstdc++, libgcc_s, libatomic) and
// the dynamic loader. A root holding only those, the binary and the app runs
// exec; the same root without libstdc++ or libatomic fails in the loader
// with one clear line, before any of s3-kms-env runs. Each root is entered
// with `unshare --user --map-root-user --root`, so no privilege is needed.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ExecFixture, runExec, ScratchDir } from "../support/exec";
import { BINARY_PATH, runCli, type RunCliOptions } from "../support/run-cli";

/** The app: printenv needs only libc and the loader, which the binary needs too. */
const APP = "/usr/bin/printenv";

/** The files `ldd` says a program loads: "name => /path (addr)" or "/loader (addr)". */
function lddFiles(file: string): string[] {
  const out = execFileSync("ldd", [file], { encoding: "utf8" });
  return [...out.matchAll(/^\s*(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/gm)].map((m) => m[1] ?? "");
}

let fx: ExecFixture;
let scratch: ScratchDir;
let uri: string;
let libraries: string[];

beforeAll(async () => {
  scratch = new ScratchDir();
  fx = await ExecFixture.create("binary-libraries");
  uri = await fx.put("DB_USERNAME=app_user\nDB_PASSWORD=s3cr3t-pw\n");
  libraries = existsSync(BINARY_PATH) ? lddFiles(BINARY_PATH) : [];
});

afterAll(() => {
  fx?.destroy();
  scratch?.remove();
});

/** A root with the binary at /s3-kms-env, the app, and the libraries not left out. */
function minimalRoot(leaveOut: readonly string[] = []): string {
  const root = scratch.dir(`root-${leaveOut.join("-") || "full"}`);
  for (const lib of libraries) {
    if (leaveOut.some((name) => path.basename(lib).startsWith(name))) continue;
    mkdirSync(path.join(root, path.dirname(lib)), { recursive: true });
    copyFileSync(lib, path.join(root, lib)); // the file a symlink points to, under the listed name
  }
  // A hard link where the scratch folder is on the same file system: 116 MiB each.
  try {
    linkSync(BINARY_PATH, path.join(root, "s3-kms-env"));
  } catch {
    copyFileSync(BINARY_PATH, path.join(root, "s3-kms-env"));
  }
  mkdirSync(path.join(root, "usr/bin"), { recursive: true });
  copyFileSync(APP, path.join(root, APP));
  return root;
}

function inRoot(root: string): RunCliOptions {
  return {
    wrapper: ["unshare", "--user", "--map-root-user", `--root=${root}`],
    executable: ["/s3-kms-env"],
    env: { PATH: "/usr/bin" },
  };
}

const describeBinary = existsSync(BINARY_PATH) ? describe : describe.skip;

describeBinary("the single binary in a root holding only what ldd lists", () => {
  test("ldd lists glibc, libstdc++, libgcc_s, libatomic and the loader, and the app needs no more", () => {
    const names = libraries.map((lib) => path.basename(lib)).sort();
    expect(names).toEqual(
      [
        "ld-linux-x86-64.so.2",
        "libatomic.so.1",
        "libc.so.6",
        "libdl.so.2",
        "libgcc_s.so.1",
        "libm.so.6",
        "libpthread.so.0",
        "libstdc++.so.6",
      ].sort(),
    );
    expect(libraries).toEqual(expect.arrayContaining(lddFiles(APP)));
  });

  test("runs exec: the file's variables reach the app", async () => {
    const result = await runExec({
      ...inRoot(minimalRoot()),
      sources: [uri],
      command: ["printenv", "DB_PASSWORD"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
    expect(result.stderr).toMatch(/^s3-kms-env: loaded 2 variables /);
  });

  test.each([
    ["libstdc++", "libstdc++.so.6"],
    ["libatomic", "libatomic.so.1"],
  ])("without %s the loader refuses to start it, in one line, exit 127", async (name, soname) => {
    const result = await runCli(["--version"], inRoot(minimalRoot([name])));
    expect(result).toMatchObject({
      exitCode: 127,
      stdout: "",
      stderr: `/s3-kms-env: error while loading shared libraries: ${soname}: cannot open shared object file: No such file or directory\n`,
    });
  });
});

// The npm package as a user gets it: `npm pack` of this tree (dist/ as `npm
// test` built it; --ignore-scripts so the prepack build does not rewrite
// dist/ under the other tests), installed with `npm install -g --prefix` into
// a temporary folder, offline: the package has no dependencies to fetch.
// Then `exec` from the installed command against moto.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExecFixture, runExec, ScratchDir } from "../support/exec";
import { nodeBinary, type RunCliOptions } from "../support/run-cli";

const ROOT = path.resolve(__dirname, "../..");
const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  files: string[];
};
/** What "a few MB" means here: the bundle is about 4 MB unpacked. */
const MAX_INSTALLED_BYTES = 6 * 2 ** 20;
/** Node 20 has no process.execve: where the machine has one, the spawn fallback shows. */
const OLD_NODE = "/usr/bin/node";

/** npm without the npm_* settings that `npm test` hands its children (a prefix among them). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
  );
}

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, env: npmEnv(), encoding: "utf8" });
}

function treeBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

let work: string;
let prefix: string;
let installed: string;
let command: string;
let installMs: number;
let fx: ExecFixture;
let uri: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "s3-kms-env-npm-"));
  prefix = path.join(work, "prefix");
  npm(["pack", "--ignore-scripts", "--silent", "--pack-destination", work], ROOT);
  const tarball = path.join(work, `${manifest.name}-${manifest.version}.tgz`);
  const started = performance.now();
  npm(["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], work);
  installMs = performance.now() - started;
  installed = path.join(prefix, "lib/node_modules", manifest.name);
  command = path.join(prefix, "bin", manifest.name);
  fx = await ExecFixture.create("npm-package");
  uri = await fx.put("DB_USERNAME=app_user\nDB_PASSWORD=s3cr3t-pw\n");
}, 120_000);

afterAll(() => {
  fx?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The installed command, found through PATH as a user's shell would, on the given Node. */
function installedCli(node: string): RunCliOptions {
  return {
    executable: [command],
    env: { PATH: `${path.dirname(node)}:/usr/bin:/bin` },
  };
}

test("installs the bundle and nothing else, in a few MB", () => {
  const files = readdirSync(installed, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(installed, path.join(e.parentPath, e.name)))
    .sort();
  expect(files).not.toContainEqual(expect.stringMatching(/^node_modules\//));
  expect(files).toEqual(
    expect.arrayContaining([
      "dist/s3-kms-env.cjs",
      "dist/s3-kms-env-core.js",
      "dist/s3-kms-env-core.v8cache",
      "dist/vendor/client-s3.cjs",
      "dist/vendor/sealed.cjs",
      "dist/vendor/sealed.v8cache",
      "LICENSE",
      "README.md",
      "CHANGELOG.md",
      "package.json",
    ]),
  );
  const bytes = treeBytes(prefix);
  console.log(
    `npm package installed: ${(bytes / 2 ** 20).toFixed(2)} MiB in ${files.length} files, ${Math.round(installMs)} ms`,
  );
  expect(bytes).toBeLessThan(MAX_INSTALLED_BYTES);
});

test("the installed package.json has no dependencies of any kind", () => {
  const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
    expect(pkg[field]).toBeUndefined();
  }
  expect(pkg).toMatchObject({
    engines: { node: ">=22" },
    bin: { [manifest.name]: "dist/s3-kms-env.cjs" },
  });
});

test("exec from the installed command injects the file and becomes the app", async () => {
  const result = await runExec({
    ...installedCli(nodeBinary()),
    flags: ["--debug"],
    sources: [uri],
    command: ["printenv", "DB_PASSWORD"],
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  // The pinned Node the build trained the cache with accepts it.
  expect(result.stderr).toMatch(/^s3-kms-env: debug: start-up \(code_cache=accepted\)$/m);
  expect(result.stderr).not.toMatch(/warn/);
});

test("a sealed start from the installed command compiles the sealed chunk with its cache", async () => {
  const scratch = new ScratchDir();
  const file = scratch.file("sealed.env", "DB_PASSWORD=s3cr3t-pw\n", 0o600);
  const sealed = await fx.putSealed(file).finally(() => scratch.remove());
  const result = await runExec({
    ...installedCli(nodeBinary()),
    flags: ["--debug", "--kms-key-id", fx.kmsKey.arn],
    sources: [sealed],
    command: ["printenv", "DB_PASSWORD"],
  });
  expect(result).toMatchObject({ exitCode: 0, stdout: "s3cr3t-pw\n" });
  expect(result.stderr).toMatch(/^s3-kms-env: debug: sealed chunk \(code_cache=accepted\)$/m);
});

const oldNode =
  existsSync(OLD_NODE) &&
  Number(
    spawnSync(OLD_NODE, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).stdout,
  ) < 22;

(oldNode ? test : test.skip)(
  `on an older Node (${OLD_NODE}) without process.execve, the spawn fallback is announced once`,
  async () => {
    const result = await runExec({
      ...installedCli(OLD_NODE),
      sources: [uri],
      command: ["printenv", "DB_USERNAME"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "app_user\n" });
    const warnings = result.stderr.split("\n").filter((line) => line.includes(": warn: "));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^s3-kms-env: warn: Node \d+\.\d+\.\d+ has no process\.execve; the app runs as a child with signals forwarded/,
      ),
    ]);
  },
);

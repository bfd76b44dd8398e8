// What a plain exec start has loaded when it calls execve: Node's built-in
// modules (its bootstrap's included) and the dist/vendor/ files, over http
// and over https, compared with the checked-in lists. A dependency update
// that puts node:crypto, child_process, TLS for an http endpoint, or a
// vendor bundle (the S3 client and its endpoint rule engine, the credential
// chain) back on the hot path fails here, not only in the benchmark. A
// sealed start has its own list: the Encryption SDK's chunk, and not the
// SDK's KMS client (exec's Decrypt is its own, src/aws/kms-decrypt.ts).
//
// After a deliberate change (or a Node update), rewrite the lists:
//   UPDATE_BUILTINS=1 npx jest test/integration/builtins.test.ts
// and read the diff.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ExecFixture, ScratchDir, runExec } from "../support/exec";
import { motoUrl } from "../support/moto";
import { startTlsProxy, type TlsProxy } from "../support/tls-proxy";

const PRELOAD = path.resolve(__dirname, "../support/builtins-at-execve.cjs");
const FIXTURES = path.resolve(__dirname, "../fixtures");
const UPDATE = process.env.UPDATE_BUILTINS === "1";

let fx: ExecFixture;
let tls: TlsProxy;
let scratch: ScratchDir;

beforeAll(async () => {
  fx = await ExecFixture.create("builtins");
  tls = await startTlsProxy(motoUrl());
  scratch = new ScratchDir();
});

afterAll(async () => {
  fx.destroy();
  await tls.close();
  scratch.remove();
});

/** The lines the preload wrote for one start (static keys, key ARN, one source). */
async function loadedAtExecve(scheme: "http" | "https", sealed = false): Promise<string[]> {
  const uri = sealed ? await putSealed() : await fx.put("DB_USERNAME=app\n");
  const log = scratch.file(`loaded-${scheme}${sealed ? "-sealed" : ""}.txt`, "", 0o600);
  const result = await runExec({
    flags: ["--quiet"],
    sources: [uri],
    ...(scheme === "https" ? { endpoint: tls.url } : {}),
    env: {
      NODE_OPTIONS: `--require ${PRELOAD}`,
      BUILTINS_AT_EXECVE: log,
      ...(scheme === "https" ? { NODE_EXTRA_CA_CERTS: tls.caFile } : {}),
    },
  });
  expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

/** A sealed object under the fixture's key. */
async function putSealed(): Promise<string> {
  return fx.putSealed(scratch.file("sealed-input.env", "DB_USERNAME=app\n", 0o600));
}

test.each([
  ["plain http", "http", false, "builtins-http.txt"],
  ["plain https", "https", false, "builtins-https.txt"],
  ["sealed http", "http", true, "builtins-sealed-http.txt"],
] as const)(
  "a %s start loads exactly the built-ins and vendor files of its list in test/fixtures",
  async (_name, scheme, sealed, file) => {
    const fixture = path.join(FIXTURES, file);
    const loaded = await loadedAtExecve(scheme, sealed);
    if (UPDATE) writeFileSync(fixture, loaded.join("\n") + "\n");
    const expected = readFileSync(fixture, "utf8").split("\n").filter(Boolean);
    // Added and dropped lines, so a failure names the module.
    expect({
      added: loaded.filter((line) => !expected.includes(line)),
      dropped: expected.filter((line) => !loaded.includes(line)),
    }).toEqual({ added: [], dropped: [] });
  },
  30_000,
);

test("the lists keep the hot path's promises: no crypto or child_process; TLS only for https", () => {
  const list = (scheme: string): string[] =>
    readFileSync(path.join(FIXTURES, `builtins-${scheme}.txt`), "utf8").split("\n");
  for (const scheme of ["http", "https"]) {
    expect(list(scheme)).not.toContain("builtin child_process");
    expect(list(scheme).filter((line) => line.startsWith("vendor "))).toEqual([]);
  }
  expect(list("http")).not.toContain("builtin crypto");
  expect(list("http")).not.toContain("builtin tls");
  expect(list("https")).toContain("builtin tls");
});

test("a sealed http start loads the Encryption SDK's chunk, not the SDK's KMS client nor TLS", () => {
  const list = readFileSync(path.join(FIXTURES, "builtins-sealed-http.txt"), "utf8").split("\n");
  expect(list.filter((line) => line.startsWith("vendor "))).toEqual(["vendor sealed.cjs"]);
  expect(list).not.toContain("builtin tls");
});

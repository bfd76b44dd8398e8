// What a plain exec start has loaded when it calls execve: Node's built-in
// modules (its bootstrap's included) and the dist/vendor/ files, over http
// and over https, compared with the checked-in lists. A dependency update
// that puts node:crypto, child_process, TLS for an http endpoint, or a
// vendor bundle (the S3 client and its endpoint rule engine, the credential
// chain) back on the hot path fails here, not only in the benchmark.
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

/** The lines the preload wrote for one plain start (static keys, key ARN, one source). */
async function loadedAtExecve(scheme: "http" | "https"): Promise<string[]> {
  const uri = await fx.put("DB_USERNAME=app\n");
  const log = scratch.file(`loaded-${scheme}.txt`, "", 0o600);
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

test.each(["http", "https"] as const)(
  "a plain %s start loads exactly the built-ins and vendor files of its list in test/fixtures",
  async (scheme) => {
    const fixture = path.join(FIXTURES, `builtins-${scheme}.txt`);
    const loaded = await loadedAtExecve(scheme);
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

// Typed access to scripts/moto.mjs, the one implementation of starting and
// stopping moto (shared with `npm run moto`).
import { runInThisContext } from "node:vm";

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Leader of the server's process group. */
  readonly pid: number;
  /** SIGTERM to the process group, SIGKILL after 5 s; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Fixed port; by default a free one is picked (with retries). */
  readonly port?: number;
  /** Extra environment for moto, e.g. { INITIAL_NO_AUTH_ACTION_COUNT: "5" } for IAM enforcement. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default true: the server exits when this process does, even on SIGKILL. */
  readonly tiedToParent?: boolean;
}

interface MotoModule {
  startMoto(options?: StartMotoOptions): Promise<MotoServer>;
}

/** Environment variable through which global-setup hands the shared server to the test workers. */
export const MOTO_URL_ENV = "S3KMSENV_TEST_MOTO_URL";

// Jest's module runtime cannot load ESM without --experimental-vm-modules, and
// its `module` builtin is a stand-in whose require() is Jest's own. The host
// realm's require() is Node's, which loads ESM synchronously (require(esm),
// Node >= 22.12). The .mjs imports only node: builtins, so nothing of the
// test's module registry (mocks, resets) is bypassed.
function loadMotoModule(): MotoModule {
  const hostProcess = runInThisContext("process") as NodeJS.Process;
  const { createRequire } = hostProcess.getBuiltinModule("node:module");
  return createRequire(__filename)("../../scripts/moto.mjs") as MotoModule;
}

const motoModule = loadMotoModule();

/** Starts a moto server on 127.0.0.1 and resolves once it answers. */
export function startMoto(options?: StartMotoOptions): Promise<MotoServer> {
  return motoModule.startMoto(options);
}

/** URL of the shared moto server started by global-setup. */
export function motoUrl(): string {
  const url = process.env[MOTO_URL_ENV];
  if (!url) {
    throw new Error(
      `${MOTO_URL_ENV} is not set: run integration tests through jest's "integration" project (its globalSetup starts moto)`,
    );
  }
  return url;
}

// Jest globalSetup: one moto server shared by every integration test file.
// Workers inherit this process's environment, so the URL travels in an env var.
import { MOTO_URL_ENV, startMoto, type MotoServer } from "./moto";

// globalSetup and globalTeardown run in the same process but as separate
// modules; a global is how Jest's docs hand state from one to the other.
declare global {
  var __s3KmsEnvMoto: MotoServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const server = await startMoto();
  globalThis.__s3KmsEnvMoto = server;
  process.env[MOTO_URL_ENV] = server.url;
}

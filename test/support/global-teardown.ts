// Jest globalTeardown: stops the server global-setup started (handed over in
// the global declared there).
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__s3KmsEnvMoto;
  globalThis.__s3KmsEnvMoto = undefined;
  await server?.stop();
}

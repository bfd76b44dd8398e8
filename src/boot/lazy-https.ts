// node:https, loaded on first real use. The build substitutes this module for
// @smithy/node-http-handler's `import node_https from "node:https"`, which
// otherwise loads TLS (~5 ms) at every start even when the endpoint is plain
// http (moto, MinIO, a local S3). The handler uses only `Agent` (instanceof
// and new) and `request`; both reach the real module once it is needed.
import type * as Https from "node:https";

let real: typeof Https | undefined;
const load = (): typeof Https => (real ??= process.getBuiltinModule("node:https"));

class LazyAgent {
  static [Symbol.hasInstance](value: unknown): boolean {
    return real !== undefined && value instanceof real.Agent;
  }

  constructor(options?: Https.AgentOptions) {
    return new (load().Agent)(options);
  }
}

export default {
  get Agent(): typeof Https.Agent {
    return real?.Agent ?? (LazyAgent as unknown as typeof Https.Agent);
  },
  request: ((...args: Parameters<typeof Https.request>) =>
    load().request(...args)) as typeof Https.request,
};

// node:crypto, loaded on first real use. The build substitutes this module
// for @smithy/core/serde's `import { getRandomValues } from "node:crypto"`,
// which loads node:crypto (~2 ms) at every start only to bind a UUID
// generator that a GetObject never calls; request signing uses the pure-JS
// SHA-256.
import type * as Crypto from "node:crypto";

export const getRandomValues: typeof Crypto.getRandomValues = (array) =>
  process.getBuiltinModule("node:crypto").getRandomValues(array);

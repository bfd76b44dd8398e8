// The options of every command that seals or opens a sealed env file: the
// extra encryption context, and how far trust reaches (the named keys, or
// discovery limited to accounts). Only parsing lives here, light enough for
// exec's start; the sealed room (src/sealed/) does the work, loaded with
// import() when a sealed file is met.
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../errors";
import { readerKeySpecs, type Settings } from "../aws/settings";
import { contextPairs, expectedContext, type Context } from "../sealed/context";
import type { Trust } from "../sealed/keyring";

export const contextOptions = {
  context: { type: "string", multiple: true },
} as const satisfies ParseArgsOptionsConfig;

/** seal's, unseal's and diff's --s3-object (see commands/seal.ts's boundObject). */
export const s3ObjectOptions = {
  "s3-object": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const openOptions = {
  ...contextOptions,
  "discovery-account": { type: "string", multiple: true },
} as const satisfies ParseArgsOptionsConfig;

export const CONTEXT_HELP = `  --context NAME=VALUE     an encryption-context pair the file is bound to, repeatable (the
                           context always holds purpose=s3-kms-env, and s3-object=s3://b/k
                           for an S3 object); a file opens only where every pair matches`;

export const OPEN_HELP = `${CONTEXT_HELP}
  --discovery-account ID   open a sealed file under any KMS key of this AWS account (in this
                           region's partition) instead of only the --kms-key-id keys;
                           repeatable. Trusts whoever can use that account's keys`;

/** exec's and render's sealed-source options, in their help. */
export const SEALED_SOURCE_HELP = `  file:///path             a source may be a sealed env file on local disk (sealed only)
  --require-sealed         refuse any source that is not sealed (NOT_SEALED)
${OPEN_HELP}`;

interface OpenValues {
  readonly context?: string[] | undefined;
  readonly "discovery-account"?: string[] | undefined;
}

/** --context's pairs, added to what the place requires (the S3 object, when there is one). */
export function contextFor(values: OpenValues, objectUri?: string): Context {
  return expectedContext(objectUri, contextPairs(values.context ?? []));
}

/** --discovery-account's accounts, checked; undefined when not given. */
export function discoveryFrom(values: OpenValues): Trust | undefined {
  const accounts = values["discovery-account"] ?? [];
  if (accounts.length === 0) return undefined;
  if (accounts.some((a) => !/^\d{12}$/.test(a))) {
    throw usageError("--discovery-account takes a 12-digit AWS account id");
  }
  return { kind: "discovery", accountIds: accounts };
}

/**
 * Who may have sealed what unseal opens: the reader's keys (--kms-key-id,
 * else S3_KMS_ENV_KMS_KEY_ID), or the accounts of --discovery-account.
 * Never both, never neither.
 */
export function trustFrom(values: OpenValues, settings: Settings): Trust {
  const specs = readerKeySpecs(settings.keys);
  const discovery = discoveryFrom(values);
  if (discovery !== undefined) {
    if (settings.keys.flag.length > 0) {
      throw usageError("give either --kms-key-id or --discovery-account, not both");
    }
    return discovery;
  }
  if (specs.length === 0) {
    throw usageError(
      "name the KMS keys trusted to have sealed it with --kms-key-id (or S3_KMS_ENV_KMS_KEY_ID), or give --discovery-account",
    );
  }
  return { kind: "keys", specs };
}

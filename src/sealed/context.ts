// The encryption context that binds a sealed message to its place. AWS KMS
// and the Encryption SDK authenticate it with the ciphertext, and it is
// stored in the clear in the message header: names of places, never secrets.
// On read, every expected pair must be in the message; extra pairs (the
// SDK's own aws-crypto-public-key, anything a user added) are allowed.
import { S3KmsEnvError, usageError } from "../errors";
import { serverText } from "../log";

export type Context = Readonly<Record<string, string>>;

/** Always set: a message sealed by s3-kms-env for s3-kms-env. */
export const PURPOSE_KEY = "purpose";
export const PURPOSE = "s3-kms-env";
/** For an S3 object: its s3://bucket/key (no version: a rollback keeps the place). */
export const OBJECT_KEY = "s3-object";

const RESERVED = new Set([PURPOSE_KEY, OBJECT_KEY]);

/** --context k=v, repeatable: names and values as given, the reserved names refused. */
export function contextPairs(pairs: readonly string[]): Context {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const name = at > 0 ? pair.slice(0, at) : "";
    if (name === "")
      throw usageError(`--context takes NAME=VALUE (got ${JSON.stringify(serverText(pair))})`);
    if (RESERVED.has(name) || name.toLowerCase().startsWith("aws")) {
      throw usageError(
        `--context ${serverText(name)}: that name is set by s3-kms-env or the Encryption SDK`,
      );
    }
    if (name in context) throw usageError(`--context ${serverText(name)} is given twice`);
    context[name] = pair.slice(at + 1);
  }
  return context;
}

/** The s3-object value of an object: its bucket and key, never its version. */
export function objectPlace(loc: { readonly bucket: string; readonly key: string }): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

/** The pairs of a message's context that a user added: not ours, not the SDK's (aws-…). */
export function userContext(context: Context): Context {
  return Object.fromEntries(
    Object.entries(context).filter(
      ([name]) => !RESERVED.has(name) && !name.toLowerCase().startsWith("aws"),
    ),
  );
}

/** What a message for this place must carry: the purpose, the S3 object if any, the user's pairs. */
export function expectedContext(objectUri: string | undefined, extra: Context = {}): Context {
  return {
    ...extra,
    [PURPOSE_KEY]: PURPOSE,
    ...(objectUri === undefined ? {} : { [OBJECT_KEY]: objectUri }),
  };
}

function shown(value: string | undefined): string {
  return value === undefined ? "none" : JSON.stringify(serverText(value));
}

/**
 * Refuses a message whose context lacks a pair of `expected` (copied or
 * swapped), and a message bound to an S3 object where no object is expected:
 * an object's sealed bytes saved as a file must not stand in for a repo file.
 */
export function checkContext(where: string, actual: Context, expected: Context): void {
  const boundTo = Object.hasOwn(actual, OBJECT_KEY) ? actual[OBJECT_KEY] : undefined;
  if (boundTo !== undefined && !Object.hasOwn(expected, OBJECT_KEY)) {
    throw new S3KmsEnvError(
      "SEALED_CONTEXT_MISMATCH",
      `${where} was sealed for ${OBJECT_KEY}=${shown(boundTo)}, not for a local file: it belongs to that object (copied out of S3); ` +
        `open it as that object, or give --s3-object where the command takes it`,
    );
  }
  for (const [name, value] of Object.entries(expected)) {
    const found = Object.hasOwn(actual, name) ? actual[name] : undefined;
    if (found === value) continue;
    throw new S3KmsEnvError(
      "SEALED_CONTEXT_MISMATCH",
      `${where} was sealed for ${name}=${shown(found)}, not ${JSON.stringify(value)}: it belongs elsewhere (copied or swapped); ` +
        `seal it again for this place, or pass the --context it was sealed with`,
    );
  }
}

// The KMS client the Encryption SDK's keyring calls, shaped as the
// aggregated `KMS` client (the keyring calls client.decrypt / encrypt /
// generateDataKey): Decrypt, all an unseal needs, is the lean one of
// aws/kms-decrypt.ts, which the caller passes in (it lives in the core, not
// in this chunk); sealing's calls go to the SDK's client, loaded only then.
// Each call has the run's deadline. It counts the calls and keeps the last
// failure, because the keyring folds KMS errors into one message of its
// own: the failure is classified here instead.
import type {
  DecryptCommandInput,
  EncryptCommandInput,
  GenerateDataKeyCommandInput,
  KMS,
} from "@aws-sdk/client-kms";
import type { LeanKms } from "../aws/kms-decrypt";
import { kmsClientConfig, type KmsAccess } from "../aws/kms-key";
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";

/** The KMS calls of one seal or unseal, and the last one's failure. */
export interface KmsCalls {
  /** What the keyring's clientProvider returns. */
  readonly client: Pick<KMS, "decrypt" | "encrypt" | "generateDataKey">;
  /** The last request's failure, if one failed. */
  failure(): unknown;
}

export interface SealedKms {
  readonly access: KmsAccess;
  /** A fresh tracker, so concurrent unseals never see each other's failures. */
  calls(): KmsCalls;
  /** Requests sent so far, by every tracker. */
  count(): number;
  /** Key ids resolved to ARNs so far (keyring.ts), so a run asks KMS once per id. */
  readonly arns: Map<string, Promise<string>>;
  destroy(): void;
}

export function sealedKms(access: KmsAccess, lean: LeanKms): SealedKms {
  let sdk: Promise<KMS> | undefined;
  const sdkClient = (): Promise<KMS> =>
    (sdk ??= (async () => {
      const config = await kmsClientConfig(access);
      const { KMS: Client } = await import("@aws-sdk/client-kms");
      return new Client(config);
    })());
  const options = { abortSignal: access.deadline.signal };
  let count = 0;
  const calls = (): KmsCalls => {
    let failure: unknown;
    const counted = <T>(request: Promise<T>): Promise<T> => {
      count += 1;
      return request.catch((err: unknown) => {
        failure = err;
        throw err;
      });
    };
    return {
      client: {
        decrypt: ((input: DecryptCommandInput) => counted(lean.decrypt(input))) as KMS["decrypt"],
        encrypt: ((input: EncryptCommandInput) =>
          counted(sdkClient().then((kms) => kms.encrypt(input, options)))) as KMS["encrypt"],
        generateDataKey: ((input: GenerateDataKeyCommandInput) =>
          counted(
            sdkClient().then((kms) => kms.generateDataKey(input, options)),
          )) as KMS["generateDataKey"],
      },
      failure: () => failure,
    };
  };
  const destroy = (): void => {
    lean.destroy();
    void sdk?.then(
      (kms) => kms.destroy(),
      () => undefined,
    );
  };
  return { access, calls, count: () => count, arns: new Map(), destroy };
}

/** A KMS refusal or failure while (un)sealing `where`, as one of our errors. */
export function kmsFailure(
  err: unknown,
  where: string,
  action: string,
  keyArn: string,
): S3KmsEnvError {
  if (err instanceof S3KmsEnvError) return err;
  const name = (err as { name?: string }).name ?? "KMS error";
  switch (name) {
    case "AccessDeniedException":
      return new S3KmsEnvError(
        "KMS_ACCESS_DENIED",
        `${where}: KMS denied ${action} on ${keyArn}; grant ${action} on the key to this role (IAM policy and key policy)`,
      );
    case "DisabledException":
    case "KMSInvalidStateException":
      return new S3KmsEnvError(
        "KMS_KEY_DISABLED",
        `${where}: KMS key ${keyArn} is disabled or pending deletion (${name}); enable the key (or cancel its deletion)`,
      );
    case "NotFoundException":
      return new S3KmsEnvError(
        "KMS_ERROR",
        `${where}: KMS key ${keyArn} does not exist (check the region)`,
      );
    case "ThrottlingException":
    case "LimitExceededException":
      return new S3KmsEnvError(
        "THROTTLED",
        `${where}: KMS throttled ${action} (${name}); retry later`,
      );
    case "AbortError":
    case "TimeoutError":
      return new S3KmsEnvError(
        "TIMEOUT",
        `${where}: KMS did not answer ${action} in time; raise --timeout`,
      );
  }
  return new S3KmsEnvError(
    "KMS_ERROR",
    `${where}: KMS failed ${action} on ${keyArn} (${serverText(name)})`,
  );
}

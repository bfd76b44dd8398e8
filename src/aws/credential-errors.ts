// Why no credentials could be had, in one line: the SDK's default chain ends
// in "Could not load credentials from any providers" whatever went wrong, so
// after it fails (never on the way to a start that works) this looks at the
// same environment and profile the chain read and names the provider that
// applied and its reason, as the AWS CLI does. Nothing here prints a key, a
// token or a credential_process's stdout; its stderr's first line is quoted
// bounded, with anything shaped like a key or token cut out.
import { existsSync } from "node:fs";
import { S3KmsEnvError } from "../errors";
import { serverText } from "../log";
import { profileMissing, profileOf, readSharedFiles, type SharedFiles } from "./resolve";

type Env = Readonly<Record<string, string | undefined>>;
function failure(message: string): S3KmsEnvError {
  return new S3KmsEnvError("NO_CREDENTIALS", message);
}

/**
 * Provider text made safe to quote: one line, printable, bounded, and any
 * run of 20+ key-like characters (an access key id, a secret, a token, a JWT)
 * replaced by "[redacted]".
 */
export function quotable(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return serverText(line.trim().replace(/[A-Za-z0-9/+=_.-]{20,}/g, "[redacted]"));
}

/** Runs the profile's credential_process again (as the SDK does, through a shell) for its exit status and stderr. */
function processFailure(command: string, profile: string): Promise<S3KmsEnvError> {
  return new Promise((resolve) => {
    // Loaded here: only a failed start ever gets this far.
    const { exec } = process.getBuiltinModule("node:child_process");
    exec(command, { timeout: 5000, maxBuffer: 64 * 1024 }, (err, _stdout, stderr) => {
      const e = err as
        (Error & { code?: number | string; signal?: string; killed?: boolean }) | null;
      const status = !e
        ? "exited 0 but gave no usable credentials (its output is not the credential_process JSON, or they expired)"
        : e.killed
          ? "did not finish within 5 s"
          : typeof e.code === "number"
            ? `exited with status ${e.code}`
            : e.signal
              ? `was killed by ${e.signal}`
              : `could not run (${serverText(String(e.code ?? "error"))})`;
      const said = quotable(stderr);
      resolve(
        failure(
          `credential_process of profile ${profile} ${status}${said ? `: "${said}"` : ""}; ` +
            `fix or re-run its login, or use another AWS_PROFILE`,
        ),
      );
    });
  });
}

/** Whether the chain ends at IMDS: nothing else (env, profile, web identity, container) applies. */
function onlyImdsLeft(env: Env): boolean {
  return (
    env.AWS_EC2_METADATA_DISABLED !== "true" &&
    !env.AWS_PROFILE &&
    !env.AWS_WEB_IDENTITY_TOKEN_FILE &&
    !env.AWS_CONTAINER_CREDENTIALS_FULL_URI &&
    !env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
  );
}

const IMDS_SILENT =
  "the EC2 instance metadata service (IMDS) did not answer: from a container on EC2 the " +
  "instance needs a metadata hop limit of 2 (http-put-response-hop-limit)";

/** The one-line cause of a failed credential chain, for exec and the ops commands alike. */
export async function credentialFailure(err: unknown, env: Env): Promise<S3KmsEnvError> {
  const empty: SharedFiles = { config: {}, credentials: {} };
  const profiles = await readSharedFiles(env).catch(() => empty);
  const name = env.AWS_PROFILE || "default";
  const profile = profileOf(profiles, name);
  if (env.AWS_PROFILE && !profile) return profileMissing(name);
  if (profile) {
    if (profile.credential_process) return processFailure(profile.credential_process, name);
    if (profile.sso_session || profile.sso_start_url) {
      return failure(
        `profile ${name} uses SSO and is not logged in (or its session expired): ` +
          `run "aws sso login --profile ${name}"`,
      );
    }
    if (profile.role_arn && profile.source_profile) {
      if (!profileOf(profiles, profile.source_profile)) {
        return failure(
          `profile ${name} assumes a role from source_profile ${profile.source_profile}, which does not exist`,
        );
      }
      return failure(
        `profile ${name} could not assume ${profile.role_arn} with source_profile ` +
          `${profile.source_profile} (${quotable((err as Error)?.message ?? "")}); check both profiles`,
      );
    }
    if (profile.web_identity_token_file && !existsSync(profile.web_identity_token_file)) {
      return failure(
        `profile ${name}'s web_identity_token_file ${profile.web_identity_token_file} does not exist`,
      );
    }
    if (
      env.AWS_PROFILE &&
      !profile.aws_access_key_id &&
      !profile.role_arn &&
      !profile.credential_source
    ) {
      return failure(
        `profile ${name} has no credentials (no keys, credential_process, SSO or role_arn)`,
      );
    }
  }
  const tokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE;
  if (tokenFile) {
    if (!existsSync(tokenFile)) {
      return failure(
        `web identity (IRSA): the token file ${tokenFile} (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist; ` +
          `check the pod's service account and its projected token volume`,
      );
    }
    if (!env.AWS_ROLE_ARN) {
      return failure(
        "web identity (IRSA): AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
      );
    }
    return failure(
      `web identity (IRSA): STS refused the token for ${env.AWS_ROLE_ARN} ` +
        `(${quotable((err as Error)?.message ?? "")}); check the role's trust policy`,
    );
  }
  const container =
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  if (container) {
    return failure(
      `the container credentials endpoint (ECS task role / EKS Pod Identity) gave no credentials ` +
        `(${quotable((err as Error)?.message ?? "")}); check the task or pod's role`,
    );
  }
  if (onlyImdsLeft(env)) {
    return failure(
      `no AWS credentials: ${IMDS_SILENT}; elsewhere give the container a role or set AWS_PROFILE`,
    );
  }
  return failure(
    "no AWS credentials found (environment, profile, web identity, ECS or EC2 role): " +
      "give the container a role or set AWS_PROFILE",
  );
}

/** For a TIMEOUT while credentials were awaited: which source was slow. */
export function slowCredentialSource(env: Env): string {
  return onlyImdsLeft(env) ? IMDS_SILENT : "the credential source did not answer";
}

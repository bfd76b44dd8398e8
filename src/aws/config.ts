// Credentials from the standard AWS settings, resolved the way the SDK does,
// with the slow part (the full credential chain) loaded only when the
// environment does not already answer. Region and endpoints: aws/resolve.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { S3KmsEnvError } from "../errors";
import { beforeDeadline, type Deadline } from "../deadline";
import { credentialFailure, slowCredentialSource } from "./credential-errors";
import { configFilePath, credentialsFilePath } from "./resolve";
import { credentialSourceName } from "./trace";

type Env = Readonly<Record<string, string | undefined>>;

export type CredentialSource = (() => Promise<AwsCredentialIdentity>) & {
  /** The environment it reads, for naming a slow source. */
  readonly env?: Env;
  /** Which provider answered, once one has (for --debug). */
  readonly describe?: () => string | undefined;
};

/**
 * Static keys from the environment are read directly, exactly the variables
 * the SDK's fromEnv reads (its package drags the endpoint rule engine into
 * the hot path); everything else goes through the SDK's default chain, loaded
 * on demand so a start with env credentials never pays for it.
 */
export function credentialSource(env: Env): CredentialSource {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let used: string | undefined;
  const get = () =>
    (pending ??= load(env).then((creds) => {
      used = credentialSourceName(creds, env);
      return creds;
    }));
  return Object.assign(get, { env, describe: () => used });
}

/** Whether a profile could supply credentials (the default chain tries those first). */
function profilesPossible(env: Env): boolean {
  return (
    Boolean(env.AWS_PROFILE) ||
    existsSync(configFilePath(env)) ||
    existsSync(credentialsFilePath(env))
  );
}

/**
 * Without profiles, the default chain would end at web identity (IRSA) or
 * the container endpoint (ECS, EKS Pod Identity) anyway; loading just that
 * provider saves ~40 ms per start over loading the whole chain. Anything
 * else, or a failure, goes through the whole chain as the SDK does it.
 */
/**
 * For every SDK client and credential provider: the SDK's own log lines
 * (warnings included) would reach stderr raw, with server text in them.
 */
export const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Pids of this process's children and their children, from /proc (Linux). */
function descendants(): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Exited while being listed.
    }
  }
  const found: number[] = [];
  for (let queue = [process.pid]; queue.length > 0;) {
    const next = queue.flatMap((pid) => children.get(pid) ?? []);
    found.push(...next);
    queue = next;
  }
  return found;
}

/**
 * A credential_process the SDK started (it keeps no handle we could reach)
 * would outlive us once we exit. Before the app starts, credential
 * processes are the only children there are.
 */
function killCredentialProcesses(): void {
  let pids: number[];
  try {
    pids = descendants();
  } catch {
    return; // No /proc: nothing more we can do.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

function credentialsLate(deadline: Deadline, env: Env): S3KmsEnvError {
  killCredentialProcesses();
  return new S3KmsEnvError(
    "TIMEOUT",
    `no AWS credentials within ${deadline.timeoutMs} ms: ${slowCredentialSource(env)}; ` +
      `check the container's role or raise --timeout`,
  );
}

/** The credentials, or TIMEOUT once the deadline passes (their providers retry on their own). */
export function credentialsWithin(
  source: CredentialSource,
  deadline: Deadline,
): Promise<AwsCredentialIdentity> {
  return beforeDeadline(source(), deadline.signal, () =>
    credentialsLate(deadline, source.env ?? {}),
  );
}

async function directProvider(env: Env): Promise<AwsCredentialIdentity | undefined> {
  if (profilesPossible(env)) return undefined;
  try {
    if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
      const { fromTokenFile } = await import("@aws-sdk/credential-provider-web-identity");
      return await fromTokenFile({ logger: silentLogger })();
    }
    if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
      const { fromHttp } = await import("@aws-sdk/credential-provider-http");
      return await fromHttp({ logger: silentLogger })();
    }
  } catch {
    // Let the full chain try, and fail, the way the SDK would.
  }
  return undefined;
}

async function load(env: Env): Promise<AwsCredentialIdentity> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (accessKeyId && secretAccessKey && !env.AWS_PROFILE) {
    const expiry = env.AWS_CREDENTIAL_EXPIRATION;
    return {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
    };
  }
  const direct = await directProvider(env);
  if (direct) return direct;
  // Outside the try: failing to load the chain is our fault, not a missing credential.
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  try {
    return await defaultProvider({ logger: silentLogger })();
  } catch (err) {
    // The chain says only "Could not load credentials from any providers": name the cause.
    throw await credentialFailure(err, env);
  }
}

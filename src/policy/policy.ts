// What the child's environment may be: the inherited environment plus the
// files' variables, filtered, with names that could take over the app's
// runtime refused unless the operator allows them by name.
import { S3KmsEnvError } from "../errors";

export type Env = Readonly<Record<string, string | undefined>>;

export interface Layer {
  /** Where the variables came from, for messages (an s3:// URI). */
  readonly source: string;
  readonly vars: ReadonlyMap<string, string>;
}

export interface PolicyOptions {
  /** "file": file values replace inherited ones; "env": inherited values win. */
  readonly precedence: "file" | "env";
  /** Refused names the operator explicitly allows. */
  readonly allowNames: ReadonlySet<string>;
  /** When set, only these names are taken from the files. */
  readonly only: ReadonlySet<string> | undefined;
  /** When non-empty, only names starting with one of these are taken from the files. */
  readonly prefixes: readonly string[];
  /** Pass S3_KMS_ENV_* from the inherited environment on to the child. */
  readonly passOwnConfig: boolean;
}

export interface ChildEnv {
  readonly env: Record<string, string>;
  /** Names the files set in the child, in order. */
  readonly applied: readonly string[];
  /** File names not applied because the inherited environment already had them (precedence env). */
  readonly kept: readonly string[];
  /** File names left out by --only / --prefix. */
  readonly filtered: readonly string[];
}

/**
 * exec's policy with no option given: the file wins, no name allowed beyond
 * `allowNames`, every name taken, S3_KMS_ENV_* removed. Ops check files
 * against it, so a file that uploads is a file that starts.
 */
export function defaultPolicy(allowNames: ReadonlySet<string> = new Set()): PolicyOptions {
  return { precedence: "file", allowNames, only: undefined, prefixes: [], passOwnConfig: false };
}

export const OWN_PREFIX = "S3_KMS_ENV_";

// Each of these lets whoever sets it run code inside, or redirect the traffic
// of, the app or s3-kms-env: loaders, interpreters' start-up hooks, shells'
// start-up files, TLS trust, proxies, and AWS settings (a file must not
// redirect credentials or endpoints).
const REFUSED_NAMES = new Set([
  "PATH",
  "IFS",
  "ENV",
  "BASH_ENV",
  "SHELLOPTS",
  "NODE_OPTIONS",
  "NODE_PATH",
  "NODE_EXTRA_CA_CERTS",
  "NODE_TLS_REJECT_UNAUTHORIZED",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PYTHONINSPECT",
  "PYTHONWARNINGS",
  "PERL5OPT",
  "PERL5LIB",
  "PERLLIB",
  "RUBYOPT",
  "RUBYLIB",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "DOTNET_STARTUP_HOOKS",
  "CLASSPATH",
  "GIT_SSH_COMMAND",
  "GIT_SSH",
  "GIT_ASKPASS",
  "GIT_EXEC_PATH",
  "GIT_PROXY_COMMAND",
  "GIT_EXTERNAL_DIFF",
  "GIT_CONFIG_COUNT",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
  "PS4",
  "BASHOPTS",
  "GCONV_PATH",
  "LOCPATH",
  "GLIBC_TUNABLES",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "SSLKEYLOGFILE",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "ALL_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "all_proxy",
  "no_proxy",
]);
const REFUSED_PREFIXES = [
  "LD_",
  "DYLD_",
  "BASH_FUNC_",
  "AWS_",
  "GIT_CONFIG_KEY_",
  "GIT_CONFIG_VALUE_",
  OWN_PREFIX,
];

export function isRefusedName(name: string): boolean {
  return REFUSED_NAMES.has(name) || REFUSED_PREFIXES.some((p) => name.startsWith(p));
}

function wanted(name: string, opts: PolicyOptions): boolean {
  if (opts.only !== undefined && !opts.only.has(name)) return false;
  return opts.prefixes.length === 0 || opts.prefixes.some((p) => name.startsWith(p));
}

/** Refuse before anything runs: fail closed rather than drop a name silently. */
export function checkNames(layers: readonly Layer[], opts: PolicyOptions): void {
  for (const layer of layers) {
    for (const name of layer.vars.keys()) {
      if (wanted(name, opts) && isRefusedName(name) && !opts.allowNames.has(name)) {
        throw new S3KmsEnvError(
          "REFUSED_NAME",
          `${layer.source} sets ${name}, which can take over the app's runtime; ` +
            `refusing to start. Allow it with --allow-name ${name} if this is intended`,
        );
      }
    }
  }
}

export function buildChildEnv(
  inherited: Env,
  layers: readonly Layer[],
  opts: PolicyOptions,
): ChildEnv {
  checkNames(layers, opts);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined) continue;
    if (!opts.passOwnConfig && name.startsWith(OWN_PREFIX)) continue;
    env[name] = value;
  }
  const applied = new Set<string>();
  const kept = new Set<string>();
  const filtered = new Set<string>();
  for (const layer of layers) {
    for (const [name, value] of layer.vars) {
      if (!wanted(name, opts)) {
        filtered.add(name);
      } else if (opts.precedence === "env" && inherited[name] !== undefined) {
        kept.add(name);
      } else {
        env[name] = value;
        applied.add(name);
      }
    }
  }
  return { env, applied: [...applied], kept: [...kept], filtered: [...filtered] };
}

// What the child's environment may be: the inherited environment plus the
// files' variables, filtered, with names that could take over the app's
// runtime or redirect its traffic refused unless the operator allows them by
// name, names the operator requires checked, and --pristine's minimal base.
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
  /** Names the files must set (after --only/--prefix); an inherited value does not count. */
  readonly require?: readonly string[];
  /** Inherit only PRISTINE_NAMES (and LC_*) plus `keep`, not the whole environment. */
  readonly pristine?: boolean;
  /** With `pristine`: more inherited names to keep. */
  readonly keep?: ReadonlySet<string>;
}

/** What the policy refuses for: the wording fits the command that checks. */
export type RefusalAction = "start" | "upload" | "verify" | "write";

export interface ChildEnv {
  readonly env: Record<string, string>;
  /** Names the files set in the child, in order. */
  readonly applied: readonly string[];
  /** File names not applied because the inherited environment already had them (precedence env). */
  readonly kept: readonly string[];
  /** File names left out by --only / --prefix. */
  readonly filtered: readonly string[];
  /** File names applied over a value the inherited environment had (precedence file). */
  readonly overrode: readonly string[];
}

/** What --pristine keeps from the inherited environment (besides LC_* and --keep). */
export const PRISTINE_NAMES: readonly string[] = ["PATH", "HOME", "HOSTNAME", "TERM", "LANG", "TZ"];

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

const PROXY_NAMES = new Set(
  ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"].flatMap((n) => [n, n.toLowerCase()]),
);
const TLS_NAMES = new Set([
  "NODE_EXTRA_CA_CERTS",
  "NODE_TLS_REJECT_UNAUTHORIZED",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "SSLKEYLOGFILE",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
]);

/** Why a refused name is refused, in a few words that fit it. */
export function refusalReason(name: string): string {
  if (name.startsWith("AWS_")) return "would redirect the app's AWS credentials or endpoints";
  if (PROXY_NAMES.has(name)) return "would redirect the app's traffic";
  if (TLS_NAMES.has(name)) return "would change whom the app's TLS trusts or expose its keys";
  if (name.startsWith(OWN_PREFIX)) return "would change s3-kms-env's own settings";
  if (name === "PATH") return "would change which programs the app runs";
  return "would take over the app's runtime";
}

const REFUSAL_OUTCOME: Record<RefusalAction, string> = {
  start: "refusing to start",
  upload: "refusing to upload",
  verify: "would be refused at start",
  write: "refusing to write the file",
};

/** The refused names each layer sets (in file order), the allowed and filtered ones left out. */
export function refusedNames(
  layers: readonly Layer[],
  opts: PolicyOptions,
): { readonly source: string; readonly names: readonly string[] }[] {
  return layers
    .map((layer) => ({
      source: layer.source,
      names: [...layer.vars.keys()].filter(
        (name) => wanted(name, opts) && isRefusedName(name) && !opts.allowNames.has(name),
      ),
    }))
    .filter((r) => r.names.length > 0);
}

/**
 * Refuse before anything runs: fail closed rather than drop a name silently.
 * Every refused name of every layer in one error, names and reasons only.
 */
export function checkNames(
  layers: readonly Layer[],
  opts: PolicyOptions,
  action: RefusalAction = "start",
): void {
  const refused = refusedNames(layers, opts);
  if (refused.length === 0) return;
  const all = [...new Set(refused.flatMap((r) => r.names))];
  const sets = refused
    .map((r) => `${r.source} sets ${r.names.map((n) => `${n} (${refusalReason(n)})`).join(", ")}`)
    .join("; ");
  throw new S3KmsEnvError(
    "REFUSED_NAME",
    `${sets}; ${REFUSAL_OUTCOME[action]}. ` +
      `Allow ${all.length === 1 ? "it" : "them"} with --allow-name ${all.join(",")} if this is intended`,
  );
}

/** The inherited environment the child starts from: all of it, or --pristine's few names. */
export function inheritedBase(inherited: Env, opts: PolicyOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined) continue;
    if (!opts.passOwnConfig && name.startsWith(OWN_PREFIX)) continue;
    if (opts.pristine === true && !keptByPristine(name, opts)) continue;
    env[name] = value;
  }
  return env;
}

function keptByPristine(name: string, opts: PolicyOptions): boolean {
  return (
    PRISTINE_NAMES.includes(name) ||
    name.startsWith("LC_") ||
    opts.keep?.has(name) === true ||
    (opts.passOwnConfig && name.startsWith(OWN_PREFIX))
  );
}

/** --require: every missing name at once, before the app starts. */
function checkRequired(
  opts: PolicyOptions,
  present: ReadonlySet<string>,
  filtered: ReadonlySet<string>,
  action: RefusalAction,
): void {
  const missing = (opts.require ?? []).filter((name) => !present.has(name));
  if (missing.length === 0) return;
  const named = [...new Set(missing)].map((name) =>
    filtered.has(name) ? `${name} (left out by --only/--prefix)` : name,
  );
  throw new S3KmsEnvError(
    "MISSING_REQUIRED",
    `required ${named.length === 1 ? "name" : "names"} not set by any source: ${named.join(", ")}; ` +
      `${REFUSAL_OUTCOME[action]}. Set ${named.length === 1 ? "it" : "them"} in an env file ` +
      `(an inherited value does not count)`,
  );
}

export function buildChildEnv(
  inherited: Env,
  layers: readonly Layer[],
  opts: PolicyOptions,
  action: RefusalAction = "start",
): ChildEnv {
  checkNames(layers, opts, action);
  const base = inheritedBase(inherited, opts);
  const env: Record<string, string> = { ...base };
  const applied = new Set<string>();
  const kept = new Set<string>();
  const filtered = new Set<string>();
  for (const layer of layers) {
    for (const [name, value] of layer.vars) {
      if (!wanted(name, opts)) {
        filtered.add(name);
      } else if (opts.precedence === "env" && base[name] !== undefined) {
        kept.add(name);
      } else {
        env[name] = value;
        applied.add(name);
      }
    }
  }
  checkRequired(opts, new Set([...applied, ...kept]), filtered, action);
  const overrode = [...applied].filter((name) => base[name] !== undefined);
  return { env, applied: [...applied], kept: [...kept], filtered: [...filtered], overrode };
}

// `s3-kms-env exec [URI…] -- command [args…]`: argument parsing and the
// order of the steps; the steps themselves live in source/, policy/, exec/.
import type { ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { guardStart } from "../exec/interrupt";
import {
  execveSupport,
  planExec,
  replaceProcess,
  spawnAndForward,
  type ExecPlan,
} from "../exec/run";
import type { StdioState } from "../exec/stdio";
import { expandLayers } from "../envfile/expand";
import { buildChildEnv, type PolicyOptions } from "../policy/policy";
import { loadSources, type LoadedSource } from "../source/load";
import { parseS3Uri, splitUriList, type S3Location } from "../source/uri";
import { execTrustedKeys, type DevOptOuts, type EncryptionPolicy } from "../source/verify";
import {
  commonOptions,
  keySpecs,
  listValues,
  loggerFrom,
  parse,
  readerKeySpecs,
  settingsFrom,
  type Env,
} from "./options";

const execOptions = {
  ...commonOptions,
  precedence: { type: "string" },
  "allow-name": { type: "string", multiple: true },
  only: { type: "string", multiple: true },
  prefix: { type: "string", multiple: true },
  "pass-own-config": { type: "boolean" },
  spawn: { type: "boolean" },
  expand: { type: "boolean" },
  "insecure-any-kms-key": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

type ExecValues = ReturnType<typeof parse<typeof execOptions>>["values"];

interface ExecRequest {
  readonly locations: readonly S3Location[];
  readonly command: readonly string[];
  readonly values: ExecValues;
  readonly env: Env;
  readonly policy: PolicyOptions;
  /** Key names as given; undefined: any key (--insecure-any-kms-key). */
  readonly trusted: readonly string[] | undefined;
}

function logLoaded(
  log: Logger,
  sources: readonly LoadedSource[],
  applied: readonly string[],
): void {
  // process.uptime(), not performance.now(): the latter loads perf_hooks (~1 ms).
  const ms = Math.round(process.uptime() * 1000);
  const describe = sources.map(
    (s) =>
      `${s.source} version=${s.versionId ?? "-"} kms=${s.kmsKeyArn ?? s.serverSideEncryption ?? "none"}`,
  );
  log.info(`loaded ${applied.length} variable${applied.length === 1 ? "" : "s"}`, {
    sources: describe,
    ms,
  });
  log.verbose("names", { names: applied });
}

// Every start, not once: a development setting that reaches production must show in its logs.
function warnOptOuts(log: Logger, encryption: EncryptionPolicy): void {
  if (encryption.allowUnencrypted) {
    log.warn(
      "--insecure-allow-unencrypted: objects without SSE-KMS are accepted (development only)",
    );
  }
  if (encryption.trustedKeys === undefined) {
    log.warn(
      "no trusted KMS key: objects under any KMS key are accepted, the AWS-managed aws/s3 key " +
        "included, which anyone with s3:PutObject can write under (development only); " +
        "name your key with --kms-key-id or S3_KMS_ENV_KMS_KEY_ID",
    );
  }
}

function warnUncheckedKeys(log: Logger, sources: readonly LoadedSource[]): void {
  for (const s of sources) {
    if (s.kmsKeyArn !== undefined)
      log.warn(`${s.source} is under KMS key ${s.kmsKeyArn}, not checked against a trusted key`);
  }
}

export async function execCommand(
  argv: string[],
  env: Env,
  setLog: (l: Logger) => void,
  stdio: StdioState,
): Promise<number> {
  const dd = argv.indexOf("--");
  const { values, positionals } = parse(dd === -1 ? argv : argv.slice(0, dd), execOptions);
  const log = loggerFrom(values, env);
  setLog(log);
  if (values.help) {
    const { printHelp } = await import("./help");
    printHelp("exec");
    return 0;
  }
  if (dd === -1) {
    throw new UsageError(
      'missing "--" before the command: s3-kms-env exec [s3://bucket/key …] -- command [args…]',
    );
  }
  const command = argv.slice(dd + 1);
  if (command.length === 0) throw new UsageError('no command after "--"');
  const uris = positionals.length > 0 ? positionals : splitUriList(env.S3_KMS_ENV_URI ?? "");
  if (uris.length === 0) {
    throw new UsageError("no source: give s3://bucket/key before -- or set S3_KMS_ENV_URI");
  }
  const locations = uris.map(parseS3Uri);
  const precedence = values.precedence ?? env.S3_KMS_ENV_PRECEDENCE ?? "file";
  if (precedence !== "file" && precedence !== "env") {
    throw new UsageError('--precedence must be "file" or "env"');
  }
  const only = listValues(values.only, env.S3_KMS_ENV_ONLY);
  const policy: PolicyOptions = {
    precedence,
    allowNames: new Set(listValues(values["allow-name"], env.S3_KMS_ENV_ALLOW_NAMES)),
    only: only.length > 0 ? new Set(only) : undefined,
    prefixes: listValues(values.prefix, env.S3_KMS_ENV_PREFIX),
    passOwnConfig: values["pass-own-config"] === true,
  };
  const optOuts: DevOptOuts = {
    anyKey: values["insecure-any-kms-key"] === true,
    allowUnencrypted: values["insecure-allow-unencrypted"] === true,
  };
  // Checked on the names as given, before any lookup: the start fails at once.
  const named = readerKeySpecs(keySpecs(values, env));
  if (optOuts.anyKey && named.length > 0) {
    throw new UsageError(
      "give either trusted keys (--kms-key-id, S3_KMS_ENV_KMS_KEY_ID) or --insecure-any-kms-key, not both",
    );
  }
  const trusted = execTrustedKeys(named, optOuts);
  const support = execveSupport();
  const spawn = values.spawn === true || support !== "throws";
  if (!values.spawn && support !== "throws") {
    log.warn(
      support === "missing"
        ? `Node ${process.versions.node} has no process.execve; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)`
        : `Node ${process.versions.node} aborts and may dump core when execve fails; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)`,
    );
  }
  const guard = guardStart();
  const plan = await guard.race(prepare({ locations, command, values, env, policy, trusted }, log));
  if (!spawn) return replaceProcess(plan, stdio);
  const exited = spawnAndForward(plan);
  guard.release();
  return exited;
}

/** Everything before the app starts: sources fetched, checked, parsed, policy applied, command found. */
async function prepare(
  { locations, command, values, env, policy, trusted }: ExecRequest,
  log: Logger,
): Promise<ExecPlan> {
  const settings = await settingsFrom(values, env, log);
  const encryption: EncryptionPolicy = {
    allowUnencrypted: settings.allowUnencrypted,
    trustedKeys: trusted && (await settings.resolveKeys(trusted)),
  };
  warnOptOuts(log, encryption);
  const loaded = await loadSources(locations, settings.s3, encryption);
  if (encryption.trustedKeys === undefined) warnUncheckedKeys(log, loaded);
  const sources = values.expand
    ? expandLayers(loaded, env, policy.precedence, settings.s3.maxBytes)
    : loaded;
  for (const s of sources) {
    if (s.duplicates.length > 0)
      log.warn(`${s.source} sets a name more than once; the last wins`, { names: s.duplicates });
  }
  const child = buildChildEnv(env, sources, policy);
  if (child.kept.length > 0)
    log.verbose("kept inherited values (--precedence env)", { names: child.kept });
  if (child.filtered.length > 0)
    log.verbose("left out by --only/--prefix", { names: child.filtered });
  const plan = planExec(command, child.env);
  logLoaded(log, sources, child.applied);
  return plan;
}

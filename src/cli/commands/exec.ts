// `s3-kms-env exec [URI…] -- command [args…]`: argument parsing and the
// order of the steps; the steps themselves live in fetch/, s3/, policy/, exec/.
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../../errors";
import type { Fields, Logger } from "../../log";
import { auditFailedStart, auditStart, type StartAudit } from "../../audit/start";
import { AUDIT_OPTIONS_HELP, auditFrom, auditOptions } from "../audit-options";
import { showHelp, type CommandDefinition, type CommandHelp } from "../command";
import { guardStart } from "../../exec/interrupt";
import {
  execveSupport,
  planExec,
  replaceProcess,
  spawnAndForward,
  type ExecPlan,
} from "../../exec/launch";
import type { StdioState } from "../../exec/stdio";
import { defaultPolicy, inheritedBase, type PolicyOptions } from "../../policy/policy";
import type { LoadedSource, SourceLocation } from "../../fetch/sources";
import {
  ADDRESSING_STYLE_HELP,
  LOG_OPTIONS_HELP,
  listValues,
  loggerFrom,
  parse,
  type Env,
} from "../options";
import {
  describeSources,
  filterPolicy,
  loadChecked,
  sourceOptions,
  sourcesFrom,
  trustedFrom,
} from "../load-checked";
import { SEALED_SOURCE_HELP } from "../sealed-options";

const execOptions = {
  ...sourceOptions,
  ...auditOptions,
  precedence: { type: "string" },
  "pass-own-config": { type: "boolean" },
  pristine: { type: "boolean" },
  keep: { type: "string", multiple: true },
  spawn: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

type ExecValues = ReturnType<typeof parse<typeof execOptions>>["values"];

interface ExecRequest {
  readonly locations: readonly SourceLocation[];
  readonly command: readonly string[];
  readonly values: ExecValues;
  readonly env: Env;
  readonly policy: PolicyOptions;
  /** Key names as given; undefined: any key (--insecure-any-kms-key). */
  readonly trusted: readonly string[] | undefined;
}

/** The text format's line for a start: what was loaded from where, and how long it took. */
function loadedLine(
  sources: readonly LoadedSource[],
  applied: readonly string[],
  overrode: readonly string[],
): [string, Fields] {
  // process.uptime(), not performance.now(): the latter loads perf_hooks (~1 ms).
  const ms = Math.round(process.uptime() * 1000);
  // A stale image ENV losing to the file is what users debug: a count at info, names at -v.
  return [
    `loaded ${applied.length} variable${applied.length === 1 ? "" : "s"}`,
    {
      sources: describeSources(sources),
      ...(overrode.length > 0 ? { overrode: overrode.length } : {}),
      ms,
    },
  ];
}

function logNames(log: Logger, applied: readonly string[], overrode: readonly string[]): void {
  log.verbose("names", { names: applied });
  if (overrode.length > 0) log.verbose("overrode inherited values", { names: overrode });
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
  if (values.help) return showHelp(execDefinition);
  const audit: StartAudit = { log, settings: auditFrom(values, env), env };
  // Every failure from here on is a failed start, with its audit event.
  let locations: readonly SourceLocation[] = [];
  try {
    if (dd === -1) {
      throw usageError(
        'missing "--" before the command: s3-kms-env exec [s3://bucket/key …] -- command [args…]',
      );
    }
    const command = argv.slice(dd + 1);
    if (command.length === 0) throw usageError('no command after "--"');
    locations = sourcesFrom(
      positionals,
      env,
      "no source: give s3://bucket/key before -- or set S3_KMS_ENV_URI",
    );
    return await start(
      {
        locations,
        command,
        values,
        env,
        policy: policyFrom(values, env),
        trusted: trustedFrom(values, env),
      },
      audit,
      stdio,
    );
  } catch (err) {
    await auditFailedStart(audit, locations, err);
    throw err;
  }
}

function policyFrom(values: ExecValues, env: Env): PolicyOptions {
  const defaults = defaultPolicy();
  const precedence = values.precedence ?? env.S3_KMS_ENV_PRECEDENCE ?? defaults.precedence;
  if (precedence !== "file" && precedence !== "env") {
    throw usageError('--precedence must be "file" or "env"');
  }
  const keep = listValues(values.keep, env.S3_KMS_ENV_KEEP);
  if (keep.length > 0 && values.pristine !== true) {
    throw usageError("--keep (S3_KMS_ENV_KEEP) applies only with --pristine");
  }
  return {
    ...filterPolicy(values, env),
    precedence,
    passOwnConfig: values["pass-own-config"] === true,
    pristine: values.pristine === true,
    keep: new Set(keep),
  };
}

async function start(request: ExecRequest, audit: StartAudit, stdio: StdioState): Promise<number> {
  const { log } = audit;
  const support = execveSupport();
  const spawn = request.values.spawn === true || support !== "throws";
  if (!request.values.spawn && support !== "throws") {
    log.warn(
      support === "missing"
        ? `Node ${process.versions.node} has no process.execve; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)`
        : `Node ${process.versions.node} aborts and may dump core when execve fails; the app runs as a child with signals forwarded (use Node >= 26.1 or the single binary)`,
    );
  }
  const guard = guardStart();
  const plan = await guard.race(prepare(request, audit));
  if (!spawn) return replaceProcess(plan, stdio);
  const exited = spawnAndForward(plan);
  guard.release();
  return exited;
}

/**
 * Everything before the app starts: sources fetched, checked, parsed, policy
 * applied, command found, the start's audit event logged and sent.
 */
async function prepare(
  { locations, command, values, env, policy, trusted }: ExecRequest,
  audit: StartAudit,
): Promise<ExecPlan> {
  const { log } = audit;
  const { sources, child, aws, deadline } = await loadChecked(
    {
      locations,
      values,
      env,
      policy,
      trusted,
      // With --pristine, $NAME sees only what the app will inherit.
      expandBase: policy.pristine === true ? inheritedBase(env, policy) : env,
      inherited: env,
      action: "start",
    },
    log,
  );
  const plan = planExec(command, child.env);
  const [message, fields] = loadedLine(sources, child.applied, child.overrode);
  await auditStart(
    audit,
    { locations, loaded: sources, applied: child.applied, aws, deadline },
    message,
    fields,
  );
  logNames(log, child.applied, child.overrode);
  return plan;
}

/** exec's help: a function, so a container start never evaluates the text. */
function execHelp(): CommandHelp {
  return {
    summary: "fetch, verify and parse the env file(s), then become the command",
    usage: "[options] [s3://bucket/key[?versionId=V] | file:///path …] -- command [args…]",
    description: `Fetches each source (later ones override earlier ones), refuses objects that are not
SSE-KMS encrypted under a trusted key (--kms-key-id), parses them as dotenv files, and replaces itself with the command
(execve: the command keeps the PID and receives signals directly). With no URI before
"--", the URIs come from S3_KMS_ENV_URI (separated by commas or white space).`,
    example: [
      "ENV S3_KMS_ENV_URI=s3://acme-config/prod/api.env",
      "ENV S3_KMS_ENV_KMS_KEY_ID=arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…",
      'ENTRYPOINT ["s3-kms-env", "exec", "--"]',
      'CMD ["ruby", "app.rb"]',
    ],
    options: `Environment options:
  --precedence file|env    which wins when a name is both inherited and in a file
                           (default file) [S3_KMS_ENV_PRECEDENCE]
  --allow-name NAME        allow a refused name such as LD_PRELOAD or NODE_OPTIONS
                           (repeatable, or comma-separated) [S3_KMS_ENV_ALLOW_NAMES]
  --only NAME              take only these names from the files [S3_KMS_ENV_ONLY]
  --prefix PREFIX          take only names starting with PREFIX [S3_KMS_ENV_PREFIX]
  --require NAME           fail (MISSING_REQUIRED, 125) unless the files set NAME, naming every
                           missing name at once; inherited values do not count, and a name
                           left out by --only/--prefix is missing (repeatable, or
                           comma-separated) [S3_KMS_ENV_REQUIRE]
  --pristine               inherit only PATH, HOME, HOSTNAME, TERM, LANG, LC_*, TZ (and
                           --keep's names); the command gets those plus the files' variables
  --keep NAME              with --pristine, inherit NAME too (repeatable, or comma-separated)
                           [S3_KMS_ENV_KEEP]
  --pass-own-config        pass S3_KMS_ENV_* on to the command (removed by default)
  --expand                 expand \${NAME} and $NAME in values (not in ' or \` quotes; \\$ is a
                           literal $); never runs commands
  --spawn                  run the command as a child and forward signals instead of execve

Trust and source options:
  --kms-key-id ID          a KMS key the env files may be under; required (exec refuses to
                           start without one, NO_TRUSTED_KEY). Repeatable or comma-separated;
                           a key ARN is best (a key id matches the ARN's key/ suffix, an
                           alias costs one kms:DescribeKey) [S3_KMS_ENV_KMS_KEY_ID, a list
                           separated by commas or white space; the flags replace it]
  --insecure-any-kms-key   trust an object under any KMS key, the AWS-managed aws/s3 key
                           included: local development only; warns on every start
  --insecure-allow-unencrypted
                           accept objects without SSE-KMS: local development only; only when
                           no trusted key is named, and then any KMS key is accepted too
${SEALED_SOURCE_HELP}
  --timeout DURATION       overall deadline for fetching, retries included (default 10s)
                           [S3_KMS_ENV_TIMEOUT]
  --max-size SIZE          largest env file accepted (default 1M) [S3_KMS_ENV_MAX_SIZE]
${ADDRESSING_STYLE_HELP}

${AUDIT_OPTIONS_HELP}

${LOG_OPTIONS_HELP}`,
  };
}

export const execDefinition: CommandDefinition = {
  name: "exec",
  help: execHelp,
  options: execOptions,
  run: execCommand,
};

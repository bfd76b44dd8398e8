// `s3-kms-env render [s3://…] -o PATH`: what exec would start the app with,
// the files' variables only, written to a file on an in-memory filesystem
// (for an init container, or an app that reads its secrets from a file).
// Fetch, checks, parser and policy are exec's own (cli/load-checked.ts); the
// file is written by ops/render.ts.
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../../errors";
import type { Logger } from "../../log";
import { guardStart } from "../../exec/interrupt";
import { isOutputFormat, OUTPUT_FORMATS, serializeAs } from "../../envfile/serialize";
import type { PolicyOptions } from "../../policy/policy";
import { checkTarget, writeAtomically } from "../../ops/render";
import { showHelp, type CommandDefinition, type CommandHelp } from "../command";
import { ADDRESSING_STYLE_HELP, LOG_OPTIONS_HELP, loggerFrom, parse, type Env } from "../options";
import { writeOut } from "../output";
import {
  describeSources,
  filterPolicy,
  loadChecked,
  sourceOptions,
  sourcesFrom,
  trustedFrom,
} from "../load-checked";
import { SEALED_SOURCE_HELP } from "../sealed-options";

const renderOptions = {
  ...sourceOptions,
  output: { type: "string", short: "o" },
  format: { type: "string" },
  reveal: { type: "boolean" },
  "allow-disk": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

const STDOUT = "-";

async function renderCommand(
  argv: string[],
  env: Env,
  setLog: (l: Logger) => void,
): Promise<number> {
  const { values, positionals } = parse(argv, renderOptions);
  const log = loggerFrom(values, env);
  setLog(log);
  if (values.help) return showHelp(renderDefinition);
  const output = values.output;
  if (output === undefined || output === "") {
    throw usageError("missing -o PATH: the file to write (or -o - --reveal for stdout)");
  }
  const format = values.format ?? "dotenv";
  if (!isOutputFormat(format)) {
    throw usageError(`--format must be one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  const toStdout = output === STDOUT;
  if (toStdout && values.reveal !== true) {
    throw usageError("-o - prints the values on stdout; add --reveal if that is intended");
  }
  if (!toStdout && values.reveal === true) {
    throw usageError("--reveal applies only to -o - (stdout); a file is written without it");
  }
  if (toStdout && values["allow-disk"] === true) {
    throw usageError("--allow-disk applies only to a file, not to -o -");
  }
  const locations = sourcesFrom(
    positionals,
    env,
    "no source: give s3://bucket/key or set S3_KMS_ENV_URI",
  );
  const policy: PolicyOptions = {
    ...filterPolicy(values, env),
    precedence: "file",
    passOwnConfig: false,
  };
  const trusted = trustedFrom(values, env);
  const allowDisk = values["allow-disk"] === true;
  // A path that will be refused fails before any request.
  if (!toStdout) checkTarget(output, allowDisk);
  const guard = guardStart();
  const { sources, child } = await guard.race(
    loadChecked(
      // Only the files' variables: nothing inherited goes into the file.
      { locations, values, env, policy, trusted, expandBase: env, inherited: {}, action: "write" },
      log,
    ),
  );
  const vars = new Map(child.applied.map((name) => [name, child.env[name] ?? ""]));
  const text = serializeAs(vars, format);
  if (toStdout) await writeOut(text);
  else writeAtomically(output, text, allowDisk);
  guard.release();
  const ms = Math.round(process.uptime() * 1000);
  log.info(
    `wrote ${vars.size} variable${vars.size === 1 ? "" : "s"} to ${toStdout ? "stdout" : output}`,
    { format, sources: describeSources(sources), ms },
  );
  log.verbose("names", { names: child.applied });
  return 0;
}

function renderHelp(): CommandHelp {
  return {
    summary: "write what exec would load (the files' variables only) to a file in memory",
    usage: "[options] [s3://bucket/key[?versionId=V] | file:///path …] -o PATH",
    description: `Fetches and checks the sources exactly as exec does (trusted KMS key required, the same
parser, refused names, --only/--prefix/--require/--expand), then writes only the files'
variables to PATH: a temp file beside it (mode 0600), fsynced and renamed over PATH, so a
reader sees the old file or the new one, never part of one; on any failure PATH is left as it
was. PATH must not be a symbolic link, and its directory must be on tmpfs or ramfs (a
Kubernetes emptyDir with medium: Memory, /run/secrets, /dev/shm) unless --allow-disk. With no
URI, the URIs come from S3_KMS_ENV_URI. Values reach stdout only with -o - --reveal.`,
    example: [
      "s3-kms-env render --kms-key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-… \\",
      "    s3://acme-config/prod/api.env -o /secrets/app.env",
      "s3-kms-env render s3://acme-config/prod/api.env --format json -o /dev/shm/app.json",
    ],
    options: `Output options:
  -o, --output PATH        the file to write (replaced atomically, mode 0600); - for stdout,
                           only with --reveal
  --format dotenv|json|shell
                           dotenv (read back identically by exec's parser; default), a JSON
                           object, or export NAME='…' lines for sh
  --reveal                 with -o -: print the values on stdout
  --allow-disk             write to a directory that is not on tmpfs or ramfs (NOT_TMPFS
                           otherwise): the secrets then reach a disk

Policy options (as for exec):
  --allow-name NAME        allow a refused name such as LD_PRELOAD or NODE_OPTIONS
                           (repeatable, or comma-separated) [S3_KMS_ENV_ALLOW_NAMES]
  --only NAME              take only these names from the files [S3_KMS_ENV_ONLY]
  --prefix PREFIX          take only names starting with PREFIX [S3_KMS_ENV_PREFIX]
  --require NAME           fail (MISSING_REQUIRED, 125) unless the files set NAME, naming every
                           missing name at once (repeatable, or comma-separated)
                           [S3_KMS_ENV_REQUIRE]
  --expand                 expand \${NAME} and $NAME in values (from earlier values, then the
                           environment); the file holds the expanded values

Trust and source options (as for exec):
  --kms-key-id ID          a KMS key the env files may be under; required (NO_TRUSTED_KEY
                           without one). Repeatable or comma-separated [S3_KMS_ENV_KMS_KEY_ID]
  --insecure-any-kms-key   trust an object under any KMS key: local development only
  --insecure-allow-unencrypted
                           accept objects without SSE-KMS: local development only
${SEALED_SOURCE_HELP}
  --timeout DURATION       overall deadline for fetching (default 10s) [S3_KMS_ENV_TIMEOUT]
  --max-size SIZE          largest env file accepted (default 1M) [S3_KMS_ENV_MAX_SIZE]
${ADDRESSING_STYLE_HELP}
${LOG_OPTIONS_HELP}`,
  };
}

export const renderDefinition: CommandDefinition = {
  name: "render",
  help: renderHelp,
  options: renderOptions,
  run: renderCommand,
};

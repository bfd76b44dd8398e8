// Help texts: loaded only when asked for.
import { writeSync } from "node:fs";
import { opsHelp, opsSummary } from "./ops-help";

declare const S3_KMS_ENV_VERSION: string;

const SOURCE_OPTIONS = `Trust and source options:
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
  --timeout DURATION       overall deadline for fetching, retries included (default 10s)
                           [S3_KMS_ENV_TIMEOUT]
  --max-size SIZE          largest env file accepted (default 1M) [S3_KMS_ENV_MAX_SIZE]
  --addressing-style auto|path|virtual
                           S3 addressing: auto is virtual host on AWS, path style for IP,
                           localhost and single-label endpoints (http://minio:9000) and bucket
                           names with dots [S3_KMS_ENV_ADDRESSING_STYLE; the profile's
                           s3 = addressing_style]
  --log-format text|json   [S3_KMS_ENV_LOG_FORMAT]
  -q, --quiet | -v, --verbose | --debug
                           log level; no level ever prints a value [S3_KMS_ENV_LOG_LEVEL]
  -h, --help`;

const texts: Record<string, string> = {
  main: `s3-kms-env: fetch an SSE-KMS env file from S3, verify it, and exec your app with it.

Usage:
  s3-kms-env exec [s3://bucket/key[?versionId=V] …] -- command [args…]
  s3-kms-env <command> --help

Commands:
  exec      fetch, verify and parse the env file(s), then become the command
  help      show help for a command
  version   print the version

${opsSummary}

Exit codes: 125 s3-kms-env failed, 126 command not executable, 127 command not found,
otherwise the command's own status.`,
  exec: `Usage: s3-kms-env exec [options] [s3://bucket/key[?versionId=V] …] -- command [args…]

Fetches each source (later ones override earlier ones), refuses objects that are not
SSE-KMS encrypted under a trusted key (--kms-key-id), parses them as dotenv files, and replaces itself with the command
(execve: the command keeps the PID and receives signals directly). With no URI before
"--", the URIs come from S3_KMS_ENV_URI (separated by commas or white space).

Example:
  ENV S3_KMS_ENV_URI=s3://acme-config/prod/api.env
  ENV S3_KMS_ENV_KMS_KEY_ID=arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…
  ENTRYPOINT ["s3-kms-env", "exec", "--"]
  CMD ["ruby", "app.rb"]

Environment options:
  --precedence file|env    which wins when a name is both inherited and in a file
                           (default file) [S3_KMS_ENV_PRECEDENCE]
  --allow-name NAME        allow a refused name such as LD_PRELOAD or NODE_OPTIONS
                           (repeatable, or comma-separated) [S3_KMS_ENV_ALLOW_NAMES]
  --only NAME              take only these names from the files [S3_KMS_ENV_ONLY]
  --prefix PREFIX          take only names starting with PREFIX [S3_KMS_ENV_PREFIX]
  --pass-own-config        pass S3_KMS_ENV_* on to the command (removed by default)
  --expand                 expand \${NAME} and $NAME in values (not in ' or \` quotes; \\$ is a
                           literal $); never runs commands
  --spawn                  run the command as a child and forward signals instead of execve

${SOURCE_OPTIONS}`,
};

export function printHelp(command: string | undefined): void {
  writeSync(1, (texts[command ?? "main"] ?? opsHelp[command ?? ""] ?? texts.main) + "\n");
}

export function printVersion(): void {
  writeSync(1, `s3-kms-env ${S3_KMS_ENV_VERSION}\n`);
}

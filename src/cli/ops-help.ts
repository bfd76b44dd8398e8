// Help texts of the ops commands (merged into help.ts's table).
const OPS_OPTIONS = `Common options:
  --kms-key-id ID          put, set, edit, rollback, rekey: the KMS key to write with (once);
                           get, diff, verify: a trusted key, repeatable or comma-separated.
                           Key ARN, key id or alias [S3_KMS_ENV_KMS_KEY_ID: the trusted keys,
                           comma or white space separated; the key to write with if one]
  --allow-name NAME        allow a name exec refuses, as exec --allow-name does
                           [S3_KMS_ENV_ALLOW_NAMES]
  --timeout DURATION       deadline for each request to S3, its body included (default 10s)
                           [S3_KMS_ENV_TIMEOUT]
  --max-size SIZE          largest env file accepted (default 1M) [S3_KMS_ENV_MAX_SIZE]
  --json                   machine-readable output (never holds a value)
  --log-format text|json, -q | -v | --debug, -h, --help`;

const TRUST_OPTIONS = `  --trusted-kms-key-id ID  a key the object may be under to be rewritten: repeatable or
                           comma-separated (default: S3_KMS_ENV_KMS_KEY_ID's list); the key
                           of --kms-key-id is trusted too. An object under another key is
                           refused (WRONG_KMS_KEY): re-writing it would bless what anyone
                           planted in it`;

const NEW_OBJECT_OPTIONS = `  --kms-key-id ID          encrypt with this KMS key
  --bucket-default-key     encrypt with the bucket's default KMS key instead (explicit opt-in)
  --no-bucket-key          do not use an S3 Bucket Key (on by default: fewer KMS calls)`;

export const opsHelp: Record<string, string> = {
  put: `Usage: s3-kms-env put [options] FILE|- s3://bucket/key --kms-key-id ID

Uploads an env file after checking it exactly as exec will read it (strict dotenv, refused
names): a file exec would refuse is never uploaded. The object is SSE-KMS encrypted; the
new version id is printed. "-" reads stdin (nothing is written to disk). On a bucket
without versioning, a warning says the previous content is gone for good.

Example:
  s3-kms-env put prod.env s3://acme-config/prod/api.env --kms-key-id alias/acme-config

Options:
${NEW_OBJECT_OPTIONS}
  --if-match ETAG          write only if the object still has this ETag (from get --json)
  --if-absent              write only if the object does not exist yet

${OPS_OPTIONS}`,
  get: `Usage: s3-kms-env get [options] s3://bucket/key[?versionId=V]

Prints the names in the env file with each value's length in bytes (and a fingerprint when
S3_KMS_ENV_FINGERPRINT_KEY holds a team secret of 16 or more characters). Values are
printed only with --reveal. The object must be SSE-KMS encrypted, as exec requires.

Example:
  s3-kms-env get s3://acme-config/prod/api.env
  s3-kms-env get s3://acme-config/prod/api.env --reveal --format shell

Options:
  --reveal                 print the values: the stored dotenv text by default
  --format dotenv|json|shell
                           with --reveal: the stored text, a JSON object, or export lines

${OPS_OPTIONS}`,
  diff: `Usage: s3-kms-env diff [options] A B

Compares two env files, each a local file, "-" (stdin) or s3://bucket/key[?versionId=V],
and prints "- NAME" (only in A), "+ NAME" (only in B) and "~ NAME" (value changed).
Values are never printed. Exit status 0 same, 1 different, 125 error.

Example:
  s3-kms-env diff s3://acme-config/prod/api.env prod.env

${OPS_OPTIONS}`,
  set: `Usage: s3-kms-env set [options] s3://bucket/key NAME=value|NAME=@file|NAME=- …

Sets variables in the env file: reads it, changes them, checks the result as exec will
read it, and writes it back only if nobody changed it meanwhile (If-Match on the ETag
read; If-None-Match when creating). On a conflict it re-reads and re-applies, up to
--max-attempts times. The object keeps its KMS key, which must be trusted when any trusted
key is named. NAME=@file takes the value from a file
and NAME=- from stdin (one trailing newline removed), so secrets stay out of shell history;
an empty file or stdin is refused (NAME= sets an empty value). NAME=@@text sets the literal
value @text. The file is rewritten one NAME=value line per variable: comments are not kept
(use edit).

Example:
  s3-kms-env set s3://acme-config/prod/api.env DB_PASSWORD=@/run/secrets/db LOG_LEVEL=info

Options:
  --max-attempts N         writes tried before giving up on a busy object (default 10)
${TRUST_OPTIONS}
  When the object does not exist yet:
${NEW_OBJECT_OPTIONS}

${OPS_OPTIONS}`,
  unset: `Usage: s3-kms-env unset [options] s3://bucket/key NAME…

Removes variables from the env file, with the same conflict-safe write as set. Names that
are not in the file are reported and ignored.

Example:
  s3-kms-env unset s3://acme-config/prod/api.env OLD_TOKEN

Options:
  --max-attempts N         writes tried before giving up on a busy object (default 10)
${TRUST_OPTIONS}

${OPS_OPTIONS}`,
  edit: `Usage: s3-kms-env edit [options] s3://bucket/key

Opens the decrypted env file in $VISUAL or $EDITOR (run without a shell), from a 0600 file
in a private directory (on /dev/shm when there is one). On save it is checked as exec will
read it; on an error the editor opens again with the error on top (when stdin is not a
terminal, edit fails instead). The upload uses If-Match, so a concurrent change is never
overwritten. The file is always removed, also on failure or SIGINT/SIGTERM/SIGHUP.

Example:
  EDITOR="code --wait" s3-kms-env edit s3://acme-config/prod/api.env

Options:
${TRUST_OPTIONS}
  When the object does not exist yet:
${NEW_OBJECT_OPTIONS}

${OPS_OPTIONS}`,
  history: `Usage: s3-kms-env history [options] s3://bucket/key

Lists the object's versions, newest first: version id, time, size, KMS key, owner, and
delete markers; "*" marks the current version.

Example:
  s3-kms-env history s3://acme-config/prod/api.env --limit 5

Options:
  --limit N                versions shown (default 20)

${OPS_OPTIONS}`,
  rollback: `Usage: s3-kms-env rollback [options] s3://bucket/key --version-id V

Makes an older version current again by copying it on top as a new version (history is
kept), encrypted with the current object's KMS key. The old version must be SSE-KMS under
that key or a trusted one (--trusted-kms-key-id), and parse under exec's rules: a version
someone wrote under a key of their own is never brought back under yours. Refused if the
object changed while rolling back.

Example:
  s3-kms-env history s3://acme-config/prod/api.env
  s3-kms-env rollback s3://acme-config/prod/api.env --version-id 3HL4kqtJlcpXroDTDmJ

Options:
  --version-id V           the version to restore (required)
  --kms-key-id ID          the key to use when the object was deleted (no current key)
${TRUST_OPTIONS}

${OPS_OPTIONS}`,
  rekey: `Usage: s3-kms-env rekey [options] s3://bucket/key|s3://bucket/prefix/ --kms-key-id NEW

Re-encrypts one object, or every object under a prefix (a URI ending in "/"), under a new
KMS key with a server-side copy in place (a new version; contents unchanged). Objects
already under NEW are skipped, so it is safe to re-run. Only objects under a trusted key
move; others, and objects that are not SSE-KMS, are refused and named one per line: check
them and upload them with put. Exit 0 only if every object ends up under NEW.

Example:
  s3-kms-env rekey s3://acme-config/prod/ --trusted-kms-key-id alias/acme-config \\
    --kms-key-id alias/acme-config-2027

Options:
${TRUST_OPTIONS}
  --dry-run                report what would change, change nothing
  --no-bucket-key          do not use an S3 Bucket Key

${OPS_OPTIONS}`,
  verify: `Usage: s3-kms-env verify [options] s3://bucket/key[?versionId=V] …

Exit status 0 only if every object exists, is SSE-KMS encrypted (under a trusted key, when
--kms-key-id or S3_KMS_ENV_KMS_KEY_ID names any), not under an AWS-managed key such as
aws/s3 (one kms:DescribeKey per object: anyone with s3:PutObject can write under those),
and parses under exec's rules (refused names included). Prints "ok" or
"FAILED" per object, and the reason as an error line. For CI and dashboards.

Example:
  s3-kms-env verify s3://acme-config/prod/api.env --kms-key-id alias/acme-config --json

${OPS_OPTIONS}`,
};

export const opsSummary = `Ops commands:
  put       upload an env file (checked as exec will read it), SSE-KMS encrypted
  get       list the names in an env file (values only with --reveal)
  diff      compare two env files by name (exit 1 if they differ)
  set       set variables in an env file, safe against concurrent writers
  unset     remove variables from an env file
  edit      edit an env file in $EDITOR, safely
  history   list an env file's versions
  rollback  make an older version current again
  rekey     re-encrypt objects under a new KMS key
  verify    check that exec would accept an env file (for CI)`;

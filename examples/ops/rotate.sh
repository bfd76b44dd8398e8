#!/bin/sh
# Rotate every env file under a prefix from one KMS key to a new one (a key
# rotation, or a move to a key with imported material), in place: server-side
# copies, new versions, contents unchanged. Safe to re-run: objects already
# under the new key are skipped. Only objects under OLD_KMS_KEY move; any
# other object (say, one planted under a key of someone else's) is named and
# left alone, and the script fails (REKEY_INCOMPLETE).
#
#   examples/ops/rotate.sh s3://acme-config/prod/ alias/acme-config alias/acme-config-2027
#
# Order matters, or container starts fail (closed, with KMS_ACCESS_DENIED
# or WRONG_KMS_KEY):
#   1. allow kms:Decrypt on the NEW key, beside the old one, in the
#      workloads' policy (examples/kubernetes/iam-policy.json), and add the
#      NEW key to their trusted keys beside the old one
#      (S3_KMS_ENV_KMS_KEY_ID=OLD_ARN,NEW_ARN); roll them;
#   2. run this script;
#   3. remove the old key from S3_KMS_ENV_KMS_KEY_ID and roll the workloads;
#   4. only then remove the old key from the policies and schedule its deletion.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 s3://bucket/prefix/ OLD_KMS_KEY NEW_KMS_KEY" >&2; exit 2; }
prefix=$1
old_key=$2
new_key=$3

echo "would change:"
s3-kms-env rekey "$prefix" --trusted-kms-key-id "$old_key" --kms-key-id "$new_key" --dry-run
s3-kms-env rekey "$prefix" --trusted-kms-key-id "$old_key" --kms-key-id "$new_key"
echo "every object under $prefix is now under $new_key; old versions keep the old key (see history)."

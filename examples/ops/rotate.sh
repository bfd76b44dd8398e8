#!/bin/sh
# Rotate every env file under a prefix to a new KMS key (a key rotation, or a
# move to a key with imported material), in place: server-side copies, new
# versions, contents unchanged. Safe to re-run: objects already under the new
# key are skipped.
#
#   examples/ops/rotate.sh s3://acme-config/prod/ alias/acme-config-2027
#
# Order matters, or container starts fail (closed, with KMS_ACCESS_DENIED
# or WRONG_KMS_KEY):
#   1. allow kms:Decrypt on the NEW key, beside the old one, in the
#      workloads' policy (examples/kubernetes/iam-policy.json);
#   2. run this script;
#   3. where workloads pin the key (S3_KMS_ENV_KMS_KEY_ID), change the pin and
#      roll them: pinned starts between 2 and 3 are refused, so keep that
#      window short (or pin by an alias and repoint it right after step 2);
#   4. only then remove the old key from the policies and schedule its deletion.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 s3://bucket/prefix/ NEW_KMS_KEY" >&2; exit 2; }
prefix=$1
new_key=$2

echo "would change:"
s3-kms-env rekey "$prefix" --kms-key-id "$new_key" --dry-run
s3-kms-env rekey "$prefix" --kms-key-id "$new_key"
echo "every object under $prefix is now under $new_key; old versions keep the old key (see history)."

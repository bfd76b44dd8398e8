#!/bin/sh
# Upload a reviewed env file: show which names change, upload it under the
# team's KMS key (checked exactly as `exec` will read it, so a file that
# uploads is a file that starts), then verify what landed.
#
#   examples/ops/upload.sh prod.env s3://acme-config/prod/api.env
#
# S3_KMS_ENV_KMS_KEY_ID: the key (id, ARN or alias), e.g. alias/acme-config.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 FILE s3://bucket/key" >&2; exit 2; }
file=$1
uri=$2
key=${S3_KMS_ENV_KMS_KEY_ID:?set S3_KMS_ENV_KMS_KEY_ID to the KMS key}

# Names only, never values. Its status (1: different; 125: e.g. nothing
# there yet on a first upload) is for reading, not for stopping.
s3-kms-env diff "$uri" "$file" || :

s3-kms-env put "$file" "$uri" --kms-key-id "$key"
s3-kms-env verify "$uri" --kms-key-id "$key"
echo "uploaded; running containers pick it up at their next start (roll the deployment)."

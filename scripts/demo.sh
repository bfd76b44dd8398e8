#!/usr/bin/env bash
# A local run end to end against moto on 127.0.0.1: upload examples/demo.env
# with `put`, look at it with `get` (names only), and start a command with
# `exec`. Uses only fake values.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build >/dev/null
eval "$(node scripts/moto.mjs start)"
node scripts/demo-fixture.mjs demo-bucket alias/demo-config
set -x
node dist/s3-kms-env.cjs put examples/demo.env s3://demo-bucket/app.env --kms-key-id alias/demo-config
node dist/s3-kms-env.cjs get s3://demo-bucket/app.env
# The "app" is a tiny shell command that shows what it received: the
# password's length, not the password.
node dist/s3-kms-env.cjs exec --kms-key-id alias/demo-config s3://demo-bucket/app.env -- \
  sh -c 'echo "app: DB_USERNAME=$DB_USERNAME DB_HOSTNAME=$DB_HOSTNAME, DB_PASSWORD has ${#DB_PASSWORD} characters"'
{ set +x; } 2>/dev/null
echo "moto is still running for you to try more; stop it with: node scripts/moto.mjs stop"

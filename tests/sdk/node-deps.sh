#!/usr/bin/env bash
# Installs the Node packages the SDK's tests use (package.json, pinned by package-lock.json) with
# `npm ci`, only when node_modules/ is missing or was installed from another lockfile: a stamp
# in node_modules/ remembers the lockfile's hash. Run from anywhere; for scripts/test.
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp=node_modules/.phat-package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "node-deps: npm ci (node_modules is missing or older than package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"

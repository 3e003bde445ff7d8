#!/usr/bin/env bash
# Checks that docs/examples/storage-webdav works as a third-party storage plugin would: outside the workspace,
# against a packed @deskrec/core tarball, with its own build and tests against a real WebDAV server
# (webdav-server from npm), then loaded by a host by its scoped package name, @acme/deskrec-storage-webdav.
# Usage (from anywhere): bash docs/examples/verify-storage-webdav.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
example="$repo/docs/examples/storage-webdav"
work="$(mktemp -d "${TMPDIR:-/tmp}/deskrec-webdav.XXXXXX")"
installed="$repo/node_modules/@acme/deskrec-storage-webdav"
trap 'rm -rf "$work" "$installed"' EXIT

echo "== build and pack @deskrec/core"
(cd "$repo" && npx tsc -b core)
mkdir -p "$work/pack"
tarball="$work/pack/$(cd "$repo/core" && npm pack --silent --pack-destination "$work/pack" | tail -n 1)"
echo "$tarball"

echo "== copy the example to $work/example and install it against the packed core (others from the registry)"
mkdir -p "$work/example"
(cd "$example" && tar --exclude=node_modules --exclude=dist -cf - .) | (cd "$work/example" && tar -xf -)
cd "$work/example"
npm install --no-audit --no-fund --save-dev "$tarball"

echo "== build, typecheck, test (the storage kit against webdav-server)"
npm run build
npm run typecheck
npm test

echo "== pack the example; install it where the host resolves plugins, only for this run"
example_tarball="$work/pack/$(npm pack --silent --pack-destination "$work/pack" | tail -n 1)"
rm -rf "$installed"
mkdir -p "$installed"
tar -xzf "$example_tarball" -C "$installed" --strip-components=1

echo "== a host loads @acme/deskrec-storage-webdav by package name; Test connection reaches the WebDAV server"
(cd "$repo" && npm run --silent build -w @deskrec/host)
(cd "$repo/host" && DESKREC_WEBDAV_SERVER_SCRIPT="$work/example/test/server-process.mjs" \
  node --import tsx ../node_modules/uvu/bin.js test/external "storage-webdav\.e2e\.ts$")

echo "verify-storage-webdav: OK"

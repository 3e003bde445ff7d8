#!/usr/bin/env bash
# Checks that docs/examples/pbx-line-protocol works as a third-party plugin would: outside the workspace,
# against a packed @deskrec/core tarball (as if installed from the registry), with its own build and tests.
# Usage (from anywhere): bash docs/examples/verify-example.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
example="$repo/docs/examples/pbx-line-protocol"
work="$(mktemp -d "${TMPDIR:-/tmp}/deskrec-example.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== build @deskrec/core"
(cd "$repo" && npx tsc -b core)

echo "== pack @deskrec/core into $work/pack"
mkdir -p "$work/pack"
tarball="$(cd "$repo/core" && npm pack --silent --pack-destination "$work/pack" | tail -n 1)"
tarball="$work/pack/$tarball"
echo "$tarball"

echo "== copy the example to $work/example"
mkdir -p "$work/example"
(cd "$example" && tar --exclude=node_modules --exclude=dist -cf - .) | (cd "$work/example" && tar -xf -)

cd "$work/example"
echo "== install the example against the packed core (other dependencies from the registry)"
npm install --no-audit --no-fund --save-dev "$tarball"

echo "== build"
npm run build
echo "== typecheck sources and tests"
npm run typecheck
echo "== test"
npm test

echo "== pack the example and install it beside core, the way a host installation gets it"
example_tarball="$(npm pack --silent --pack-destination "$work/pack" | tail -n 1)"
mkdir -p "$work/host"
cd "$work/host"
npm init -y >/dev/null
npm install --no-audit --no-fund "$tarball" "$work/pack/$example_tarball"

echo "== core's loader finds the plugin by package name, starts it, and it reads a line from a TCP peer"
node --input-type=module -e "
import net from 'node:net';
import os from 'node:os';
import { loadPlugins, silentLogger, systemClock } from '@deskrec/core';

const server = net.createServer((socket) => socket.end('2026-01-05T10:00:00Z START call-42 1001 inbound +15551234\\n'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const registry = await loadPlugins(
  [{ kind: 'call-events', where: 'plugins.callEvents[0]',
     entry: { use: 'deskrec-pbx-line-protocol', id: 'line', options: { host: '127.0.0.1', port: server.address().port } } }],
  { logger: silentLogger, clock: systemClock, dataDir: os.tmpdir(), signal: new AbortController().signal },
);
const [loaded] = registry.list('call-events');
console.log('loaded', loaded.manifest.id, loaded.manifest.version, 'as', loaded.id);
const event = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no event within 5 s')), 5000);
  loaded.instance.start({ event: (e) => { clearTimeout(timer); resolve(e); }, problem: (p) => reject(new Error(p.message)) });
});
console.log('event', event.type, event.callId, event.agent.by + ':' + event.agent.value, event.at.toISOString());
await loaded.instance.stop();
server.close();
"
echo "== a host whose config names the plugin by package name records a call from it, end to end"
# Installed into the repository's node_modules, where the host's plugin loader looks, only for this run.
installed="$repo/node_modules/deskrec-pbx-line-protocol"
rm -rf "$installed"
mkdir -p "$installed"
trap 'rm -rf "$work" "$installed"' EXIT
tar -xzf "$work/pack/$example_tarball" -C "$installed" --strip-components=1
# The host build also bundles the portal's browser code (host/scripts/build-portal-assets.mjs).
(cd "$repo" && npx tsc -b agent && npm run --silent build -w @deskrec/host)
(cd "$repo/host" && node --import tsx ../node_modules/uvu/bin.js test/external "example-plugin\.e2e\.ts$")

echo "verify-example: OK"

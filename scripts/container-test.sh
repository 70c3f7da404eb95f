#!/usr/bin/env bash
# Builds the Dockerfile for real with rootful podman and checks the image end to end:
# a webhook posted through a published loopback port reaches a backend, `podman healthcheck run`
# passes, the process user is not root, and `podman stop` drains and exits well inside the grace.
#
# Docker Hub is not reachable here, so the base image (BASE build arg) is made locally:
# debootstrap --variant=minbase from this machine's own apt mirror (read from its apt sources at
# run time) plus this machine's node and npm. Needs root, podman and debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."

GRACE=20
NODE_BIN=$(command -v node)
NODE_VERSION=$(node --version)
BASE_TAG="localhost/tlsgate-base:${NODE_VERSION}"
IMAGE=localhost/tlsgate:container-test
NAME=tlsgate-container-test
WORK=$(mktemp -d /tmp/tlsgate-container.XXXXXX)
BACKEND_PID=

log() { echo "== $*"; }
fail() { echo "container-test: FAIL: $*" >&2; exit 1; }
cleanup() {
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  [ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (rootful podman)"
command -v podman >/dev/null || fail "podman is missing: apt-get install -y podman"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install -y debootstrap"

# Settings podman needs on these machines (no systemd, no journald, low default ulimits).
cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$WORK/containers.conf"

# The first deb mirror and suite this machine's apt uses (deb822 .sources or one-line lists).
apt_source() {
  local f uri suite
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/{print $2; exit}' "$f")
    suite=$(awk '/^Suites:/{print $2; exit}' "$f")
    if [ -n "$uri" ] && [ -n "$suite" ] && ! grep -qi '^Enabled: *no' "$f"; then echo "$uri $suite"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    read -r uri suite < <(awk '$1=="deb"{ i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i+1); exit }' "$f") || true
    if [ -n "${uri:-}" ]; then echo "$uri $suite"; return; fi
  done
  fail "no deb line found in /etc/apt/sources.list or /etc/apt/sources.list.d/"
}

if podman image exists "$BASE_TAG"; then
  log "base image $BASE_TAG exists"
else
  read -r MIRROR SUITE < <(apt_source)
  log "building base image $BASE_TAG: debootstrap $SUITE (minbase) + node $NODE_VERSION"
  ROOTFS="$WORK/rootfs"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  install -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
  NPM_DIR=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  mkdir -p "$ROOTFS/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  # This machine may reach the npm registry through a TLS proxy whose CA only its own bundle
  # trusts: the local base image trusts the same bundle, as the machine's npm does.
  CHANGES=(--change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin')
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$ROOTFS/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
    CHANGES+=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
  fi
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin
  tar -C "$ROOTFS" -c . | podman import "${CHANGES[@]}" - "$BASE_TAG" >/dev/null
  rm -rf "$ROOTFS"
fi

log "podman build (docker format keeps HEALTHCHECK)"
start=$(date +%s)
podman build --format docker --network host --build-arg "BASE=$BASE_TAG" -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "podman build failed"; }
log "built in $(( $(date +%s) - start ))s"

# A backend on the host's loopback; the container shares the host network namespace for the
# upstream only through host.containers.internal, so listen on all addresses of this host.
log "backend and certificates"
BACKEND_PORT=$(node -e "const s=require('net').createServer().listen(0,'0.0.0.0',()=>{console.log(s.address().port);s.close()})")
node -e "
require('http').createServer((req,res)=>{let n=0;req.on('data',c=>n+=c.length);req.on('end',()=>{
  console.log(JSON.stringify({method:req.method,url:req.url,bytes:n,slow:req.url.includes('slow')}));
  setTimeout(()=>{res.writeHead(202,{'content-type':'text/plain'});res.end('evt-1\n')}, req.url.includes('slow')?3000:0)})}).listen($BACKEND_PORT,'0.0.0.0')
" >"$WORK/backend.log" 2>&1 &
BACKEND_PID=$!

ETC="$WORK/etc"
mkdir -p "$ETC/certs"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ETC/certs/tls.key" -out "$ETC/certs/tls.crt" -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
cat >"$ETC/tlsgate.yaml" <<YAML
listeners:
  - port: 8443
    host: 0.0.0.0
    cert: certs/tls.crt
    key: certs/tls.key
routes:
  - path: /
    upstream: http://host.containers.internal:$BACKEND_PORT
workers: 2
admin:
  listen: 127.0.0.1:9900
YAML
chown -R 10001:10001 "$ETC"

HOST_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log "run (published on 127.0.0.1:$HOST_PORT)"
# --health-interval=disable: no systemd here to run the timer; `podman healthcheck run` below checks it.
podman run -d --name "$NAME" --health-interval=disable -p "127.0.0.1:$HOST_PORT:8443" -v "$ETC:/etc/tlsgate" --stop-timeout $((GRACE + 10)) "$IMAGE" serve --grace "$GRACE" >/dev/null
for _ in $(seq 1 60); do
  podman logs "$NAME" 2>/dev/null | grep -q '"event":"started"' && break
  podman container exists "$NAME" && [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || { podman logs "$NAME"; fail "container stopped during start-up"; }
  sleep 0.5
done
podman logs "$NAME" | grep -q '"event":"started"' || { podman logs "$NAME"; fail "no started log line within 30s"; }

log "post a webhook through the container"
status=$(curl -sS --max-time 15 --tlsv1.2 --tls-max 1.2 --cacert "$ETC/certs/tls.crt" --resolve "localhost:$HOST_PORT:127.0.0.1" \
  -o "$WORK/resp" -w '%{http_code}' -H 'content-type: application/json' --data '{"events":[{"id":"evt-1"}]}' "https://localhost:$HOST_PORT/webhook")
[ "$status" = 202 ] || fail "expected 202 from the backend through tlsgate, got $status"
grep -q '"url":"/webhook"' "$WORK/backend.log" || fail "backend did not receive the webhook"

log "podman healthcheck run"
podman healthcheck run "$NAME" || fail "healthcheck failed"
podman exec "$NAME" node -e "fetch('http://127.0.0.1:9900/readyz').then(async r=>{console.log(r.status, await r.text());process.exit(r.ok?0:1)},e=>{console.error(e);process.exit(1)})" \
  || fail "/readyz is not 200 inside the container"

log "process user"
users=$(podman top "$NAME" user | tail -n +2 | sort -u | tr '\n' ' ')
echo "users: $users"
case " $users " in *" root "*|*" 0 "*) fail "a process runs as root: $users" ;; esac
[ -n "${users// /}" ] || fail "podman top listed no processes"

log "podman stop drains a request in flight"
curl -sS --max-time 30 --cacert "$ETC/certs/tls.crt" --resolve "localhost:$HOST_PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
  --data '{}' "https://localhost:$HOST_PORT/slow" >"$WORK/slow.status" 2>"$WORK/slow.err" &
CURL_PID=$!
for _ in $(seq 1 40); do grep -q '"/slow"' "$WORK/backend.log" && break; sleep 0.25; done
grep -q '"/slow"' "$WORK/backend.log" || fail "slow request did not reach the backend"
t0=$(date +%s)
podman stop -t $((GRACE + 10)) "$NAME" >/dev/null
elapsed=$(( $(date +%s) - t0 ))
wait "$CURL_PID" || true
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
echo "stop took ${elapsed}s, exit code $code, request in flight got $(cat "$WORK/slow.status")"
[ "$(cat "$WORK/slow.status")" = 202 ] || { cat "$WORK/slow.err"; fail "request in flight at stop did not complete with 202"; }
[ "$code" = 0 ] || { podman logs "$NAME" | tail -20; fail "exit code $code, expected 0"; }
[ "$elapsed" -lt "$GRACE" ] || fail "stop took ${elapsed}s, not inside the ${GRACE}s grace"
podman logs "$NAME" | grep -q '"event":"stopped"' || fail "no stopped log line"

log "container test passed"

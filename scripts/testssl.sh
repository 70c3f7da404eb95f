#!/usr/bin/env bash
# Runs testssl.sh (Debian package `testssl.sh`) against a local tlsgate listener and checks what
# the sender relies on: only TLS 1.2 offered, only the four suites, no renegotiation, no TLS
# compression. Prints testssl's findings for those checks and exits non-zero if any is off.
# Usage: scripts/testssl.sh            (builds dist/ if missing; installs testssl.sh if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v testssl >/dev/null && ! command -v testssl.sh >/dev/null; then
  echo "== installing testssl.sh (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq testssl.sh
fi
TESTSSL=$(command -v testssl || command -v testssl.sh)
[ -f dist/main.js ] || npm run build >/dev/null

work=$(mktemp -d)
gw_pid=""
cleanup() { [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cat >"$work/tlsgate.yaml" <<YAML
listeners:
  - port: $port
    host: 127.0.0.1
    allowAnyPort: true
    cert: server.crt
    key: server.key
    generateCert: true
routes:
  - path: /
    upstream: http://127.0.0.1:9
log:
  level: warn
YAML
node dist/main.js serve --config "$work/tlsgate.yaml" >"$work/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
if ! kill -0 "$gw_pid" 2>/dev/null || ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  cat "$work/gateway.log" >&2
  echo "tlsgate did not start on 127.0.0.1:$port; its log is above" >&2
  exit 1
fi

echo "== testssl.sh $("$TESTSSL" --version 2>/dev/null | grep -m1 -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' || true) against tlsgate on 127.0.0.1:$port (OpenSSL $(node -p process.versions.openssl), Node $(node --version))"
# -p protocols, -E every cipher per protocol, -R renegotiation, -C compression (CRIME).
"$TESTSSL" --quiet --color 0 --warnings off --ip one --fast --sneaky \
  --jsonfile "$work/result.json" -p -E -R -C "127.0.0.1:$port" >"$work/testssl.txt" 2>&1 || true
[ -n "${TESTSSL_KEEP:-}" ] && cp "$work/testssl.txt" "$work/result.json" "$TESTSSL_KEEP"/

node - "$work/result.json" <<'JS'
const fs = require('fs');
const raw = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const items = Array.isArray(raw) ? raw : raw.scanResult?.flatMap((s) => Object.values(s).flat()).filter((x) => x && x.id) ?? [];
const by = (id) => items.find((i) => i.id === id)?.finding ?? '(missing)';
const problems = [];
const expect = (what, ok, finding) => { console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}: ${finding}`); if (!ok) problems.push(what); };
for (const p of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_3']) expect(`${p} not offered`, /not offered/i.test(by(p)), by(p));
expect('TLS1_2 offered', /^offered/i.test(by('TLS1_2')), by('TLS1_2'));
const suites = items.filter((i) => /^cipher-tls1_2_x/i.test(i.id)).map((i) => i.finding.trim().split(/\s+/)).map((f) => f.find((w) => /-/.test(w) && /SHA/.test(w)) ?? f.join(' '));
const want = ['AES128-SHA256', 'AES256-SHA256', 'DHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-SHA256'];
const got = [...new Set(suites)].sort();
expect('TLS 1.2 suites are exactly the four', JSON.stringify(got) === JSON.stringify(want), got.join(', ') || '(none found)');
const other = items.filter((i) => /^cipher-(ssl|tls1_[013])/i.test(i.id));
expect('no suites under other protocols', other.length === 0, other.map((i) => i.id).join(', ') || 'none');
expect('secure renegotiation (RFC 5746) supported', /supported/i.test(by('secure_renego')) && !/not supported/i.test(by('secure_renego')), by('secure_renego'));
expect('no client-initiated renegotiation', /not vulnerable/i.test(by('secure_client_renego')), by('secure_client_renego'));
expect('no TLS compression (CRIME)', /not vulnerable/i.test(by('CRIME_TLS')), by('CRIME_TLS'));
if (problems.length) { console.log(`\n${problems.length} check(s) failed: ${problems.join('; ')}`); process.exit(1); }
console.log('\nall testssl.sh checks passed');
JS

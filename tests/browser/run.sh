#!/usr/bin/env bash
# The reference page (GET /) in a real headless browser: serve on a free
# loopback port with a fresh queue, then tests/browser/purchase.mjs walks
# the purchase path. Called by tests/run; installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/prepbook"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" serve --listen "127.0.0.1:$port" --db "sqlite:$work/q.db" --storage "$work/playbooks" \
  --workers 1 >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
resume="${BROWSER_RESUME:-fixtures/import/docs/02-de-senior-streaming-india.docx.docx}"
out="${BROWSER_OUT:-$work}"  # screenshots: preview.png, rendered.png
mkdir -p "$out"
if ! node tests/browser/purchase.mjs "http://127.0.0.1:$port" "$resume" fixtures/job.mle.txt "$out"; then
  echo "--- serve log"; tail -50 "$work/serve.log"
  exit 1
fi

#!/usr/bin/env bash
# Post-deploy smoke test through the public endpoint: ready, the API answers in its contract's shape,
# and /metrics is not reachable from outside. Usage: verify.sh <base url>
set -euo pipefail

base="${1:?base url, e.g. https://conduit.example.com}"

for attempt in $(seq 1 30); do
  if curl -fsS --max-time 5 "$base/health/ready" >/dev/null 2>&1; then
    break
  fi
  if (( attempt == 30 )); then
    echo "GET $base/health/ready did not answer 200 within 60 s" >&2
    exit 1
  fi
  sleep 2
done

tags="$(curl -fsS --max-time 10 "$base/api/tags")"
if [[ "$tags" != *'"tags"'* ]]; then
  echo "GET $base/api/tags did not answer a tags list: ${tags:0:200}" >&2
  exit 1
fi

code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/metrics")"
if [[ "$code" == 200 ]]; then
  echo "GET $base/metrics answered 200: metrics must stay behind the metrics port, not the Ingress" >&2
  exit 1
fi
echo "verified ${base}: ready, /api/tags answers, /metrics not public (${code})"

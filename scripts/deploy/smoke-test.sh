#!/usr/bin/env bash
# Runs a built image the way production does: migrations, then the server, which must answer
# /health/ready and stop cleanly within its drain time on `docker stop`.
# Usage: smoke-test.sh <image> <database url reachable from the host network>
set -euo pipefail

image="${1:?image}"
database_url="${2:?database url}"
secret="smoke-test-secret-$(date +%s)-0123456789abcdef"
name="hexa-monolith-smoke-$$"

docker run --rm --network host -e APP_ENV=production -e CORS_ORIGINS="*" -e DATABASE_URL="$database_url" \
  -e JWT_SECRET="$secret" "$image" dist/cli.js migrate
docker run -d --name "$name" --network host -e APP_ENV=production -e CORS_ORIGINS="*" -e DATABASE_URL="$database_url" \
  -e JWT_SECRET="$secret" -e MIGRATE_ON_START=false "$image" >/dev/null
trap 'docker logs "$name" | tail -n 50; docker rm -f "$name" >/dev/null 2>&1 || true' EXIT

for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:3000/health/ready >/dev/null 2>&1; then
    break
  fi
  sleep 1
done
curl -fsS http://127.0.0.1:3000/health/ready
curl -fsS http://127.0.0.1:3000/metrics | head -n 5

start=$(date +%s)
docker stop --time 30 "$name" >/dev/null
code="$(docker inspect --format '{{.State.ExitCode}}' "$name")"
echo "stopped in $(( $(date +%s) - start ))s with exit code $code"
[[ "$code" == "0" ]]

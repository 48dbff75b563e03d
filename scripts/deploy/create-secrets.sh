#!/usr/bin/env bash
# Creates or updates the Kubernetes Secrets of one environment from the CD job's environment
# (the GitHub secrets; mapping in docs/secrets.md). Values travel through files, never argv.
# Usage: create-secrets.sh <overlay dir> <namespace>
set -euo pipefail

overlay="${1:?overlay directory}"
namespace="${2:?namespace}"

: "${DATABASE_URL:?DATABASE_URL is empty (GitHub secret DATABASE_URL_STAGING or DATABASE_URL_PROD)}"
: "${DB_MIGRATION_URL:?DB_MIGRATION_URL is empty (GitHub secret DB_MIGRATION_URL)}"
: "${JWT_SECRET:?JWT_SECRET is empty (GitHub secret JWT_SECRET)}"
if (( ${#JWT_SECRET} < 32 )); then
  echo "JWT_SECRET must be at least 32 characters" >&2
  exit 1
fi

# The namespace first, so the Secrets have somewhere to go on a first deployment.
kubectl apply -f "$overlay/namespace.yaml"

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
umask 077
printf '%s' "$DATABASE_URL" >"$dir/DATABASE_URL"
printf '%s' "$JWT_SECRET" >"$dir/JWT_SECRET"
printf '%s' "${SENTRY_DSN:-}" >"$dir/SENTRY_DSN"
printf '%s' "${WEBHOOK_URL:-}" >"$dir/WEBHOOK_URL"
printf '%s' "${WEBHOOK_SECRET:-}" >"$dir/WEBHOOK_SECRET"
printf '%s' "$DB_MIGRATION_URL" >"$dir/MIGRATION_URL"
printf '%s' "${ALERT_WEBHOOK_URL:-}" >"$dir/webhook-url"
printf '%s' "${ALERT_SLACK_WEBHOOK:-}" >"$dir/slack-webhook-url"

apply_secret() {
  local name="$1"
  shift
  kubectl -n "$namespace" create secret generic "$name" "$@" --dry-run=client -o yaml | kubectl apply -f -
}

apply_secret hexa-monolith-secrets \
  --from-file=DATABASE_URL="$dir/DATABASE_URL" \
  --from-file=JWT_SECRET="$dir/JWT_SECRET" \
  --from-file=SENTRY_DSN="$dir/SENTRY_DSN" \
  --from-file=WEBHOOK_URL="$dir/WEBHOOK_URL" \
  --from-file=WEBHOOK_SECRET="$dir/WEBHOOK_SECRET"
apply_secret hexa-monolith-migration --from-file=DATABASE_URL="$dir/MIGRATION_URL"
apply_secret alerting-secrets \
  --from-file=webhook-url="$dir/webhook-url" \
  --from-file=slack-webhook-url="$dir/slack-webhook-url"

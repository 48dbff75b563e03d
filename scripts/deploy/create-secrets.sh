#!/usr/bin/env bash
# Creates or updates the Kubernetes Secrets of one environment from the CD job's environment
# (the GitHub secrets of that environment; mapping in docs/secrets.md). Values travel through files,
# never argv. The namespace must exist already (k8s/platform, applied once by a cluster admin).
# Usage: create-secrets.sh <overlay dir> <namespace>
set -euo pipefail

overlay="${1:?overlay directory}"
namespace="${2:?namespace}"

: "${DATABASE_URL:?DATABASE_URL is empty (GitHub secret DATABASE_URL_STAGING or DATABASE_URL_PROD)}"
: "${DB_MIGRATION_URL:?DB_MIGRATION_URL is empty (GitHub secret DB_MIGRATION_URL_STAGING or DB_MIGRATION_URL_PROD)}"
: "${JWT_SECRET:?JWT_SECRET is empty (GitHub secret JWT_SECRET)}"
if (( ${#JWT_SECRET} < 32 )); then
  echo "JWT_SECRET must be at least 32 characters" >&2
  exit 1
fi

# host:port/database of a postgres:// URL, without user, password or parameters.
target() {
  local rest="${1#*://}"
  rest="${rest##*@}"
  rest="${rest%%\?*}"
  case "$rest" in
    */*) ;;
    *) rest="$rest/" ;;
  esac
  local hostport="${rest%%/*}" database="${rest#*/}"
  [[ "$hostport" == *:* ]] || hostport="$hostport:5432"
  printf '%s/%s' "$hostport" "$database"
}
# user of a postgres:// URL.
user_of() {
  local rest="${1#*://}"
  rest="${rest%%@*}"
  printf '%s' "${rest%%:*}"
}

# The migration role must change the schema the app reads: same server, same database, another role.
if [[ "$(target "$DB_MIGRATION_URL")" != "$(target "$DATABASE_URL")" ]]; then
  echo "DB_MIGRATION_URL points at $(target "$DB_MIGRATION_URL"), DATABASE_URL at $(target "$DATABASE_URL"): both must name the same database of ${namespace}" >&2
  exit 1
fi
if [[ "$(user_of "$DB_MIGRATION_URL")" == "$(user_of "$DATABASE_URL")" ]]; then
  echo "DB_MIGRATION_URL and DATABASE_URL use the same role; the app role must not own the schema (docs/deployment.md, database bootstrap)" >&2
  exit 1
fi

# Every namespace has a "default" ServiceAccount; the deploy credential may read ServiceAccounts, not Namespaces.
kubectl -n "$namespace" get serviceaccount default >/dev/null || {
  echo "namespace ${namespace} does not exist: a cluster admin applies k8s/platform first (docs/deployment.md)" >&2
  exit 1
}

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
printf '%s' "${ALERT_PAGERDUTY_KEY:-}" >"$dir/pagerduty-routing-key"

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
  --from-file=slack-webhook-url="$dir/slack-webhook-url" \
  --from-file=pagerduty-routing-key="$dir/pagerduty-routing-key"
echo "secrets of ${overlay} applied to ${namespace}"

#!/usr/bin/env bash
# Writes the cluster credentials from KUBE_CONFIG (a base64-encoded kubeconfig) for later steps.
set -euo pipefail

: "${KUBE_CONFIG:?KUBE_CONFIG is empty: add the base64 of a kubeconfig as a GitHub secret (docs/secrets.md)}"
dir="${RUNNER_TEMP:-$(mktemp -d)}/kube"
mkdir -p "$dir"
umask 077
if ! printf '%s' "$KUBE_CONFIG" | base64 --decode >"$dir/config" 2>/dev/null; then
  echo "KUBE_CONFIG is not valid base64 (create it with: base64 -w0 kubeconfig)" >&2
  exit 1
fi
if [[ -n "${GITHUB_ENV:-}" ]]; then
  echo "KUBECONFIG=$dir/config" >>"$GITHUB_ENV"
fi
KUBECONFIG="$dir/config" kubectl version --client >/dev/null
echo "kubeconfig written; context: $(KUBECONFIG="$dir/config" kubectl config current-context)"

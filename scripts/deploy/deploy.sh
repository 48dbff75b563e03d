#!/usr/bin/env bash
# Deploys one overlay with the given image: migrations first (the Job alone), then everything,
# then waits for the rollout. Needs kubectl ≥ 1.27 and a current kubeconfig.
# Usage: deploy.sh <overlay dir> <namespace> <image:tag>
set -euo pipefail

overlay="${1:?overlay directory}"
namespace="${2:?namespace}"
image="${3:?image reference}"

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
# The overlay names the image "hexa-monolith"; swap in the pushed one without editing files.
kubectl kustomize "$overlay" | sed -E "s#image: ghcr\.io/[^ ]*/hexa-monolith:[^ ]+#image: ${image}#" >"$rendered"
if ! grep -q "image: ${image}" "$rendered"; then
  echo "the rendered overlay does not use ${image}" >&2
  exit 1
fi

# A Job's pod template is immutable: the previous run goes before the new one is applied.
kubectl -n "$namespace" delete job hexa-monolith-migrate --ignore-not-found --wait=true
# Everything but the API itself (ConfigMaps, the migration Job, telemetry, alerts).
kubectl apply -f "$rendered" -l 'app.kubernetes.io/component notin (api)'
if ! kubectl -n "$namespace" wait --for=condition=complete job/hexa-monolith-migrate --timeout=10m; then
  echo "migration failed or timed out; its logs:" >&2
  kubectl -n "$namespace" logs job/hexa-monolith-migrate --all-containers --tail=200 >&2 || true
  exit 1
fi

kubectl apply -f "$rendered"
if ! kubectl -n "$namespace" rollout status deployment/hexa-monolith --timeout=10m; then
  echo "rollout did not complete; rolling back" >&2
  kubectl -n "$namespace" rollout undo deployment/hexa-monolith
  exit 1
fi
echo "deployed ${image} to ${namespace}"

#!/usr/bin/env bash
# Deploys one overlay with the given image digest: migrations first (the Job alone, waited on until it
# completes or fails), then everything, then waits for the rollout. Needs kubectl ≥ 1.27, a current
# kubeconfig, and only the namespace-scoped rights of k8s/platform/deployer.yaml.
# Usage: deploy.sh <overlay dir> <namespace> <image@sha256:digest>
set -euo pipefail

overlay="${1:?overlay directory}"
namespace="${2:?namespace}"
image="${3:?image reference}"

# Only what CI built, tested and signed: a digest, never a tag that can move.
if [[ ! "$image" =~ ^[a-z0-9./_-]+(:[0-9]+)?/[a-z0-9./_-]+@sha256:[0-9a-f]{64}$ ]]; then
  echo "deploy.sh deploys an image by digest (registry/name@sha256:<64 hex>), got ${image}" >&2
  exit 1
fi

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
# The overlay names the image "hexa-monolith"; swap in the pushed one without editing files.
kubectl kustomize "$overlay" | sed -E "s#image: ghcr\.io/[^ ]*/hexa-monolith(:[^ ]+|@sha256:[0-9a-f]+)#image: ${image}#" >"$rendered"
if ! grep -q "image: ${image}" "$rendered"; then
  echo "the rendered overlay does not use ${image}" >&2
  exit 1
fi

job=hexa-monolith-migrate
# A Job's pod template is immutable: the previous run goes before the new one is applied.
kubectl -n "$namespace" delete job "$job" --ignore-not-found --wait=true
# Everything but the API itself (ConfigMaps, the migration Job, telemetry, alerts).
kubectl apply -f "$rendered" -l 'app.kubernetes.io/component notin (api)'

# Complete or Failed, whichever comes first: a failed migration stops the deploy at once.
status=""
for _ in $(seq 1 200); do
  status="$(kubectl -n "$namespace" get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')"
  case " $status " in
    *" Complete "*) break ;;
    *" Failed "*) break ;;
  esac
  sleep 3
done
if [[ " $status " != *" Complete "* ]]; then
  echo "migration ${status:-did not finish in 10 minutes}; its logs:" >&2
  kubectl -n "$namespace" logs "job/$job" --all-containers --tail=200 >&2 || true
  exit 1
fi

kubectl apply -f "$rendered"
if ! kubectl -n "$namespace" rollout status deployment/hexa-monolith --timeout=10m; then
  echo "rollout did not complete; rolling back" >&2
  kubectl -n "$namespace" rollout undo deployment/hexa-monolith
  exit 1
fi
echo "deployed ${image} to ${namespace}"

#!/usr/bin/env bash
# Writes an image's SBOM (SPDX JSON) and fails on known high or critical vulnerabilities that have a fix.
# Trivy runs from its own image, pinned by version (Dependabot's docker ecosystem does not see this
# line: bump it with the others, docs/deployment.md). Usage: scan-image.sh <image@sha256:digest> <sbom file>
set -euo pipefail

ref="${1:?image reference}"
sbom="${2:?SBOM output file}"
trivy_image="aquasec/trivy:0.67.2"

config="${DOCKER_CONFIG:-$HOME/.docker}/config.json"
trivy() {
  docker run --rm -v "$config:/root/.docker/config.json:ro" -v "$PWD:/out" "$trivy_image" "$@"
}

trivy image --quiet --format spdx-json --output "/out/$sbom" "$ref"
echo "SBOM of ${ref} written to ${sbom}"
trivy image --quiet --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$ref"
echo "no fixable high or critical vulnerability in ${ref}"

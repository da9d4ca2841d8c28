#!/usr/bin/env bash
# Installs the Debian packages the integration tests talk to. On Debian/Ubuntu as root it installs what is
# missing; elsewhere it lists what is missing and the matching suites skip (or fail under
# KUBEWARD_REQUIRE_INTEGRATION=1) naming the reason.
set -euo pipefail

# command-to-check  debian-package  suite
# (a check with a slash is a path glob: PostgreSQL's server binaries are not on PATH on Debian)
DEPS=(
  "kubectl kubernetes-client kustomize-rendering"
  "docker-registry docker-registry registry-client"
  "openssl openssl registry-client(token-auth)"
  "zstd zstd zstd-layers"
  "dpkg dpkg dpkg-differential"
  "rpm rpm rpm-differential"
  "python3 python3 java-archives(zip-fixtures)"
  "/usr/lib/postgresql/*/bin/initdb postgresql store-postgres"
)

have() {
  case "$1" in
    */*)
      compgen -G "$1" >/dev/null && return 0
      # Elsewhere the server binaries sit in pg_config's bindir.
      command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/$(basename "$1")" ]
      ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_pkgs=()
for dep in "${DEPS[@]}"; do
  read -r cmd pkg suite <<<"$dep"
  if ! have "$cmd"; then
    missing_pkgs+=("$pkg")
    echo "test-deps: '$cmd' not found (needed by integration suite '$suite'; Debian package '$pkg')"
  fi
done

[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${missing_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
else
  echo "test-deps: not root on Debian/Ubuntu; the suites above will be skipped"
fi

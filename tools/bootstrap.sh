#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian/Ubuntu machine that
# has Node.js/npm and apt: Deno (from npm), the Debian Jupyter packages used to
# execute and export the notebooks headless, the npm dependencies, and the
# data assets (downloaded with pinned checksums, or copied from the mirror
# named by BBC_DATA_MIRROR). Safe to re-run: every step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6
# Jupyter's headless executor and exporter; Mesa's software renderer so that
# Deno's WebGPU finds an adapter (llvmpipe) and the WebGPU correctness tests run.
APT_PACKAGES=(jupyter-nbconvert jupyter-client jupyter-core python3-nbclient libegl-mesa0 libgl1-mesa-dri)

if ! command -v deno >/dev/null || [[ "$(deno --version | head -n1)" != "deno ${DENO_VERSION} "* ]]; then
  echo "bootstrap: installing deno ${DENO_VERSION} with npm"
  npm install --global --no-fund --no-audit "deno@${DENO_VERSION}" >/dev/null
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

deno install --quiet
deno task --quiet setup

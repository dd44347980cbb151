#!/usr/bin/env bash
# The browser the media library's tests drive (test/web-library.e2e-spec.ts, through playwright-core): Debian's
# `chromium` package at /usr/bin/chromium (or HANGAR_CHROMIUM), installed with apt-get when missing. Run by
# setup.sh; idempotent and quiet (apt-get's output goes to .hangar/logs/chromium-install.log). Hangar itself does
# not need it, so a machine where it cannot be installed (no apt-get, no root or password-less sudo) gets a
# message saying what to do, and setup goes on; only the browser tests then fail, saying the same.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

chromium=${HANGAR_CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] && exit 0

step "Installing Chromium (Debian's chromium package, for the media library's browser tests)"
cannot() {
  printf '    %s\n    Hangar runs without it; the browser tests need it: install Chromium and, if it is not at\n    /usr/bin/chromium, set HANGAR_CHROMIUM to its path.\n' "$1" >&2
  exit 0
}
command -v apt-get >/dev/null 2>&1 || cannot "No apt-get on this machine: Chromium was not installed."
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  cannot "Installing packages needs root (or password-less sudo): run 'sudo apt-get install chromium' yourself."
fi
run_quietly chromium-install "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  bash -c 'apt-get update -q && apt-get install -y -q --no-install-recommends chromium' ||
  cannot "apt-get could not install chromium (its output is above)."
[[ -x $chromium ]] || cannot "chromium was installed, but not at $chromium."

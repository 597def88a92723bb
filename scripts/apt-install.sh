#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (nothing, and no
# `apt-get update`, when all are). Used by the test scripts; safe to run again.
set -euo pipefail
need=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

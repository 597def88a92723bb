#!/usr/bin/env bash
# Builds the mobile binding and runs its checks: the cdylib and uniffi-bindgen (pinned in the
# workspace), Kotlin and Swift sources regenerated and compared with the committed ones, the shared
# vectors through uniffi's Python bindings under pytest, a Kotlin program (bindings-mobile/kotlin,
# with the README's example) and the programs in examples/kotlin compiled with kotlinc and run on
# the JVM with JNA, and the Swift C header checked with clang. Installs what it needs under
# cargo's target folder, target/ or $CARGO_TARGET_DIR (and Debian's libjna-java and clang); safe
# to run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }
OUT=$TARGET/mobile
GEN=bindings-mobile/generated

# a dev build: the tests exercise the binding's glue, not its speed (an app builds its library
# with --release, see bindings-mobile/README.md), and the dev profile shares most of the
# workspace's test build
step "mobile binding: cargo build (cdylib and uniffi-bindgen, dev profile)"
cargo build -p xspense-mobile --features cli
LIB=$TARGET/debug/libxspense_mobile.so
BINDGEN=$TARGET/debug/uniffi-bindgen

step "mobile binding: generate Kotlin, Swift and Python"
rm -rf "$OUT/kotlin" "$OUT/swift" "$OUT/python"
for lang in kotlin swift python; do
  "$BINDGEN" generate --no-format --library "$LIB" --language "$lang" --out-dir "$OUT/$lang" >/dev/null
done
cp "$LIB" "$OUT/python/"
if ! diff -r "$OUT/kotlin" "$GEN/kotlin" >/dev/null || ! diff -r "$OUT/swift" "$GEN/swift" >/dev/null; then
  diff -r "$OUT/kotlin" "$GEN/kotlin" | head -20 || true
  echo "the generated Kotlin/Swift sources changed: copy $OUT/{kotlin,swift} to $GEN and commit" >&2
  exit 1
fi

step "mobile binding: shared vectors through uniffi's Python bindings"
VENV=$TARGET/py-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7"
XSPENSE_MOBILE_PY="$OUT/python" "$VENV/bin/python" -m pytest -q bindings-mobile/tests

step "mobile binding: Kotlin on the JVM (kotlinc from npm, JNA from Debian)"
bash scripts/apt-install.sh libjna-java clang
KT=$TARGET/kotlin
if [ ! -x "$KT/node_modules/kotlin-compiler/bin/kotlinc" ]; then
  mkdir -p "$KT"
  (cd "$KT" && npm install --no-audit --no-fund --loglevel=error --prefix . kotlin-compiler@2.4.20)
  chmod +x "$KT"/node_modules/kotlin-compiler/bin/*
fi
KOTLIN="$KT/node_modules/kotlin-compiler"
# the README's Kotlin example is compiled with the program, which runs it
python3 - bindings-mobile/README.md "$OUT/Readme.kt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```kotlin\n(.*?)```", text, re.S)
assert blocks, "the README has a Kotlin example"
open(sys.argv[2], "w", encoding="utf-8").write(blocks[0])
PY
# the programs in examples/kotlin (package `example`) are compiled into the same jar
"$KOTLIN/bin/kotlinc" -nowarn bindings-mobile/kotlin/Main.kt "$OUT/Readme.kt" examples/kotlin/*.kt \
  "$GEN/kotlin/dev/xspense/xspense_mobile.kt" -cp /usr/share/java/jna.jar -d "$OUT/app.jar"
CP="$OUT/app.jar:/usr/share/java/jna.jar:$KOTLIN/lib/kotlin-stdlib.jar"
java -Djna.library.path="$TARGET/debug" -cp "$CP" MainKt
for program in examples/kotlin/*.kt; do
  printf -- '-- %s\n' "$program"
  java -Djna.library.path="$TARGET/debug" -cp "$CP" "example.$(basename "$program" .kt)Kt"
done

step "mobile binding: Swift (no toolchain here: the C header is checked with clang)"
clang -fsyntax-only -Wno-pragma-once-outside-header -x c "$GEN/swift/XspenseFFI.h"
echo "XspenseFFI.h compiles; Xspense.swift is generated but not compiled on this machine"

#!/usr/bin/env bash
# Builds Strata's own libdisni (the JNI library DiSNI's jar loads) from src/main/c.
# Called by this module's Maven build; also runnable by hand: build-libdisni.sh OUTPUT_DIR.
# Where the RDMA development headers or gcc are missing it says so and builds nothing: the
# engine's TCP transport and every test that does not need RDMA are unaffected.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/target/native}"

missing=()
[[ -f /usr/include/infiniband/verbs.h ]] || missing+=(libibverbs-dev)
[[ -f /usr/include/rdma/rdma_cma.h ]] || missing+=(librdmacm-dev)
command -v gcc >/dev/null || missing+=(gcc)
if ((${#missing[@]})); then
  echo "[libdisni] SKIPPED: missing ${missing[*]} (apt-get install ${missing[*]}); the iSER transport will not be available, TCP is unaffected"
  exit 0
fi

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")}"
if [[ ! -f "$java_home/include/jni.h" ]]; then
  echo "[libdisni] SKIPPED: no jni.h under $java_home/include (set JAVA_HOME to a JDK)"
  exit 0
fi

mkdir -p "$out"
gcc -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -shared \
  -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$out/libdisni.so" "$here"/src/main/c/*.c -lrdmacm -libverbs
echo "[libdisni] built $out/libdisni.so"

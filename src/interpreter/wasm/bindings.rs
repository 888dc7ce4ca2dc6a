//! Host-side bindings of the `fedplan:interpreter` world (`interpreters/wit/`).
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "interpreters/wit",
    world: "interpreter-plugin",
});

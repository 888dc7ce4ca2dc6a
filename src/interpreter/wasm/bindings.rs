//! Host-side bindings of the `fedplan:interpreter` world (`interpreters/wit/`): of its
//! `minimal-plugin` world, what every plugin of the major version exports. The optional
//! `fields` export is looked up by name (see `call::FieldsExports`).
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "interpreters/wit",
    world: "minimal-plugin",
});

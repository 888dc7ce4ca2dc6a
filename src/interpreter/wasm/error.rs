//! Errors of the plugin host.

use std::path::PathBuf;

use crate::interpreter::{InterpreterError, Operation};

/// Why a plugin could not be loaded or a call into it failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WasmError {
    /// The plugin file or directory could not be read.
    #[error("cannot read plugin {path}: {message}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// The engine could not be set up (cache directory, pooling allocator, ...).
    #[error("cannot set up the WebAssembly engine: {message}")]
    Engine {
        /// What failed.
        message: String,
    },
    /// The bytes are not a valid WebAssembly component.
    #[error("plugin {plugin:?} is not a valid WebAssembly component: {message}")]
    Compile {
        /// Plugin name.
        plugin: String,
        /// Why compilation failed.
        message: String,
    },
    /// The component was built against another major version of the world.
    #[error("plugin {plugin:?} targets fedplan:interpreter@{found}; this fedplan accepts fedplan:interpreter@{supported} (same major version); rebuild the plugin against interpreters/wit of this release")]
    IncompatibleVersion {
        /// Plugin name.
        plugin: String,
        /// The world version the plugin was built against.
        found: String,
        /// The world version this host implements.
        supported: String,
    },
    /// The component imports something the host does not provide (files, network, clocks,
    /// WASI in general).
    #[error("plugin {plugin:?} imports {import:?}; a plugin may import only fedplan:interpreter/host (no WASI: no files, network, clock, randomness or environment)")]
    ForbiddenImport {
        /// Plugin name.
        plugin: String,
        /// The refused import.
        import: String,
    },
    /// The component needs something of the world this host does not provide (e.g. a
    /// function added by a newer minor version).
    #[error("plugin {plugin:?} cannot be linked: {message}; rebuild it against interpreters/wit of this release")]
    Link {
        /// Plugin name.
        plugin: String,
        /// The linker's reason.
        message: String,
    },
    /// The component does not export the `fedplan:interpreter/plugin` interface.
    #[error("plugin {plugin:?} does not export fedplan:interpreter/plugin@{supported} (exports: {exports})")]
    MissingExport {
        /// Plugin name.
        plugin: String,
        /// The world version this host implements.
        supported: String,
        /// What it exports instead, comma-separated.
        exports: String,
    },
    /// The plugin's manifest is unusable.
    #[error("plugin {plugin:?}: invalid manifest: {message}")]
    Manifest {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        message: String,
    },
    /// No loaded plugin implements the operation for the object's kind.
    #[error("no plugin implements {operation} for {api_version}, Kind={kind}")]
    NotHandled {
        /// `apiVersion` of the object.
        api_version: String,
        /// Kind of the object.
        kind: String,
        /// The operation asked for.
        operation: Operation,
    },
    /// A call into a plugin failed.
    #[error("plugin {plugin:?} failed {operation} on {kind}: {failure}")]
    Call {
        /// Plugin name.
        plugin: String,
        /// Kind of the object.
        kind: String,
        /// The operation.
        operation: Operation,
        /// What went wrong.
        failure: CallFailure,
    },
}

/// What went wrong inside one call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallFailure {
    /// The call used up its fuel (a loop that does not end, or work beyond the budget).
    #[error("ran out of fuel ({fuel} units); the plugin loops or does too much work")]
    FuelExhausted {
        /// The fuel the call had.
        fuel: u64,
    },
    /// The call ran past the wall-clock deadline.
    #[error("timed out after {millis} ms")]
    Timeout {
        /// The deadline in milliseconds.
        millis: u64,
    },
    /// The plugin asked for more memory than allowed and trapped.
    #[error("exceeded the memory limit of {limit} bytes")]
    MemoryLimit {
        /// The limit in bytes.
        limit: usize,
    },
    /// The plugin trapped (a panic, an out-of-bounds access, `unreachable`).
    #[error("trapped: {message}")]
    Trap {
        /// The trap and where it happened.
        message: String,
    },
    /// The plugin could not be instantiated for the call.
    #[error("cannot instantiate: {message}")]
    Instantiate {
        /// Why.
        message: String,
    },
    /// The plugin returned text that is not JSON.
    #[error("returned invalid JSON: {message}")]
    InvalidJson {
        /// The parser's message.
        message: String,
    },
    /// The plugin returned JSON or records of the wrong shape.
    #[error("returned a result of the wrong shape at {field}: {message}")]
    WrongShape {
        /// Path of the offending part of the result.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The plugin reported an error itself.
    #[error("{}{message}", field.as_deref().map(|f| format!("field {f}: ")).unwrap_or_default())]
    Plugin {
        /// The plugin's message.
        message: String,
        /// The field it blamed, if any.
        field: Option<String>,
    },
    /// The input could not be passed to the plugin.
    #[error("cannot pass the input: {message}")]
    Input {
        /// Why.
        message: String,
    },
}

impl From<WasmError> for InterpreterError {
    fn from(error: WasmError) -> Self {
        match error {
            WasmError::NotHandled {
                api_version,
                kind,
                operation,
            } => InterpreterError::Unsupported {
                operation,
                gvk: crate::interpreter::Gvk::new(api_version, kind),
            },
            WasmError::Call {
                plugin,
                kind,
                operation,
                failure,
            } => InterpreterError::Customization {
                interpreter: plugin,
                kind,
                operation,
                message: failure.to_string(),
            },
            other => InterpreterError::Customization {
                interpreter: "wasm".to_string(),
                kind: String::new(),
                operation: crate::interpreter::Operation::InterpretReplica,
                message: other.to_string(),
            },
        }
    }
}

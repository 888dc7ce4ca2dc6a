//! One call into a plugin: a fresh store and instance, bounded by fuel, an epoch deadline and
//! a memory limit, with its log captured.

use wasmtime::component::{
    Component, ComponentExportIndex, ComponentNamedList, HasSelf, Instance, InstancePre, Lift,
    Lower,
};
use wasmtime::{ResourceLimiter, Store, Trap, WasmBacktrace};

use super::bindings::fedplan::interpreter::{host, types};
use super::bindings::MinimalPlugin;
use super::config::HostConfig;
use super::engine::deadline_ticks;
use super::error::CallFailure;

/// Severity of a plugin's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Detail for debugging the plugin.
    Debug,
    /// Normal progress.
    Info,
    /// Something unexpected the plugin worked around.
    Warn,
}

impl std::fmt::Display for LogLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
        })
    }
}

/// Denies memory growth beyond the limit and remembers that it did.
pub(crate) struct MemoryLimiter {
    limit: usize,
    pub(crate) refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = true;
            Ok(false)
        } else {
            Ok(true)
        }
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

/// What a store carries through one call.
pub(crate) struct CallState {
    pub(crate) limiter: MemoryLimiter,
    pub(crate) log: Vec<(LogLevel, String)>,
    pub(crate) log_dropped: usize,
    max_log_lines: usize,
    max_log_line_bytes: usize,
}

impl CallState {
    fn new(config: &HostConfig) -> Self {
        CallState {
            limiter: MemoryLimiter {
                limit: config.memory_limit,
                refused: false,
            },
            log: Vec::new(),
            log_dropped: 0,
            max_log_lines: config.max_log_lines,
            max_log_line_bytes: config.max_log_line_bytes,
        }
    }
}

impl host::Host for CallState {
    fn log(&mut self, level: host::Level, mut message: String) {
        if self.log.len() >= self.max_log_lines {
            self.log_dropped += 1;
            return;
        }
        if message.len() > self.max_log_line_bytes {
            let mut cut = self.max_log_line_bytes;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push_str("...");
        }
        let level = match level {
            host::Level::Debug => LogLevel::Debug,
            host::Level::Info => LogLevel::Info,
            host::Level::Warn => LogLevel::Warn,
        };
        self.log.push((level, message));
    }
}

impl types::Host for CallState {}

/// Adds what the host provides (the log) to a linker.
pub(crate) fn add_to_linker(
    linker: &mut wasmtime::component::Linker<CallState>,
) -> wasmtime::Result<()> {
    MinimalPlugin::add_to_linker::<CallState, HasSelf<CallState>>(linker, |state| state)
}

/// The log of a finished call: its lines and how many were dropped.
pub(crate) type CallLog = (Vec<(LogLevel, String)>, usize);

/// The functions of a plugin's `plugin` interface, found once when it is loaded: a call then
/// looks up and type-checks only the function it calls.
pub(crate) struct PluginExports {
    pub(crate) manifest: ComponentExportIndex,
    pub(crate) interpret_replica: ComponentExportIndex,
    pub(crate) revise_replica: ComponentExportIndex,
    pub(crate) retain: ComponentExportIndex,
    pub(crate) aggregate_status: ComponentExportIndex,
    pub(crate) interpret_status: ComponentExportIndex,
    pub(crate) interpret_health: ComponentExportIndex,
    pub(crate) interpret_dependency: ComponentExportIndex,
    pub(crate) interpret_component: ComponentExportIndex,
}

impl PluginExports {
    /// The functions of `interface` (the plugin interface's export name) in `component`; the
    /// name of the first one missing as the error.
    pub(crate) fn find(component: &Component, interface: &str) -> Result<Self, String> {
        let interface_index = component
            .get_export_index(None, interface)
            .ok_or_else(|| interface.to_string())?;
        let function = |name: &str| {
            component
                .get_export_index(Some(&interface_index), name)
                .ok_or_else(|| format!("{interface}#{name}"))
        };
        Ok(PluginExports {
            manifest: function("manifest")?,
            interpret_replica: function("interpret-replica")?,
            revise_replica: function("revise-replica")?,
            retain: function("retain")?,
            aggregate_status: function("aggregate-status")?,
            interpret_status: function("interpret-status")?,
            interpret_health: function("interpret-health")?,
            interpret_dependency: function("interpret-dependency")?,
            interpret_component: function("interpret-component")?,
        })
    }
}

/// The functions of a plugin's optional `fields` interface (world 1.1.0).
pub(crate) struct FieldsExports {
    pub(crate) object_fields: ComponentExportIndex,
    pub(crate) status_fields: ComponentExportIndex,
}

impl FieldsExports {
    /// The functions of `interface` (the fields interface's export name) in `component`:
    /// `Ok(None)` when the plugin does not export the interface, the name of a function
    /// missing from it as the error.
    pub(crate) fn find(component: &Component, interface: &str) -> Result<Option<Self>, String> {
        let Some(interface_index) = component.get_export_index(None, interface) else {
            return Ok(None);
        };
        let function = |name: &str| {
            component
                .get_export_index(Some(&interface_index), name)
                .ok_or_else(|| format!("{interface}#{name}"))
        };
        Ok(Some(FieldsExports {
            object_fields: function("object-fields")?,
            status_fields: function("status-fields")?,
        }))
    }
}

/// Calls the function `export` of `instance` with `params`; its one result.
pub(crate) fn call_export<P, R>(
    store: &mut Store<CallState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    params: P,
) -> wasmtime::Result<R>
where
    P: ComponentNamedList + Lower,
    (R,): ComponentNamedList + Lift,
{
    let function = instance.get_typed_func::<P, (R,)>(&mut *store, export)?;
    let (result,) = function.call(&mut *store, params)?;
    Ok(result)
}

/// Runs `body` against a fresh instance of `pre` under the bounds of `config`.
pub(crate) fn run<R>(
    pre: &InstancePre<CallState>,
    config: &HostConfig,
    body: impl FnOnce(&mut Store<CallState>, &Instance) -> wasmtime::Result<R>,
) -> (Result<R, CallFailure>, CallLog) {
    let mut store = Store::new(pre.engine(), CallState::new(config));
    store.limiter(|state| &mut state.limiter);
    if let Some(fuel) = config.fuel {
        if let Err(e) = store.set_fuel(fuel) {
            let failure = CallFailure::Instantiate {
                message: format!("cannot set fuel: {e}"),
            };
            return (Err(failure), (Vec::new(), 0));
        }
    }
    store.set_epoch_deadline(deadline_ticks(config.timeout));
    let result = match pre.instantiate(&mut store) {
        Ok(instance) => body(&mut store, &instance).map_err(|e| classify(&e, &store, config)),
        Err(e) => Err(match classify(&e, &store, config) {
            CallFailure::Trap { message } => CallFailure::Instantiate { message },
            other => other,
        }),
    };
    let state = store.into_data();
    (result, (state.log, state.log_dropped))
}

fn classify(error: &wasmtime::Error, store: &Store<CallState>, config: &HostConfig) -> CallFailure {
    let trap = error.downcast_ref::<Trap>().copied();
    match trap {
        Some(Trap::OutOfFuel) => CallFailure::FuelExhausted {
            fuel: config.fuel.unwrap_or(0),
        },
        Some(Trap::Interrupt) => CallFailure::Timeout {
            millis: u64::try_from(config.timeout.as_millis()).unwrap_or(u64::MAX),
        },
        _ if store.data().limiter.refused => CallFailure::MemoryLimit {
            limit: config.memory_limit,
        },
        _ => {
            let mut message = match trap {
                Some(trap) => trap.to_string(),
                None => format!("{error:#}"),
            };
            let frame = error
                .downcast_ref::<WasmBacktrace>()
                .and_then(|bt| bt.frames().iter().find_map(|f| f.func_name()));
            if let Some(function) = frame {
                message.push_str(&format!(" (in {function})"));
            }
            CallFailure::Trap { message }
        }
    }
}

//! One call into a plugin: a fresh store and instance, bounded by fuel, an epoch deadline and
//! a memory limit, with its log captured.

use wasmtime::component::HasSelf;
use wasmtime::{ResourceLimiter, Store, Trap, WasmBacktrace};

use super::bindings::fedplan::interpreter::{host, types};
use super::bindings::{InterpreterPlugin, InterpreterPluginPre};
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
    InterpreterPlugin::add_to_linker::<CallState, HasSelf<CallState>>(linker, |state| state)
}

/// The log of a finished call: its lines and how many were dropped.
pub(crate) type CallLog = (Vec<(LogLevel, String)>, usize);

/// Runs `body` against a fresh instance of `pre` under the bounds of `config`.
pub(crate) fn run<R>(
    pre: &InterpreterPluginPre<CallState>,
    config: &HostConfig,
    body: impl FnOnce(&mut Store<CallState>, &InterpreterPlugin) -> wasmtime::Result<R>,
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

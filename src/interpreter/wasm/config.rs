//! Bounds and settings of a plugin host.

use std::path::PathBuf;
use std::time::Duration;

/// Default fuel per call: enough for AggregateStatus over hundreds of members, small enough
/// that a loop stops within a fraction of a second.
pub const DEFAULT_FUEL: u64 = 200_000_000;
/// Default wall-clock deadline per call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// Default memory limit per call (linear memory of the instance).
pub const DEFAULT_MEMORY_LIMIT: usize = 64 << 20;
/// Default maximum log lines kept per call.
pub const DEFAULT_MAX_LOG_LINES: usize = 100;
/// Default maximum bytes kept per log line.
pub const DEFAULT_MAX_LOG_LINE_BYTES: usize = 1024;

/// How a [`PluginHost`](super::PluginHost) bounds and runs its plugins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// Fuel per call (`None` turns fuel off; the epoch deadline still applies). Fuel makes
    /// limits deterministic: a replayed simulation fails the same way.
    pub fuel: Option<u64>,
    /// Wall-clock deadline per call, enforced by epoch interruption (10 ms ticks).
    pub timeout: Duration,
    /// Memory limit per call in bytes.
    pub memory_limit: usize,
    /// Where compiled plugins are cached, by content hash. `None`: `$FEDPLAN_WASM_CACHE`, else
    /// `$XDG_CACHE_HOME/fedplan/wasm`, else `~/.cache/fedplan/wasm`, else no disk cache.
    pub cache_dir: Option<PathBuf>,
    /// Whether compiled plugins are cached on disk at all.
    pub disk_cache: bool,
    /// Log lines kept per call; further lines are counted, not kept.
    pub max_log_lines: usize,
    /// Bytes kept per log line; longer lines are cut.
    pub max_log_line_bytes: usize,
    /// Log lines kept by the host across calls (oldest dropped first).
    pub max_retained_log_lines: usize,
    /// Whether a plugin that lists the fields it reads (the world's `fields` export) is sent
    /// only those; on by default. Off, every plugin gets whole objects and statuses, which
    /// gives the same results when the lists are right (the plugin cuts its input down to
    /// the same fields either way): a way to check them.
    pub projection: bool,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            fuel: Some(DEFAULT_FUEL),
            timeout: DEFAULT_TIMEOUT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            cache_dir: None,
            disk_cache: true,
            max_log_lines: DEFAULT_MAX_LOG_LINES,
            max_log_line_bytes: DEFAULT_MAX_LOG_LINE_BYTES,
            max_retained_log_lines: 10_000,
            projection: true,
        }
    }
}

impl HostConfig {
    /// Sets the fuel per call (`None`: fuel off).
    pub fn with_fuel(mut self, fuel: Option<u64>) -> Self {
        self.fuel = fuel;
        self
    }

    /// Sets the wall-clock deadline per call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the memory limit per call in bytes.
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Sets the compile cache directory.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self.disk_cache = true;
        self
    }

    /// Sends every plugin whole objects and statuses, whatever fields it lists.
    pub fn without_projection(mut self) -> Self {
        self.projection = false;
        self
    }

    /// Turns the disk compile cache off (plugins are then compiled once per process).
    pub fn without_disk_cache(mut self) -> Self {
        self.disk_cache = false;
        self
    }

    /// The cache directory in use, if any.
    pub fn resolved_cache_dir(&self) -> Option<PathBuf> {
        if !self.disk_cache {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        env_dir("FEDPLAN_WASM_CACHE")
            .or_else(|| env_dir("XDG_CACHE_HOME").map(|d| d.join("fedplan").join("wasm")))
            .or_else(|| env_dir("HOME").map(|d| d.join(".cache").join("fedplan").join("wasm")))
    }
}

//! Process-wide engines, the epoch ticker and the compile caches.
//!
//! One engine per distinct engine setting (fuel on or off, cache directory), shared by every
//! host of the process. Compiled components are cached twice: on disk by wasmtime's cache
//! (content hash of the bytes and of the compiler settings; the host only ever reads back
//! what it wrote itself) and in memory by the SHA-256 of the bytes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::error::WasmError;

/// How often the epoch advances; the deadline is counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bytes of a linear memory kept resident between calls when the kernel can report which
/// pages a call dirtied (Linux's `PAGEMAP_SCAN`): only those pages are zeroed again, instead
/// of dropping them all and taking a page fault on each when the next call touches it. Covers
/// a plugin's stack (its first MiB), data and the start of its allocation arena, which is
/// what ordinary calls touch; what a call dirties beyond it is released as before. The scan
/// costs time in proportion to this size (about a microsecond per MiB), and memory: up to
/// this much per pooled slot ever used.
const MEMORY_KEEP_RESIDENT: usize = 2 << 20;

/// The same for tables (a plugin's function tables are a page or two).
const TABLE_KEEP_RESIDENT: usize = 16 << 10;

/// Calls that can run at once on one engine (the pooling allocator's slots); a call beyond
/// that fails with [`CallFailure::Instantiate`](super::CallFailure::Instantiate).
pub const MAX_CONCURRENT_CALLS: u32 = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EngineKey {
    fuel: bool,
    cache_dir: Option<PathBuf>,
}

type ComponentKey = (EngineKey, [u8; 32]);

fn engines() -> &'static Mutex<HashMap<EngineKey, Engine>> {
    static ENGINES: OnceLock<Mutex<HashMap<EngineKey, Engine>>> = OnceLock::new();
    ENGINES.get_or_init(Default::default)
}

fn components() -> &'static Mutex<HashMap<ComponentKey, Component>> {
    static COMPONENTS: OnceLock<Mutex<HashMap<ComponentKey, Component>>> = OnceLock::new();
    COMPONENTS.get_or_init(Default::default)
}

/// A shared engine with its settings.
#[derive(Clone)]
pub(crate) struct SharedEngine {
    key: EngineKey,
    pub(crate) engine: Engine,
}

impl SharedEngine {
    /// The process's engine for these settings, created (with its epoch ticker) on first use.
    pub(crate) fn get(fuel: bool, cache_dir: Option<PathBuf>) -> Result<Self, WasmError> {
        let key = EngineKey { fuel, cache_dir };
        let mut engines = engines().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(engine) = engines.get(&key) {
            return Ok(SharedEngine {
                key,
                engine: engine.clone(),
            });
        }
        let engine = build_engine(&key)?;
        start_ticker(&engine);
        engines.insert(key.clone(), engine.clone());
        Ok(SharedEngine { key, engine })
    }

    /// The compiled component for `bytes`: from memory, else from the disk cache, else
    /// compiled (and cached).
    pub(crate) fn component(&self, plugin: &str, bytes: &[u8]) -> Result<Component, WasmError> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        let key = (self.key.clone(), hash);
        if let Some(component) = components()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(component.clone());
        }
        let component = Component::new(&self.engine, bytes).map_err(|e| WasmError::Compile {
            plugin: plugin.to_string(),
            message: format!("{e:#}"),
        })?;
        components()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, component.clone());
        Ok(component)
    }
}

/// Forgets the compiled components held in memory (the disk cache stays). For long-running
/// processes that unload plugins, and for measuring loads from the disk cache.
pub fn clear_memory_cache() {
    components()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
}

fn engine_error(e: impl std::fmt::Display) -> WasmError {
    WasmError::Engine {
        message: e.to_string(),
    }
}

fn build_engine(key: &EngineKey) -> Result<Engine, WasmError> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.consume_fuel(key.fuel);
    config.epoch_interruption(true);
    // A fresh instance per call is what isolation costs; the pooling allocator and
    // copy-on-write memory images make it a few microseconds.
    let mut pool = PoolingAllocationConfig::default();
    // Concurrent calls per engine; a component instance holds a few core instances.
    pool.total_component_instances(MAX_CONCURRENT_CALLS);
    pool.total_core_instances(MAX_CONCURRENT_CALLS * 4);
    pool.total_memories(MAX_CONCURRENT_CALLS);
    pool.total_tables(MAX_CONCURRENT_CALLS * 4);
    pool.max_memory_size(1 << 32);
    // Without `PAGEMAP_SCAN`, keeping memory resident means zeroing all of it on every call,
    // which costs more than the page faults it saves.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes);
        pool.linear_memory_keep_resident(MEMORY_KEEP_RESIDENT);
        pool.table_keep_resident(TABLE_KEEP_RESIDENT);
    }
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    if let Some(dir) = &key.cache_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| engine_error(format!("{}: {e}", dir.display())))?;
        let mut cache_config = wasmtime::CacheConfig::new();
        cache_config.with_directory(dir);
        let cache = wasmtime::Cache::new(cache_config).map_err(engine_error)?;
        config.cache(Some(cache));
    }
    Engine::new(&config).map_err(|e| engine_error(format!("{e:#}")))
}

/// Advances the engine's epoch every [`EPOCH_TICK`] for as long as the engine lives; the
/// thread holds only a weak reference so it ends with the engine.
fn start_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("fedplan-wasm-epoch".to_string())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        });
    // Without a ticker the deadline never fires; fuel still bounds every call when on.
    drop(spawned);
}

/// The number of whole ticks for `timeout`, at least one.
pub(crate) fn deadline_ticks(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos().div_ceil(EPOCH_TICK.as_nanos()).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

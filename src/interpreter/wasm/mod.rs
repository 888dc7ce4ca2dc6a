//! The WebAssembly plugin host: user interpreters as isolated, bounded, typed components.
//!
//! A plugin is a component of the `fedplan:interpreter` world (`interpreters/wit/`); its
//! manifest names the kinds and operations it implements. [`PluginHost`] loads plugins,
//! refuses components that import anything but the host's log (no WASI) or that target
//! another major version of the world, and runs every call in a fresh store and instance,
//! bounded by fuel (on by default, so limits are deterministic), an epoch deadline (the
//! wall-clock backstop) and a memory limit. A failing call becomes a typed [`WasmError`]
//! naming plugin, kind and operation; the host and the other plugins keep working.
//!
//! Compiled components are cached on disk by content hash and in memory, so a second load
//! of the same plugin costs a few milliseconds at most.
//!
//! ```no_run
//! use fedplan::interpreter::wasm::PluginHost;
//! use fedplan::interpreter::ResourceInterpreter;
//!
//! let host = PluginHost::load_path("interpreters/dist/examples/training-job.wasm")?;
//! let job = serde_json::json!({
//!     "apiVersion": "training.example.io/v1", "kind": "TrainingJob",
//!     "metadata": {"name": "mnist", "namespace": "ml"},
//!     "spec": {"replicaSpecs": {"Worker": {"replicas": 4, "template": {"spec": {
//!         "containers": [{"name": "w", "resources": {"requests": {"cpu": "2"}}}]}}}}}
//! });
//! let replicas = host.interpret_replica(&job)?;
//! assert_eq!(replicas.replicas, 4);
//! for line in host.take_logs() {
//!     println!("{line}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bindings;
mod call;
mod config;
mod convert;
mod engine;
mod error;
mod projection;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use wasmtime::component::Linker;

use crate::api::{AggregatedStatusItem, Component, DependentObjectReference};
use crate::interpreter::{
    Gvk, InterpreterError, Operation, ReplicaInterpretation, ResourceInterpreter,
};

use bindings::fedplan::interpreter::types as wit;
use bindings::MinimalPluginPre;
pub use call::LogLevel;
use call::{call_export, CallState, FieldsExports, PluginExports};
pub use config::*;
pub use engine::{clear_memory_cache, MAX_CONCURRENT_CALLS};
pub use error::{CallFailure, WasmError};
use projection::{FieldTree, InputFields};

/// The version of the `fedplan:interpreter` world this host implements.
pub const WORLD_VERSION: &str = "1.2.0";

const WORLD_PACKAGE: &str = "fedplan:interpreter";

/// `object` with the `status` of `returned` (none when `returned` has none): what an
/// AggregateStatus of a plugin that lists the object fields it reads comes to.
fn with_status_of(object: &Value, mut returned: Value) -> Value {
    let mut status = returned
        .as_object_mut()
        .and_then(|fields| fields.remove("status"));
    let Some(fields) = object.as_object() else {
        return object.clone();
    };
    // The old status is never copied: the new one takes its place, or goes last.
    let mut out = serde_json::Map::with_capacity(fields.len() + 1);
    for (key, value) in fields {
        if key == "status" {
            if let Some(status) = status.take() {
                out.insert(key.clone(), status);
            }
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    if let Some(status) = status {
        out.insert("status".to_string(), status);
    }
    Value::Object(out)
}

/// The minor version of the world a component's `interface` export was built against.
fn world_minor_of(
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
    interface: &str,
) -> Option<u32> {
    let prefix = format!("{WORLD_PACKAGE}/{interface}@");
    component
        .component_type()
        .exports(engine)
        .find_map(|(name, _)| {
            let version = name.strip_prefix(&prefix)?;
            version.split('.').nth(1)?.parse().ok()
        })
}

fn world_major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// A kind a plugin interprets, with the operations it implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginTarget {
    /// The kind.
    pub gvk: Gvk,
    /// The operations implemented for it, in Karmada's order.
    pub operations: Vec<Operation>,
}

/// A loaded plugin, as [`PluginHost::plugins`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// The plugin's name (its file name without `.wasm`).
    pub name: String,
    /// Where it was loaded from, when from a file.
    pub path: Option<PathBuf>,
    /// What its manifest declares.
    pub targets: Vec<PluginTarget>,
}

/// One line a plugin logged during a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginLog {
    /// The plugin.
    pub plugin: String,
    /// Kind of the object of the call.
    pub kind: String,
    /// The operation of the call.
    pub operation: Operation,
    /// Severity.
    pub level: LogLevel,
    /// The line (cut to the configured length). Dropped lines are reported as one line.
    pub message: String,
}

impl std::fmt::Display for PluginLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{} {} {} {}] {}",
            self.plugin, self.kind, self.operation, self.level, self.message
        )
    }
}

struct LoadedPlugin {
    info: PluginInfo,
    pre: wasmtime::component::InstancePre<CallState>,
    exports: PluginExports,
    /// What the plugin reads of its inputs (empty for a plugin without the `fields` export).
    fields: InputFields,
}

/// The plugin host: loaded plugins, and the interpreter they form together.
///
/// `Send + Sync`: share it between threads; every call gets its own store and instance.
/// When several plugins implement the same operation for a kind, the first loaded wins
/// (a directory loads in file-name order, as Karmada orders customizations by name).
pub struct PluginHost {
    config: HostConfig,
    engine: engine::SharedEngine,
    linker: Linker<CallState>,
    plugins: Vec<LoadedPlugin>,
    dispatch: BTreeMap<(Gvk, Operation), usize>,
    logs: Mutex<VecDeque<PluginLog>>,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost")
            .field("config", &self.config)
            .field(
                "plugins",
                &self.plugins.iter().map(|p| &p.info).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl PluginHost {
    /// A host without plugins.
    pub fn new(config: HostConfig) -> Result<Self, WasmError> {
        let engine = engine::SharedEngine::get(config.fuel.is_some(), config.resolved_cache_dir())?;
        let mut linker = Linker::new(&engine.engine);
        call::add_to_linker(&mut linker).map_err(|e| WasmError::Engine {
            message: format!("{e:#}"),
        })?;
        Ok(PluginHost {
            config,
            engine,
            linker,
            plugins: Vec::new(),
            dispatch: BTreeMap::new(),
            logs: Mutex::new(VecDeque::new()),
        })
    }

    /// A host with the default configuration and the plugins at `path` (a component, or a
    /// directory whose `*.wasm` files are loaded in name order; subdirectories are not read).
    pub fn load_path(path: impl AsRef<Path>) -> Result<Self, WasmError> {
        let mut host = PluginHost::new(HostConfig::default())?;
        host.add_path(path)?;
        Ok(host)
    }

    /// The configuration of this host.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// Loads the plugins at `path` (a component or a directory of them). Returns how many
    /// were loaded.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> Result<usize, WasmError> {
        let path = path.as_ref();
        let io = |e: std::io::Error| WasmError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        if path.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io)? {
                let file = entry.map_err(io)?.path();
                if file.is_file() && file.extension().is_some_and(|e| e == "wasm") {
                    files.push(file);
                }
            }
            files.sort();
            for file in &files {
                self.add_file(file)?;
            }
            Ok(files.len())
        } else {
            self.add_file(path)?;
            Ok(1)
        }
    }

    fn add_file(&mut self, path: &Path) -> Result<(), WasmError> {
        let bytes = std::fs::read(path).map_err(|e| WasmError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        self.add_component(&name, Some(path.to_path_buf()), &bytes)
    }

    /// Loads a plugin from the bytes of its component, under `name`.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), WasmError> {
        self.add_component(name, None, bytes)
    }

    fn add_component(
        &mut self,
        name: &str,
        path: Option<PathBuf>,
        bytes: &[u8],
    ) -> Result<(), WasmError> {
        let component = self.engine.component(name, bytes)?;
        check_interface(name, &self.engine.engine, &component)?;
        let instance_pre =
            self.linker
                .instantiate_pre(&component)
                .map_err(|e| WasmError::Link {
                    plugin: name.to_string(),
                    message: format!("{e:#}"),
                })?;
        // The generated bindings check every export and its type once, here.
        let pre = MinimalPluginPre::new(instance_pre)
            .map(|pre| pre.instance_pre().clone())
            .map_err(|e| WasmError::MissingExport {
                plugin: name.to_string(),
                supported: WORLD_VERSION.to_string(),
                exports: format!("{e:#}"),
            })?;
        let interface = format!("{WORLD_PACKAGE}/plugin@{WORLD_VERSION}");
        let exports = PluginExports::find(&component, &interface).map_err(|missing| {
            WasmError::MissingExport {
                plugin: name.to_string(),
                supported: WORLD_VERSION.to_string(),
                exports: missing,
            }
        })?;
        let fields_interface = format!("{WORLD_PACKAGE}/fields@{WORLD_VERSION}");
        let fields_exports =
            FieldsExports::find(&component, &fields_interface).map_err(|missing| {
                WasmError::MissingExport {
                    plugin: name.to_string(),
                    supported: WORLD_VERSION.to_string(),
                    exports: missing,
                }
            })?;
        let fields_exports = fields_exports.map(|exports| {
            let minor = world_minor_of(&self.engine.engine, &component, "fields");
            (exports, minor >= Some(2))
        });
        let (manifest, fields) =
            self.read_manifest(name, &pre, &exports, fields_exports.as_ref())?;
        let index = self.plugins.len();
        for target in &manifest {
            for op in &target.operations {
                self.dispatch
                    .entry((target.gvk.clone(), *op))
                    .or_insert(index);
            }
        }
        self.plugins.push(LoadedPlugin {
            info: PluginInfo {
                name: name.to_string(),
                path,
                targets: manifest,
            },
            pre,
            exports,
            fields,
        });
        Ok(())
    }

    /// The plugin's manifest and, when it exports `fields`, what it reads of its inputs:
    /// asked once, in one instance.
    fn read_manifest(
        &self,
        name: &str,
        pre: &wasmtime::component::InstancePre<CallState>,
        exports: &PluginExports,
        fields_exports: Option<&(FieldsExports, bool)>,
    ) -> Result<(Vec<PluginTarget>, InputFields), WasmError> {
        let (result, _log) = call::run(pre, &self.config, |store, instance| {
            let targets =
                call_export::<(), Vec<wit::Target>>(store, instance, &exports.manifest, ())?;
            let mut fields = InputFields::default();
            if let Some((fields_exports, asks_aggregate)) = fields_exports {
                let aggregate = asks_aggregate.then_some(Operation::AggregateStatus);
                for operation in InputFields::READ_ONLY.into_iter().chain(aggregate) {
                    let paths = call_export::<_, Option<Vec<String>>>(
                        store,
                        instance,
                        &fields_exports.object_fields,
                        (convert::wit_operation(operation),),
                    )?;
                    if let Some(tree) = paths.as_deref().and_then(FieldTree::from_paths) {
                        fields.set_object(operation, tree);
                    }
                }
                let paths = call_export::<(), Option<Vec<String>>>(
                    store,
                    instance,
                    &fields_exports.status_fields,
                    (),
                )?;
                fields.status = paths.as_deref().and_then(FieldTree::from_paths);
            }
            Ok((targets, fields))
        });
        let (targets, fields) = result.map_err(|failure| WasmError::Manifest {
            plugin: name.to_string(),
            message: failure.to_string(),
        })?;
        let mut out: Vec<PluginTarget> = Vec::new();
        for target in targets {
            if target.api_version.is_empty() || target.kind.is_empty() {
                return Err(WasmError::Manifest {
                    plugin: name.to_string(),
                    message: format!(
                        "target with empty apiVersion or kind ({:?}, {:?})",
                        target.api_version, target.kind
                    ),
                });
            }
            let gvk = Gvk::new(target.api_version, target.kind);
            let mut operations: Vec<Operation> = target
                .operations
                .into_iter()
                .map(convert::operation)
                .collect();
            operations.sort();
            operations.dedup();
            match out.iter_mut().find(|t| t.gvk == gvk) {
                Some(existing) => {
                    existing.operations.extend(operations);
                    existing.operations.sort();
                    existing.operations.dedup();
                }
                None => out.push(PluginTarget { gvk, operations }),
            }
        }
        Ok((out, fields))
    }

    /// The loaded plugins, in load order.
    pub fn plugins(&self) -> Vec<&PluginInfo> {
        self.plugins.iter().map(|p| &p.info).collect()
    }

    /// The plugin that answers `operation` for `gvk`, if any.
    pub fn plugin_for(&self, gvk: &Gvk, operation: Operation) -> Option<&PluginInfo> {
        self.loaded_for(gvk, operation).map(|p| &p.info)
    }

    /// Takes the log lines the plugins wrote so far (oldest first), leaving none.
    pub fn take_logs(&self) -> Vec<PluginLog> {
        let mut logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
        logs.drain(..).collect()
    }

    fn keep_log(&self, plugin: &str, kind: &str, operation: Operation, log: call::CallLog) {
        let (lines, dropped) = log;
        if lines.is_empty() && dropped == 0 {
            return;
        }
        let line = |level, message| PluginLog {
            plugin: plugin.to_string(),
            kind: kind.to_string(),
            operation,
            level,
            message,
        };
        let mut logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
        logs.extend(
            lines
                .into_iter()
                .map(|(level, message)| line(level, message)),
        );
        if dropped > 0 {
            logs.push_back(line(
                LogLevel::Warn,
                format!("({dropped} more log lines dropped)"),
            ));
        }
        while logs.len() > self.config.max_retained_log_lines {
            logs.pop_front();
        }
    }

    /// The loaded plugin that answers `operation` for `gvk`, if any.
    fn loaded_for(&self, gvk: &Gvk, operation: Operation) -> Option<&LoadedPlugin> {
        self.dispatch
            .get(&(gvk.clone(), operation))
            .and_then(|i| self.plugins.get(*i))
    }

    /// Calls the plugin for `operation` on `object`: finds it, runs `body` in a fresh
    /// instance, keeps its log, and names plugin, kind and operation in any error.
    fn dispatch_call<W, R>(
        &self,
        object: &Value,
        operation: Operation,
        body: impl FnOnce(
            &mut wasmtime::Store<CallState>,
            &wasmtime::component::Instance,
            &LoadedPlugin,
            &str,
        ) -> wasmtime::Result<Result<W, wit::PluginError>>,
        convert: impl FnOnce(W) -> Result<R, CallFailure>,
    ) -> Result<R, WasmError> {
        let gvk = Gvk::of(object);
        let Some(plugin) = self.loaded_for(&gvk, operation) else {
            return Err(WasmError::NotHandled {
                api_version: gvk.api_version,
                kind: gvk.kind,
                operation,
            });
        };
        let call_error = |failure| WasmError::Call {
            plugin: plugin.info.name.clone(),
            kind: gvk.kind.clone(),
            operation,
            failure,
        };
        let fields = plugin
            .fields
            .object(operation)
            .filter(|_| self.config.projection);
        let json = match fields {
            Some(fields) => serde_json::to_string(&fields.project(object)),
            None => serde_json::to_string(object),
        }
        .map_err(|e| {
            call_error(CallFailure::Input {
                message: e.to_string(),
            })
        })?;
        let (result, log) = call::run(&plugin.pre, &self.config, |store, instance| {
            body(store, instance, plugin, &json)
        });
        self.keep_log(&plugin.info.name, &gvk.kind, operation, log);
        let returned = result.map_err(call_error)?;
        let value = returned.map_err(|e| {
            call_error(CallFailure::Plugin {
                message: e.message,
                field: e.field,
            })
        })?;
        convert(value).map_err(call_error)
    }

    /// InterpretReplica through the plugin for the object's kind, with the typed error.
    pub fn call_interpret_replica(
        &self,
        object: &Value,
    ) -> Result<ReplicaInterpretation, WasmError> {
        self.dispatch_call(
            object,
            Operation::InterpretReplica,
            |store, instance, plugin, json| {
                call_export(store, instance, &plugin.exports.interpret_replica, (json,))
            },
            convert::replica_interpretation,
        )
    }

    /// ReviseReplica through the plugin for the object's kind, with the typed error.
    pub fn call_revise_replica(&self, object: &Value, replicas: i64) -> Result<Value, WasmError> {
        self.dispatch_call(
            object,
            Operation::ReviseReplica,
            |store, instance, plugin, json| {
                call_export(
                    store,
                    instance,
                    &plugin.exports.revise_replica,
                    (json, replicas),
                )
            },
            |text: String| convert::parse_object(&text),
        )
    }

    /// Retain through the plugin for the desired object's kind, with the typed error.
    pub fn call_retain(&self, desired: &Value, observed: &Value) -> Result<Value, WasmError> {
        let observed = serde_json::to_string(observed).unwrap_or_default();
        self.dispatch_call(
            desired,
            Operation::Retain,
            |store, instance, plugin, json| {
                call_export(
                    store,
                    instance,
                    &plugin.exports.retain,
                    (json, observed.as_str()),
                )
            },
            |text: String| convert::parse_object(&text),
        )
    }

    /// AggregateStatus through the plugin for the object's kind, with the typed error. Of a
    /// plugin that lists the object fields AggregateStatus reads (world 1.2.0), only the
    /// returned `status` is kept: it replaces the status of `object`.
    pub fn call_aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, WasmError> {
        let projection = self.config.projection;
        self.dispatch_call(
            object,
            Operation::AggregateStatus,
            |store, instance, plugin, json| {
                let status_fields = plugin.fields.status.as_ref().filter(|_| projection);
                match convert::StatusTexts::new(items, status_fields) {
                    Ok(texts) => call_export::<_, Result<String, wit::PluginError>>(
                        store,
                        instance,
                        &plugin.exports.aggregate_status,
                        (json, texts.items(items).as_slice()),
                    )
                    .map(|r| r.map(Ok)),
                    Err(failure) => Ok(Ok(Err(failure))),
                }
            },
            |result: Result<String, CallFailure>| convert::parse_object(&result?),
        )
        .map(|returned| {
            let status_only = self
                .loaded_for(&Gvk::of(object), Operation::AggregateStatus)
                .is_some_and(|p| p.fields.object(Operation::AggregateStatus).is_some());
            if status_only {
                with_status_of(object, returned)
            } else {
                returned
            }
        })
    }

    /// InterpretStatus through the plugin for the object's kind, with the typed error.
    pub fn call_interpret_status(&self, object: &Value) -> Result<Option<Value>, WasmError> {
        self.dispatch_call(
            object,
            Operation::InterpretStatus,
            |store, instance, plugin, json| {
                call_export(store, instance, &plugin.exports.interpret_status, (json,))
            },
            |text: Option<String>| match text {
                None => Ok(None),
                Some(text) => convert::parse_json(&text).map(|v| Some(v).filter(|v| !v.is_null())),
            },
        )
    }

    /// InterpretHealth through the plugin for the object's kind, with the typed error.
    pub fn call_interpret_health(&self, object: &Value) -> Result<bool, WasmError> {
        self.dispatch_call(
            object,
            Operation::InterpretHealth,
            |store, instance, plugin, json| {
                call_export(store, instance, &plugin.exports.interpret_health, (json,))
            },
            Ok,
        )
    }

    /// InterpretDependency through the plugin for the object's kind, with the typed error.
    pub fn call_interpret_dependency(
        &self,
        object: &Value,
    ) -> Result<Vec<DependentObjectReference>, WasmError> {
        self.dispatch_call(
            object,
            Operation::InterpretDependency,
            |store, instance, plugin, json| {
                call_export(
                    store,
                    instance,
                    &plugin.exports.interpret_dependency,
                    (json,),
                )
            },
            convert::dependencies,
        )
    }

    /// InterpretComponent through the plugin for the object's kind, with the typed error.
    pub fn call_interpret_component(&self, object: &Value) -> Result<Vec<Component>, WasmError> {
        self.dispatch_call(
            object,
            Operation::InterpretComponent,
            |store, instance, plugin, json| {
                call_export(
                    store,
                    instance,
                    &plugin.exports.interpret_component,
                    (json,),
                )
            },
            convert::components,
        )
    }
}

/// Refuses components built against another major version of the world, components that
/// import anything but the world's own interfaces, and components without the plugin export.
fn check_interface(
    plugin: &str,
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
) -> Result<(), WasmError> {
    let ty = component.component_type();
    let supported_major = world_major(WORLD_VERSION);
    let world_version = |name: &str| -> Option<String> {
        let (path, version) = name.split_once('@')?;
        path.strip_prefix(WORLD_PACKAGE)?.strip_prefix('/')?;
        Some(version.to_string())
    };
    let exports: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let imports: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    for name in exports.iter().chain(&imports) {
        if let Some(version) = world_version(name) {
            if world_major(&version) != supported_major {
                return Err(WasmError::IncompatibleVersion {
                    plugin: plugin.to_string(),
                    found: version,
                    supported: format!("{supported_major}.x"),
                });
            }
        }
    }
    for name in &imports {
        let allowed = name.split_once('@').is_some_and(|(path, _)| {
            path == "fedplan:interpreter/host" || path == "fedplan:interpreter/types"
        });
        if !allowed {
            return Err(WasmError::ForbiddenImport {
                plugin: plugin.to_string(),
                import: name.clone(),
            });
        }
    }
    let has_plugin = exports.iter().any(|name| {
        name.split_once('@')
            .is_some_and(|(path, _)| path == "fedplan:interpreter/plugin")
    });
    if !has_plugin {
        return Err(WasmError::MissingExport {
            plugin: plugin.to_string(),
            supported: WORLD_VERSION.to_string(),
            exports: exports.join(", "),
        });
    }
    Ok(())
}

impl ResourceInterpreter for PluginHost {
    fn name(&self) -> &str {
        "wasm"
    }

    fn handles(&self, gvk: &Gvk, operation: Operation) -> bool {
        self.dispatch.contains_key(&(gvk.clone(), operation))
    }

    fn interpret_replica(&self, object: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        Ok(self.call_interpret_replica(object)?)
    }

    fn revise_replica(&self, object: &Value, replicas: i64) -> Result<Value, InterpreterError> {
        Ok(self.call_revise_replica(object, replicas)?)
    }

    fn retain(&self, desired: &Value, observed: &Value) -> Result<Value, InterpreterError> {
        Ok(self.call_retain(desired, observed)?)
    }

    fn aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        Ok(self.call_aggregate_status(object, items)?)
    }

    fn interpret_status(&self, object: &Value) -> Result<Option<Value>, InterpreterError> {
        Ok(self.call_interpret_status(object)?)
    }

    fn interpret_health(&self, object: &Value) -> Result<bool, InterpreterError> {
        Ok(self.call_interpret_health(object)?)
    }

    fn interpret_dependency(
        &self,
        object: &Value,
    ) -> Result<Vec<DependentObjectReference>, InterpreterError> {
        Ok(self.call_interpret_dependency(object)?)
    }

    fn interpret_component(&self, object: &Value) -> Result<Vec<Component>, InterpreterError> {
        Ok(self.call_interpret_component(object)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_status_of_replaces_only_the_status() {
        use serde_json::json;
        let cases = [
            // The new status takes the old one's place.
            (
                json!({"a": 1, "status": {"old": true}, "z": 2}),
                json!({"status": {"new": 1}, "a": "ignored"}),
                r#"{"a":1,"status":{"new":1},"z":2}"#,
            ),
            // No status before: it goes last.
            (
                json!({"a": 1, "z": 2}),
                json!({"status": {"new": 1}}),
                r#"{"a":1,"z":2,"status":{"new":1}}"#,
            ),
            // No status returned: the old one is gone.
            (
                json!({"a": 1, "status": {"old": true}}),
                json!({"a": 2}),
                r#"{"a":1}"#,
            ),
        ];
        for (object, returned, expected) in cases {
            assert_eq!(with_status_of(&object, returned).to_string(), expected);
        }
    }

    #[test]
    fn world_version_matches_the_wit_package() {
        let wit = include_str!("../../../interpreters/wit/interpreter.wit");
        let package = format!("package {WORLD_PACKAGE}@{WORLD_VERSION};");
        assert!(
            wit.lines().any(|l| l.trim() == package),
            "{package} not in interpreter.wit"
        );
    }

    #[test]
    fn host_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<PluginHost>();
    }

    #[test]
    fn deadline_ticks_round_up() {
        use std::time::Duration;
        assert_eq!(engine::deadline_ticks(Duration::from_millis(1)), 1);
        assert_eq!(engine::deadline_ticks(Duration::from_millis(10)), 1);
        assert_eq!(engine::deadline_ticks(Duration::from_millis(11)), 2);
        assert_eq!(engine::deadline_ticks(Duration::from_secs(1)), 100);
    }
}

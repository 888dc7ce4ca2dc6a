//! `fedplan interpret`: one resource interpreter operation, as `karmadactl interpret` runs it.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;

use std::sync::Arc;

use super::output::{write_value, OutputFormat};
use super::{report_error, Exit, InterpretArgs};
use crate::api::AggregatedStatusItem;
use crate::interpreter::chain::InterpreterChain;
use crate::interpreter::declarative::DeclarativeInterpreter;
use crate::interpreter::{run_operation, Gvk, Operation};
use crate::load::{decode, LoadError, Loader};
use crate::resource::ObjectRef;

/// Parses an operation name (case-insensitive), for clap.
pub(crate) fn parse_operation(text: &str) -> Result<Operation, String> {
    text.parse::<Operation>().map_err(|error| error.to_string())
}

/// Everything `interpret` reads, loaded and checked.
#[derive(Debug, Default)]
struct Inputs {
    desired: Option<Value>,
    observed: Option<Value>,
    status_items: Option<Vec<AggregatedStatusItem>>,
    customizations: Vec<Value>,
}

/// Loads the single object in `path`; objects without a name are accepted.
fn load_one(flag: &str, path: &Path, stdin: &mut dyn Read) -> Result<Value, Vec<LoadError>> {
    let loaded = Loader::new().require_name(false).resources(&[path], stdin);
    if !loaded.errors.is_empty() {
        return Err(loaded.errors);
    }
    let mut items = loaded.items.into_iter();
    match (items.next(), items.next()) {
        (Some(document), None) => Ok(document.resource.into_value()),
        (None, _) => Err(vec![LoadError::Read {
            path: path.display().to_string(),
            message: format!("{flag} holds no object"),
        }]),
        (Some(_), Some(second)) => Err(vec![LoadError::Invalid {
            origin: second.origin,
            object: second.resource.object_ref(),
            field: String::new(),
            message: format!("{flag} must hold exactly one object"),
        }]),
    }
}

/// Loads the member statuses: a list, a `List`, or one item per document.
fn load_status_items(
    path: &Path,
    stdin: &mut dyn Read,
) -> Result<Vec<AggregatedStatusItem>, Vec<LoadError>> {
    let loaded = Loader::new().values(&[path], stdin);
    let mut errors = loaded.errors;
    let mut items = Vec::new();
    for raw in loaded.items {
        match decode::<AggregatedStatusItem>(&raw.value) {
            Ok(item) => items.push(item),
            Err(error) => errors.push(LoadError::Invalid {
                origin: raw.origin,
                object: ObjectRef {
                    kind: "AggregatedStatusItem".to_string(),
                    name: raw
                        .value
                        .get("clusterName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    ..ObjectRef::default()
                },
                field: error.path,
                message: error.message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

fn load_inputs(args: &InterpretArgs, stdin: &mut dyn Read) -> Result<Inputs, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut inputs = Inputs::default();
    let keep = |result: Result<Value, Vec<LoadError>>, errors: &mut Vec<LoadError>| match result {
        Ok(value) => Some(value),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    if let Some(path) = &args.desired_file {
        inputs.desired = keep(load_one("--desired-file", path, stdin), &mut errors);
    }
    if let Some(path) = &args.observed_file {
        inputs.observed = keep(load_one("--observed-file", path, stdin), &mut errors);
    }
    if let Some(path) = &args.status_file {
        match load_status_items(path, stdin) {
            Ok(items) => inputs.status_items = Some(items),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !args.customization.is_empty() {
        let loaded = Loader::new().objects(&args.customization, stdin);
        errors.extend(loaded.errors);
        for item in loaded.items {
            let resource = item.object.resource();
            if resource.kind() != "ResourceInterpreterCustomization" {
                errors.push(LoadError::Invalid {
                    origin: item.origin.clone(),
                    object: resource.object_ref(),
                    field: "kind".to_string(),
                    message: "--customization expects ResourceInterpreterCustomization objects"
                        .to_string(),
                });
            } else {
                inputs.customizations.push(resource.as_value().clone());
            }
        }
    }
    for plugin in &args.plugin {
        if !plugin.exists() {
            errors.push(LoadError::Read {
                path: plugin.display().to_string(),
                message: "--plugin: no such file or directory".to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(errors)
    }
}

/// Why the interpreter chain could not be built from the flags.
#[derive(Debug, thiserror::Error)]
enum ChainError {
    /// A `--customization` was refused (a `luaScript`, an unparsable path, ...).
    #[error("--customization: {0}")]
    Customization(String),
    /// A `--plugin` could not be loaded.
    #[error("--plugin {path}: {message}")]
    Plugin {
        /// The file or directory given.
        path: String,
        /// Why it could not be loaded.
        message: String,
    },
}

/// The plugin hosts loaded from `--plugin`, kept to read their log lines after the call.
#[cfg(feature = "wasm")]
type PluginHosts = Vec<Arc<crate::interpreter::wasm::PluginHost>>;
#[cfg(not(feature = "wasm"))]
type PluginHosts = Vec<()>;

/// The chain in Karmada's precedence: `--customization` rules, then `--plugin` components,
/// then the third-party and native built-ins.
fn build_chain(
    args: &InterpretArgs,
    inputs: &Inputs,
) -> Result<(InterpreterChain, PluginHosts), ChainError> {
    let mut chain = InterpreterChain::default();
    if !inputs.customizations.is_empty() {
        let declarative = DeclarativeInterpreter::from_values(inputs.customizations.clone())
            .map_err(|e| ChainError::Customization(e.to_string()))?;
        chain.push(Arc::new(declarative));
    }
    let hosts = load_plugins(&args.plugin)?;
    #[cfg(feature = "wasm")]
    for host in &hosts {
        chain.push(host.clone());
    }
    Ok((chain, hosts))
}

#[cfg(feature = "wasm")]
fn load_plugins(paths: &[std::path::PathBuf]) -> Result<PluginHosts, ChainError> {
    paths
        .iter()
        .map(|path| {
            crate::interpreter::wasm::PluginHost::load_path(path)
                .map(Arc::new)
                .map_err(|e| ChainError::Plugin {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
        })
        .collect()
}

#[cfg(not(feature = "wasm"))]
fn load_plugins(paths: &[std::path::PathBuf]) -> Result<PluginHosts, ChainError> {
    match paths.first() {
        None => Ok(Vec::new()),
        Some(path) => Err(ChainError::Plugin {
            path: path.display().to_string(),
            message: "this build has no WebAssembly plugin host (feature `wasm`)".to_string(),
        }),
    }
}

/// Prints the log lines the plugins wrote during the call.
#[cfg(feature = "wasm")]
fn print_plugin_logs(hosts: &PluginHosts, stderr: &mut dyn Write) {
    for host in hosts {
        for line in host.take_logs() {
            let _ = writeln!(stderr, "{line}");
        }
    }
}

#[cfg(not(feature = "wasm"))]
fn print_plugin_logs(_hosts: &PluginHosts, _stderr: &mut dyn Write) {}

/// Answers the operation on the loaded inputs with `interpreter::run_operation` and prints
/// the result (exit 0); an interpreter error is a failed decision (exit 1).
fn answer(
    args: &InterpretArgs,
    inputs: &Inputs,
    format: OutputFormat,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let (chain, hosts) = match build_chain(args, inputs) {
        Ok(built) => built,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return Exit::BadInput;
        }
    };
    if args.verbose > 0 {
        if let Some(object) = inputs.desired.as_ref().or(inputs.observed.as_ref()) {
            let gvk = Gvk::of(object);
            let layer = chain
                .layer_for(&gvk, args.operation)
                .map_or_else(|| "none".to_string(), |l| l.name().to_string());
            let _ = writeln!(
                stderr,
                "interpret {} for {}/{}: answered by {layer}",
                args.operation, gvk.api_version, gvk.kind
            );
        }
    }
    let result = run_operation(
        &chain,
        args.operation,
        inputs.desired.as_ref(),
        inputs.observed.as_ref(),
        inputs.status_items.as_deref(),
        args.desired_replica,
    );
    if args.verbose > 0 {
        print_plugin_logs(&hosts, stderr);
    }
    match result {
        Ok(value) => match write_value(stdout, format, &value) {
            Ok(()) => Exit::Success,
            Err(error) => {
                let _ = writeln!(stderr, "error: {error}");
                Exit::BadInput
            }
        },
        Err(error) => {
            let _ = writeln!(stderr, "error: interpret {}: {error}", args.operation);
            Exit::DecisionFailed
        }
    }
}

/// Runs `fedplan interpret`.
pub(crate) fn run(
    args: &InterpretArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    match load_inputs(args, stdin) {
        Ok(inputs) => answer(args, &inputs, format, stdout, stderr),
        Err(errors) => {
            for error in &errors {
                report_error(error, stderr);
            }
            Exit::BadInput
        }
    }
}

//! `fedplan interpret`: one resource interpreter operation, as `karmadactl interpret` runs it.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;

use super::output::OutputFormat;
use super::{not_available, report_error, Exit, InterpretArgs};
use crate::api::AggregatedStatusItem;
use crate::interpreter::Operation;
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

/// Answers the operation on the loaded inputs.
///
/// This is where `interpreter::run_operation` is called with the interpreter chain in
/// Karmada's precedence: `--customization` rules and `--plugin` components first, then the
/// third-party and native built-ins. Its `Ok` value is printed with [`super::output`]
/// (exit 0); an interpreter error is a failed decision (exit 1).
fn answer(args: &InterpretArgs, inputs: &Inputs, stderr: &mut dyn Write) -> Exit {
    if args.verbose > 0 {
        let _ = writeln!(
            stderr,
            "interpret {}: desired {}, observed {}, {} status item(s), {} customization(s), {} plugin path(s)",
            args.operation,
            if inputs.desired.is_some() { "given" } else { "absent" },
            if inputs.observed.is_some() { "given" } else { "absent" },
            inputs.status_items.as_ref().map_or(0, Vec::len),
            inputs.customizations.len(),
            args.plugin.len(),
        );
    }
    not_available("interpret", "the resource interpreter", stderr)
}

/// Runs `fedplan interpret`.
pub(crate) fn run(
    args: &InterpretArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let _ = (format, &mut *stdout);
    match load_inputs(args, stdin) {
        Ok(inputs) => answer(args, &inputs, stderr),
        Err(errors) => {
            for error in &errors {
                report_error(error, stderr);
            }
            Exit::BadInput
        }
    }
}

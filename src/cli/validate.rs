//! `fedplan validate`: load every object and check Karmada objects as the admission
//! webhooks would.

use std::io::{Read, Write};

use serde_json::Value;

use super::output::{list, write_value, OutputFormat};
use super::{report_error, report_load_errors, Exit, ValidateArgs};
use crate::api::defaults::DefaultingContext;
use crate::api::validate::{admit, ValidationOptions};
use crate::load::{KarmadaKind, KarmadaObject, LoadError, LoadedObject, Loader, Object};
use crate::resource::ObjectRef;

/// What validation found for one object.
#[derive(Debug)]
enum Verdict {
    /// A Karmada object that passed; carries the object to print with `--defaulted`.
    Valid(Value),
    /// Not a modelled Karmada kind: a resource template, printed unchanged.
    Template(Value),
    /// A Karmada object with problems.
    Invalid(Vec<LoadError>),
}

/// Checks one Karmada object as the admission webhooks would (defaulting, then
/// validation) and returns it as `--defaulted` prints it.
///
/// The typed deserialization done while loading has already checked every field's type and
/// enum values; [`admit`] applies Karmada's webhook defaulting and validation.
fn check_karmada(
    loaded: &LoadedObject,
    object: &KarmadaObject,
    options: &ValidationOptions,
) -> Verdict {
    let value = object.resource.as_value();
    let admission = match admit(value, &DefaultingContext::default(), options) {
        // A kind the webhooks do not check (a ResourceInterpreterCustomization).
        Ok(None) => return Verdict::Valid(value.clone()),
        Ok(Some(admission)) => admission,
        Err(error) => {
            return Verdict::Invalid(vec![LoadError::Invalid {
                origin: loaded.origin.clone(),
                object: object.resource.object_ref(),
                field: String::new(),
                message: error.message,
            }])
        }
    };
    if !admission.errors.is_empty() {
        return Verdict::Invalid(
            admission
                .errors
                .into_iter()
                .map(|e| LoadError::Invalid {
                    origin: loaded.origin.clone(),
                    object: ObjectRef {
                        api_version: object.resource.api_version().to_string(),
                        kind: e.kind,
                        namespace: e.namespace,
                        name: e.name,
                    },
                    field: e.field,
                    message: format!("{}: {}", e.error_type, e.message),
                })
                .collect(),
        );
    }
    match admission.object.to_value() {
        Ok(value) => Verdict::Valid(value),
        Err(error) => Verdict::Invalid(vec![LoadError::Invalid {
            origin: loaded.origin.clone(),
            object: object.resource.object_ref(),
            field: String::new(),
            message: format!("cannot serialize: {error}"),
        }]),
    }
}

fn verdict(loaded: &LoadedObject, options: &ValidationOptions) -> Verdict {
    match &loaded.object {
        Object::Karmada(object) => check_karmada(loaded, object, options),
        Object::Template(resource) => Verdict::Template(resource.as_value().clone()),
    }
}

/// Runs `fedplan validate`.
pub(crate) fn run(
    args: &ValidateArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let loaded = Loader::new().objects(&args.input.files, stdin);
    let mut failed = report_load_errors(&loaded, stderr);
    let (mut valid, mut templates, mut invalid) = (0usize, 0usize, loaded.errors.len());
    let mut printed = Vec::new();
    let options = ValidationOptions {
        allow_no_execute_taint_policy: args.allow_no_execute_taint_policy,
        ..ValidationOptions::default()
    };
    for item in &loaded.items {
        let resource = item.object.resource();
        let identity = resource.object_ref();
        match verdict(item, &options) {
            Verdict::Valid(value) => {
                valid += 1;
                if args.defaulted {
                    printed.push(value);
                } else {
                    let _ = writeln!(stdout, "{}: {identity}: valid", item.origin);
                }
            }
            Verdict::Template(value) => {
                templates += 1;
                if args.defaulted {
                    printed.push(value);
                } else {
                    let note =
                        KarmadaKind::other_version_of(resource.api_version(), resource.kind())
                            .map(|kind| {
                                format!(
                                    " (fedplan models {kind} as {}, not {})",
                                    kind.api_version(),
                                    resource.api_version()
                                )
                            })
                            .unwrap_or_default();
                    let _ = writeln!(stdout, "{}: {identity}: template{note}", item.origin);
                }
            }
            Verdict::Invalid(problems) => {
                invalid += 1;
                failed = true;
                for problem in &problems {
                    report_error(problem, stderr);
                }
            }
        }
    }
    if args.defaulted {
        if let Err(error) = write_value(stdout, format, &list(printed)) {
            let _ = writeln!(stderr, "error: {error}");
            return Exit::BadInput;
        }
    }
    if loaded.items.is_empty() && loaded.errors.is_empty() {
        let _ = writeln!(stderr, "warning: the inputs hold no objects");
    }
    let _ = writeln!(
        stderr,
        "{} object(s): {valid} valid, {templates} template(s), {invalid} invalid",
        valid + templates + invalid
    );
    if failed {
        Exit::BadInput
    } else {
        Exit::Success
    }
}

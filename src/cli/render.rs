//! `fedplan render`: schedule, then the Work objects each member cluster would receive.

use std::io::{Read, Write};

use serde_json::Value;

use super::output::{list, OutputFormat};
use super::schedule::{binding_value, emit, load_input, report_plan};
use super::{report_error, report_load_errors, Exit, RenderArgs};
use crate::api::Work;
use crate::load::{decode, LoadError, Loader};
use crate::plan::{self, PlanOptions};
use crate::render::diff::diff_renders;

/// Loads the Works of a previous render from `old` (other objects are ignored).
fn load_previous(old: &std::path::Path, stderr: &mut dyn Write) -> Option<Vec<Work>> {
    if !old.is_dir() {
        let _ = writeln!(stderr, "error: --diff {}: not a directory", old.display());
        return None;
    }
    let previous = Loader::new().resources(&[old], &mut std::io::empty());
    if report_load_errors(&previous, stderr) {
        return None;
    }
    let mut works = Vec::new();
    let mut failed = false;
    for document in previous.items {
        if document.resource.kind() != "Work" {
            continue;
        }
        match decode::<Work>(document.resource.as_value()) {
            Ok(work) => works.push(work),
            Err(error) => {
                failed = true;
                report_error(
                    &LoadError::Invalid {
                        origin: document.origin.clone(),
                        object: document.resource.object_ref(),
                        field: error.path,
                        message: error.message,
                    },
                    stderr,
                );
            }
        }
    }
    (!failed).then_some(works)
}

/// Runs `fedplan render`.
///
/// Loads, defaults and validates every input and the `--diff` directory (exit 2 on bad
/// input), schedules, renders and prints one `List`: the bindings, then the Works. With
/// `--diff` prints the per-cluster difference from the previous render instead. Exit 1
/// when a binding could not be scheduled or rendered (that binding has no Work).
pub(crate) fn run(
    args: &RenderArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let input = load_input(&args.input, stdin, stderr);
    let previous = match &args.diff {
        Some(old) => match load_previous(old, stderr) {
            Some(works) => Some(works),
            None => return Exit::BadInput,
        },
        None => None,
    };
    let Some(input) = input else {
        return Exit::BadInput;
    };
    let plan = plan::schedule(&input, &PlanOptions::default());
    report_plan(&plan, stderr);
    let unschedulable = plan.bindings.iter().any(|p| p.unschedulable());
    let rendered = plan::render(&input, plan);
    // Errors of the plan itself were reported above; the rest are render failures.
    for error in &rendered.errors {
        if matches!(error, plan::PlanError::Render(_)) {
            let _ = writeln!(stderr, "error: {error}");
        }
    }
    let failed = unschedulable || !rendered.errors.is_empty();
    if let Some(old) = previous {
        let diff = diff_renders(&old, &rendered.works);
        return match serde_json::to_value(&diff) {
            Ok(value) => emit(stdout, stderr, format, &value, failed),
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot serialize the diff: {error}");
                Exit::BadInput
            }
        };
    }
    let mut items: Vec<Value> = Vec::new();
    for planned in &rendered.bindings {
        match binding_value(planned, false) {
            Ok(value) => items.push(value),
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot serialize a binding: {error}");
                return Exit::BadInput;
            }
        }
    }
    for work in &rendered.works {
        match serde_json::to_value(work) {
            Ok(value) => items.push(value),
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot serialize a Work: {error}");
                return Exit::BadInput;
            }
        }
    }
    emit(stdout, stderr, format, &list(items), failed)
}

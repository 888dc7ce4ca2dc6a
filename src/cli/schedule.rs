//! `fedplan schedule`: the (Cluster)ResourceBindings Karmada's scheduler would write.

use std::io::{Read, Write};

use serde_json::Value;

use super::output::{list, write_value, OutputFormat};
use super::{report_error, report_load_errors, Exit, InputArgs, ScheduleArgs};
use crate::load::Loader;
use crate::plan::{self, Plan, PlanInput, PlanOptions, PlannedBinding};

/// Loads, defaults and validates every input; `None` (after reporting) on bad input.
pub(crate) fn load_input(
    input: &InputArgs,
    stdin: &mut dyn Read,
    stderr: &mut dyn Write,
) -> Option<PlanInput> {
    let loaded = Loader::new().objects(&input.files, stdin);
    if report_load_errors(&loaded, stderr) {
        return None;
    }
    match PlanInput::admit(&loaded.items) {
        Ok(input) => Some(input),
        Err(errors) => {
            for error in &errors {
                report_error(error, stderr);
            }
            None
        }
    }
}

/// Names the templates no policy claims and the bindings that could not be built.
pub(crate) fn report_plan(plan: &Plan, stderr: &mut dyn Write) {
    for template in &plan.unclaimed {
        let _ = writeln!(stderr, "not claimed: {template}");
    }
    for error in &plan.errors {
        let _ = writeln!(stderr, "error: {error}");
    }
    for planned in plan.bindings.iter().filter(|p| p.unschedulable()) {
        let message = planned
            .binding
            .status
            .as_ref()
            .and_then(|s| {
                s.conditions
                    .iter()
                    .find(|c| c.type_ == crate::scheduler::CONDITION_SCHEDULED)
            })
            .map(|c| format!("{}: {}", c.reason, c.message))
            .unwrap_or_default();
        let _ = writeln!(
            stderr,
            "error: {} {}: not scheduled: {message}",
            planned.binding.kind,
            binding_ref(planned)
        );
    }
}

fn binding_ref(planned: &PlannedBinding) -> String {
    let meta = &planned.binding.metadata;
    if meta.namespace.is_empty() {
        meta.name.clone()
    } else {
        format!("{}/{}", meta.namespace, meta.name)
    }
}

/// The binding as printed: with `status.schedulingDiagnosis` when explaining.
pub(crate) fn binding_value(planned: &PlannedBinding, explain: bool) -> Result<Value, String> {
    let mut value = serde_json::to_value(&planned.binding).map_err(|e| e.to_string())?;
    if explain {
        if let (Some(diagnosis), Some(object)) = (&planned.diagnosis, value.as_object_mut()) {
            let diagnosis = serde_json::to_value(diagnosis).map_err(|e| e.to_string())?;
            let status = object
                .entry("status")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(status) = status.as_object_mut() {
                status.insert("schedulingDiagnosis".to_string(), diagnosis);
            }
        }
    }
    Ok(value)
}

/// Prints the readable diagnosis table of every binding on `stderr`.
pub(crate) fn print_tables(bindings: &[PlannedBinding], stderr: &mut dyn Write) {
    for planned in bindings {
        if let Some(diagnosis) = &planned.diagnosis {
            let _ = writeln!(stderr, "{} {}:", planned.binding.kind, binding_ref(planned));
            let _ = write!(stderr, "{}", diagnosis.render_table());
            let _ = writeln!(stderr);
        }
    }
}

/// Writes `value`; exit 2 when it cannot be written.
pub(crate) fn emit(
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    format: OutputFormat,
    value: &Value,
    failed: bool,
) -> Exit {
    if let Err(error) = write_value(stdout, format, value) {
        let _ = writeln!(stderr, "error: {error}");
        return Exit::BadInput;
    }
    if failed {
        Exit::DecisionFailed
    } else {
        Exit::Success
    }
}

/// Runs `fedplan schedule`.
///
/// Loads, defaults and validates every input (exit 2 on bad input), schedules every claimed
/// template and prints the bindings as a `List` (exit 1 when one could not be scheduled).
pub(crate) fn run(
    args: &ScheduleArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let Some(input) = load_input(&args.input, stdin, stderr) else {
        return Exit::BadInput;
    };
    let plan = plan::schedule(
        &input,
        &PlanOptions {
            explain: args.explain,
        },
    );
    if args.explain {
        print_tables(&plan.bindings, stderr);
    }
    report_plan(&plan, stderr);
    let mut items = Vec::with_capacity(plan.bindings.len());
    for planned in &plan.bindings {
        match binding_value(planned, args.explain) {
            Ok(value) => items.push(value),
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot serialize a binding: {error}");
                return Exit::BadInput;
            }
        }
    }
    emit(stdout, stderr, format, &list(items), plan.failed())
}

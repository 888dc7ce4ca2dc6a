//! `fedplan schedule`: the (Cluster)ResourceBindings Karmada's scheduler would write.

use std::io::{Read, Write};

use super::output::OutputFormat;
use super::{not_available, report_load_errors, Exit, ScheduleArgs};
use crate::load::Loader;

/// Runs `fedplan schedule`.
///
/// Loads every input (exit 2 on bad input), then schedules. Scheduling is wired in here once
/// the scheduler and policy layers are available.
pub(crate) fn run(
    args: &ScheduleArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let _ = (format, &mut *stdout, args.explain);
    let loaded = Loader::new().objects(&args.input.files, stdin);
    if report_load_errors(&loaded, stderr) {
        return Exit::BadInput;
    }
    not_available("schedule", "scheduling", stderr)
}

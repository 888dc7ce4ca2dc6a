//! `fedplan simulate`: the in-memory control plane through a scenario.

use std::io::{Read, Write};

use super::output::OutputFormat;
use super::{not_available, report_load_errors, Exit, SimulateArgs};
use crate::load::Loader;

/// Runs `fedplan simulate`.
///
/// Loads the scenario (exit 2 on bad input), then runs it. Running is wired in here once
/// the control plane is available.
pub(crate) fn run(
    args: &SimulateArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let _ = (format, &mut *stdout);
    let loaded = Loader::new().values(&[&args.scenario], stdin);
    if report_load_errors(&loaded, stderr) {
        return Exit::BadInput;
    }
    not_available("simulate", "the control plane", stderr)
}

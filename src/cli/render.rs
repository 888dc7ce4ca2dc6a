//! `fedplan render`: schedule, then the Work objects each member cluster would receive.

use std::io::{Read, Write};

use super::output::OutputFormat;
use super::{not_available, report_load_errors, Exit, RenderArgs};
use crate::load::Loader;

/// Runs `fedplan render`.
///
/// Loads every input and the `--diff` directory (exit 2 on bad input), then renders.
/// Rendering is wired in here once the scheduler and override layers are available.
pub(crate) fn run(
    args: &RenderArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let _ = (format, &mut *stdout);
    let loaded = Loader::new().objects(&args.input.files, stdin);
    let mut failed = report_load_errors(&loaded, stderr);
    if let Some(old) = &args.diff {
        if !old.is_dir() {
            let _ = writeln!(stderr, "error: --diff {}: not a directory", old.display());
            failed = true;
        } else {
            let previous = Loader::new().resources(&[old], &mut std::io::empty());
            failed |= report_load_errors(&previous, stderr);
        }
    }
    if failed {
        return Exit::BadInput;
    }
    not_available("render", "rendering", stderr)
}

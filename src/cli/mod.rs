//! The `fedplan` command line: files in, library calls, YAML or JSON out.
//!
//! Every subcommand lives in its own module with a `run` function taking its parsed
//! arguments, standard input and the two output streams, and returning an [`Exit`] status:
//! 0 when everything was handled, 1 when a decision failed (the output still holds the rest),
//! 2 when input could not be loaded or is invalid. [`run`] parses the command line and
//! dispatches; `src/bin/fedplan.rs` only connects it to the process.

mod interpret;
pub mod output;
mod render;
mod schedule;
mod simulate;
mod validate;
pub mod yaml;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::load::{LoadError, Loaded};

pub use output::OutputFormat;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything was handled.
    Success,
    /// A decision failed (a binding could not be scheduled, an interpreter operation or an
    /// override failed); the output still holds everything else.
    DecisionFailed,
    /// Input could not be loaded or is invalid.
    BadInput,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::DecisionFailed => 1,
            Exit::BadInput => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// Karmada's scheduling, overrides and resource interpretation, offline.
///
/// Reads Karmada and Kubernetes objects as YAML or JSON (multi-document files, `List`
/// objects, directories, `-` for standard input) and prints what Karmada would decide.
/// Exit status: 0 on success, 1 when a decision failed (the output says which and why),
/// 2 when input cannot be loaded or is invalid.
#[derive(Debug, Parser)]
#[command(name = "fedplan", version, propagate_version = true)]
pub struct Cli {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Yaml, global = true)]
    pub output: OutputFormat,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate every object as Karmada's admission webhooks would.
    ///
    /// Prints one line per object on stdout (valid, or a resource template) and one line per
    /// problem on stderr, naming the file, document, object and field. Exit 2 if any object is
    /// invalid.
    Validate(ValidateArgs),
    /// Schedule every resource template claimed by a propagation policy.
    ///
    /// Inputs: Clusters, (Cluster)PropagationPolicies, (Cluster)OverridePolicies, existing
    /// (Cluster)ResourceBindings (the previous result) and resource templates (any other
    /// kind). Prints a List of the (Cluster)ResourceBindings Karmada's scheduler would write.
    Schedule(ScheduleArgs),
    /// Schedule, then render the Work objects each member cluster would receive.
    ///
    /// Prints one List: the bindings first, then the Works (after ReviseReplica and
    /// overrides).
    Render(RenderArgs),
    /// Run one resource interpreter operation, as `karmadactl interpret` does.
    Interpret(InterpretArgs),
    /// Run the in-memory control plane through a scenario and print the state after each
    /// step.
    Simulate(SimulateArgs),
}

/// Input files shared by the commands that read objects.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// A file, a directory (read recursively, .yaml/.yml/.json, sorted by path) or `-` for
    /// standard input. Repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH", required = true)]
    pub files: Vec<PathBuf>,
}

/// Arguments of `fedplan validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Print every object after Karmada's defaulting (as a List) instead of one line per
    /// object.
    #[arg(long)]
    pub defaulted: bool,
    /// Admit ClusterTaintPolicies that manage NoExecute taints, as karmada-webhook does
    /// with the same flag (refused by default, as there).
    #[arg(long)]
    pub allow_no_execute_taint_policy: bool,
}

/// Arguments of `fedplan schedule`.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Add the scheduling diagnosis as `status.schedulingDiagnosis` and print a readable
    /// table on stderr.
    #[arg(long)]
    pub explain: bool,
}

/// Arguments of `fedplan render`.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Compare the rendered objects with a directory holding a previous render.
    #[arg(long, value_name = "OLD_DIR")]
    pub diff: Option<PathBuf>,
}

/// Arguments of `fedplan interpret`.
#[derive(Debug, Clone, Args)]
pub struct InterpretArgs {
    /// The operation: InterpretReplica, ReviseReplica, Retain, AggregateStatus,
    /// InterpretStatus, InterpretHealth, InterpretDependency or InterpretComponent.
    #[arg(long, value_name = "OP", value_parser = interpret::parse_operation)]
    pub operation: crate::interpreter::Operation,
    /// The template (desired object). Operations that read one object (InterpretStatus,
    /// InterpretHealth) take this or --observed-file.
    #[arg(long, value_name = "FILE")]
    pub desired_file: Option<PathBuf>,
    /// The member cluster's live object.
    #[arg(long, value_name = "FILE")]
    pub observed_file: Option<PathBuf>,
    /// The member statuses for AggregateStatus: a list of AggregatedStatusItem (clusterName,
    /// status, applied, health) as a YAML/JSON list, a List, or one item per document.
    /// Without it the items are absent; an empty list means zero clusters.
    #[arg(long, value_name = "FILE")]
    pub status_file: Option<PathBuf>,
    /// The replica count for ReviseReplica.
    #[arg(long, value_name = "N")]
    pub desired_replica: Option<i64>,
    /// A WebAssembly interpreter plugin: a component file or a directory of them.
    /// Repeatable.
    #[arg(long, value_name = "PATH")]
    pub plugin: Vec<PathBuf>,
    /// A ResourceInterpreterCustomization file (declarative rules). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub customization: Vec<PathBuf>,
    /// Also print on stderr which interpreter answered.
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Arguments of `fedplan simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// The scenario: `{config?, steps: [{name, apply?, delete?, advance?, member?}]}`.
    #[arg(short = 'f', long = "filename", value_name = "SCENARIO")]
    pub scenario: PathBuf,
}

/// Parses `args` (the program name first) and runs the command.
///
/// `stdin` is read for `-`; results go to `stdout`, messages to `stderr`.
pub fn run<I, T>(
    args: I,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = error.render().to_string();
            return if error.use_stderr() {
                let _ = stderr.write_all(text.as_bytes());
                Exit::BadInput
            } else {
                let _ = stdout.write_all(text.as_bytes());
                Exit::Success
            };
        }
    };
    let format = cli.output;
    let exit = match cli.command {
        Command::Validate(args) => validate::run(&args, format, stdin, stdout, stderr),
        Command::Schedule(args) => schedule::run(&args, format, stdin, stdout, stderr),
        Command::Render(args) => render::run(&args, format, stdin, stdout, stderr),
        Command::Interpret(args) => interpret::run(&args, format, stdin, stdout, stderr),
        Command::Simulate(args) => simulate::run(&args, format, stdin, stdout, stderr),
    };
    let _ = stdout.flush();
    let _ = stderr.flush();
    exit
}

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(
        std::env::args_os(),
        &mut stdin.lock(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
    .into()
}

/// Prints one `error:` line per load error; `true` when there was any.
pub(crate) fn report_load_errors<T>(loaded: &Loaded<T>, stderr: &mut dyn Write) -> bool {
    for error in &loaded.errors {
        report_error(error, stderr);
    }
    !loaded.errors.is_empty()
}

fn report_error(error: &LoadError, stderr: &mut dyn Write) {
    let _ = writeln!(stderr, "error: {error}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(args: &[&str]) -> (Exit, String, String) {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let exit = run(args, &mut std::io::empty(), &mut stdout, &mut stderr);
        (
            exit,
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        )
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0() {
        let cases: &[(&[&str], Exit)] = &[
            (&["fedplan"], Exit::BadInput),
            (&["fedplan", "validate"], Exit::BadInput),
            (&["fedplan", "frobnicate"], Exit::BadInput),
            (
                &["fedplan", "-o", "xml", "validate", "-f", "x"],
                Exit::BadInput,
            ),
            (
                &["fedplan", "interpret", "--operation", "Nope"],
                Exit::BadInput,
            ),
            (&["fedplan", "--help"], Exit::Success),
            (&["fedplan", "validate", "--help"], Exit::Success),
            (&["fedplan", "--version"], Exit::Success),
        ];
        for (args, expected) in cases {
            let (exit, _, _) = run_args(args);
            assert_eq!(exit, *expected, "{args:?}");
        }
    }

    #[test]
    fn output_flag_is_accepted_before_and_after_the_subcommand() {
        for args in [
            ["fedplan", "-o", "json", "validate", "-f", "/nonexistent"],
            ["fedplan", "validate", "-f", "/nonexistent", "-o", "json"],
        ] {
            let (exit, _, stderr) = run_args(&args);
            assert_eq!(exit, Exit::BadInput);
            assert!(stderr.contains("/nonexistent"), "{stderr}");
        }
    }
}

//! The `fedplan` command line; see `fedplan --help` and [`fedplan::cli`].

fn main() -> std::process::ExitCode {
    fedplan::cli::main()
}

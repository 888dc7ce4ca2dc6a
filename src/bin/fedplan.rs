//! The `fedplan` command line; see `fedplan --help` and [`fedplan::cli`].

#[path = "../allocator.rs"]
mod allocator;

fn main() -> std::process::ExitCode {
    allocator::keep_freed_memory();
    fedplan::cli::main()
}

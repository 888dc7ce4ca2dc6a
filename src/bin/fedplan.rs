//! The `fedplan` command line; see `fedplan --help` and [`fedplan::cli`].

/// A simulation allocates and frees many small JSON nodes; mimalloc serves them faster than
/// the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    fedplan::cli::main()
}

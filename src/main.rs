//! The `brief` binary: a thin shell over [`brief::cli`].

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = brief::cli::Cli::parse();
    std::process::exit(brief::cli::run(cli));
}

//! The `brief` binary: a thin shell over [`brief::cli`].

use clap::Parser;

fn main() {
    let cli = brief::cli::Cli::parse();
    std::process::exit(brief::cli::run(cli));
}

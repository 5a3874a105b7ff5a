//! The integration tests: one binary, so the crate is linked once and the shared helpers
//! (`common`) are compiled once. Each module tests one area through the CLI, over fixture sites
//! made in temporary folders, or through the library.

mod common;

mod browser;
mod contract;
mod errors;
mod helpers;
mod import;
mod linear;
mod marker_props;
mod output;
mod publish;
mod question_page;
mod robustness;
mod serve;
mod snapshots;
mod suggest;
mod suggest_eval;
mod symlinks;
mod workspace;
mod xss;
mod yaml_differential;

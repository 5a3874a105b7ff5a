//! The command line: parse arguments, run a command, print its report, choose the exit code.
//!
//! This is the only module that prints. Exit codes: 0 success (warnings allowed), 1 content
//! errors, 2 bad usage (clap's own errors exit with 2 too).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, Overrides};
use crate::diag;
use crate::{BuildOptions, Report};

#[derive(Debug, Parser)]
#[command(
    name = "brief",
    version,
    about = "Build websites of annotated news briefings"
)]
pub struct Cli {
    /// The site folder (holding brief.yaml). Default: the current folder, or the nearest
    /// parent folder that holds a brief.yaml.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    Build {
        /// Output folder (default: brief.yaml's output_dir, or public/).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Base URL the site will be served from; overrides brief.yaml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include briefings marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Print the time spent in each stage.
        #[arg(long)]
        timings: bool,
    },
    /// Load and anchor the whole site (drafts included), report every problem, write nothing.
    Check {
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let root = resolve_root(cli.root.as_deref());
    match cli.command {
        Command::Build {
            output,
            base_url,
            drafts,
            timings,
        } => {
            let opts = BuildOptions {
                root,
                overrides: Overrides {
                    output_dir: output.map(|o| absolute(&o)),
                    base_url,
                },
                drafts,
                write: true,
            };
            let report = crate::build(&opts);
            print_human(&report);
            if !report.failed() {
                print_summary(&report, timings);
            }
            exit_code(&report)
        }
        Command::Check { format } => {
            let opts = BuildOptions {
                root,
                overrides: Overrides::default(),
                // Drafts are checked too: they will be published one day.
                drafts: true,
                write: false,
            };
            let report = crate::build(&opts);
            match format {
                Format::Human => {
                    print_human(&report);
                    if !report.failed() {
                        eprintln!(
                            "checked {} briefing{}: no errors",
                            report.briefings,
                            if report.briefings == 1 { "" } else { "s" }
                        );
                    }
                }
                Format::Json => {
                    let mut out = std::io::stdout().lock();
                    for d in report.diagnostics.iter() {
                        let _ = writeln!(out, "{}", diag::to_json_line(d));
                    }
                }
            }
            exit_code(&report)
        }
    }
}

fn exit_code(report: &Report) -> i32 {
    if report.failed() { 1 } else { 0 }
}

/// `--root`, or the nearest folder upwards holding brief.yaml, or the current folder (where
/// loading will then say that brief.yaml is missing and how to create it).
fn resolve_root(root: Option<&Path>) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match root {
        Some(r) => absolute(r),
        None => config::find_root(&cwd).unwrap_or(cwd),
    }
}

fn absolute(p: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    config::absolutize(&cwd, p)
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn print_human(report: &Report) {
    if report.diagnostics.0.is_empty() {
        return;
    }
    let text = diag::render_human(&report.diagnostics, &report.sources, use_color());
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn print_summary(report: &Report, timings: bool) {
    let t = &report.timings;
    let total = t.load + t.anchor + t.render + t.write;
    eprintln!(
        "built {} briefing{}, {} files into {} in {} ms",
        report.briefings,
        if report.briefings == 1 { "" } else { "s" },
        report.pages,
        report
            .output_dir
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        total.as_millis()
    );
    if timings {
        eprintln!(
            "timings: load {:.1} ms, anchor {:.1} ms, render {:.1} ms, write {:.1} ms",
            ms(t.load),
            ms(t.anchor),
            ms(t.render),
            ms(t.write)
        );
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

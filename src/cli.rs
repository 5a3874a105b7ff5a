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
        /// Build even into a folder that brief did not write: everything in it is deleted
        /// (and a leftover `.<name>.brief-spare` that is not brief's is removed).
        #[arg(long)]
        force: bool,
    },
    /// Load and anchor the whole site (drafts included), report every problem, write nothing.
    Check {
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also warn about direct quotes in articles that no quote annotation covers.
        #[arg(long)]
        coverage: bool,
    },
    /// Draft an article's annotations (its direct quotes and their speakers) as YAML.
    Suggest {
        /// The article's Markdown file (content/<path>.md).
        #[arg(value_name = "ARTICLE")]
        article: PathBuf,
        /// Write the draft beside the article (<name>.yaml) instead of printing it.
        #[arg(long)]
        write: bool,
        /// With --write: replace an existing annotations file.
        #[arg(long, requires = "write")]
        force: bool,
        /// Add only the quotes the existing annotations file lacks (writes the file).
        #[arg(long, conflicts_with = "force")]
        merge: bool,
    },
    /// Build the site in memory and serve it locally; rebuild and reload the pages on every save.
    Serve {
        /// Port to listen on; the next free one is taken when it is in use.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (loopback by default; 0.0.0.0 shares it with the network).
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
        bind: std::net::IpAddr,
        /// Include briefings marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in a browser (with xdg-open, when there is one).
        #[arg(long)]
        open: bool,
    },
    /// Make a new briefing from a web page saved by a browser or fetched with curl: the
    /// article's text as Markdown, its title, date, source and author as front matter.
    ///
    /// Writes content/<slug>.md (or, with --folder, content/<slug>/index.md and the page's
    /// images), never over an existing file, and checks it as `brief check` does. Fetches
    /// nothing. Next: `brief suggest content/<slug>.md --write`. See docs/import.md.
    Import {
        /// The saved page (.html), as a browser saves it or curl fetches it.
        #[arg(value_name = "PAGE.html")]
        page: PathBuf,
        /// The article's address (over the canonical address the page names).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The briefing's date (YYYY-MM-DD), for a page that states none.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The briefing's slug (a-z, 0-9, -); default: from the title.
        #[arg(long, value_name = "SLUG")]
        slug: Option<String>,
        /// Make a folder briefing (content/<slug>/index.md) and copy into it the images saved
        /// beside the page.
        #[arg(long)]
        folder: bool,
    },
    /// Create a new site, or a new briefing in a site. Never overwrites a file.
    New {
        #[command(subcommand)]
        what: New,
    },
}

#[derive(Debug, Subcommand)]
pub enum New {
    /// Create a site in DIR: brief.yaml, speakers, questions and one annotated example briefing.
    Site {
        /// The folder to create the site in (created if needed).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Create content/<slug>.md and content/<slug>.yaml (a commented skeleton) from a title.
    Briefing {
        /// The headline; the slug is made from it.
        #[arg(value_name = "TITLE")]
        title: String,
        /// The briefing's date (YYYY-MM-DD); default: today (UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Make a folder briefing (content/<slug>/index.md), which can hold images.
        #[arg(long)]
        folder: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions workflow commands, one per diagnostic: shown on the lines of a pull
    /// request.
    Github,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let root = resolve_root(cli.root.as_deref());
    match cli.command {
        Command::New { what } => run_new(what, root),
        Command::Build {
            output,
            base_url,
            drafts,
            timings,
            force,
        } => {
            let opts = BuildOptions {
                root,
                overrides: Overrides {
                    // Resolved through the file system by `config`, links included.
                    output_dir: output.map(|o| cwd().join(o)),
                    base_url,
                },
                drafts,
                write: true,
                force,
            };
            let report = crate::build(&opts);
            print_human(&report);
            if !report.failed() {
                print_summary(&report, timings);
            }
            exit_code(&report)
        }
        Command::Check { format, coverage } => {
            let opts = BuildOptions {
                root,
                overrides: Overrides::default(),
                // Drafts are checked too: they will be published one day.
                drafts: true,
                write: false,
                force: false,
            };
            let mut report = crate::build(&opts);
            if coverage {
                crate::suggest::add_coverage(&opts, &mut report);
            }
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
                Format::Github => {
                    // GitHub wants paths from the repository's root: the current folder.
                    let cwd = std::env::current_dir().unwrap_or_default();
                    let site = opts.root.strip_prefix(&cwd).unwrap_or(&opts.root);
                    let mut out = std::io::stdout().lock();
                    for d in report.diagnostics.iter() {
                        let _ = writeln!(out, "{}", diag::to_github_line(d, site));
                    }
                }
            }
            exit_code(&report)
        }
        Command::Suggest {
            article,
            write,
            force,
            merge,
        } => {
            let mode = match (merge, write) {
                (true, _) => crate::suggest::Mode::Merge,
                (false, true) => crate::suggest::Mode::Write { force },
                (false, false) => crate::suggest::Mode::Print,
            };
            let outcome = crate::suggest::run(&crate::suggest::Options {
                root,
                article,
                mode,
            });
            print_human(&outcome.report);
            if let Some(yaml) = &outcome.yaml {
                let _ = std::io::stdout().lock().write_all(yaml.as_bytes());
            }
            if let Some((path, added)) = &outcome.written {
                eprintln!(
                    "wrote {} ({added} quote{} suggested)",
                    diag::display_path(path),
                    if *added == 1 { "" } else { "s" }
                );
            }
            exit_code(&outcome.report)
        }
        Command::Import {
            page,
            url,
            date,
            slug,
            folder,
        } => run_import(crate::import::Request {
            root,
            page,
            url,
            date,
            slug,
            folder,
        }),
        Command::Serve {
            port,
            bind,
            drafts,
            open,
        } => crate::serve::run(crate::serve::Options {
            root,
            port,
            bind,
            drafts,
            open,
        }),
    }
}

/// `brief new site|briefing`: reports the files created, or why nothing was.
fn run_new(what: New, root: PathBuf) -> i32 {
    let is_site = matches!(what, New::Site { .. });
    let (dir, result) = match what {
        New::Site { dir } => {
            let dir = config::absolutize(&cwd(), &dir);
            let created = crate::scaffold::new_site(&dir);
            (dir, created)
        }
        New::Briefing {
            title,
            date,
            folder,
        } => {
            let request = crate::scaffold::NewBriefing {
                root: root.clone(),
                title,
                date,
                folder,
            };
            (root, crate::scaffold::new_briefing(&request))
        }
    };
    match result {
        Ok(files) => {
            for f in &files {
                eprintln!("created {}", diag::display_path(&dir.join(f)));
            }
            let shown = diag::display_path(&dir);
            if is_site {
                eprintln!(
                    "next: brief check --root {shown}, then brief build --root {shown} (into {shown}/public)"
                );
            } else if let [article, annotations, ..] = files.as_slice() {
                eprintln!(
                    "next: paste the article's text into {}, annotate it in {}, then run brief check",
                    diag::display_path(article),
                    diag::display_path(annotations)
                );
            }
            0
        }
        Err(d) => {
            let mut report = Report::default();
            report.add([d]);
            print_human(&report);
            exit_code(&report)
        }
    }
}

/// `brief import`: reports the briefing made (and what the check found), or why none was.
fn run_import(request: crate::import::Request) -> i32 {
    let outcome = crate::import::run(&request);
    print_human(&outcome.report);
    if let Some(s) = &outcome.summary {
        for f in &outcome.written {
            eprintln!("created {}", diag::display_path(&request.root.join(f)));
        }
        let images = match (s.images_linked, s.images_copied) {
            (0, 0) => String::new(),
            (linked, 0) => format!(", {linked} image{} linked", plural(linked)),
            (0, copied) => format!(", {copied} image{} copied", plural(copied)),
            (linked, copied) => {
                format!(", {linked} image{} linked, {copied} copied", plural(linked))
            }
        };
        eprintln!(
            "imported \"{}\": {} words{images}; dated {} (from {}); read as {}",
            s.title, s.words, s.date, s.date_from, s.charset
        );
        let article = diag::display_path(&s.article);
        if s.errors_elsewhere > 0 {
            eprintln!(
                "checked: no errors in the new briefing (the site has {} error{} elsewhere: run brief check)",
                s.errors_elsewhere,
                plural(s.errors_elsewhere)
            );
        } else {
            eprintln!("checked: no errors");
        }
        eprintln!(
            "next: brief suggest {article} --write (draft the annotations), then brief check and brief serve"
        );
    }
    exit_code(&outcome.report)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn exit_code(report: &Report) -> i32 {
    if report.failed() { 1 } else { 0 }
}

/// `--root`, or the nearest folder upwards holding brief.yaml, or the current folder (where
/// loading will then say that brief.yaml is missing and how to create it).
fn resolve_root(root: Option<&Path>) -> PathBuf {
    let cwd = cwd();
    match root {
        Some(r) => crate::output::real(&cwd.join(r)),
        None => config::find_root(&cwd).unwrap_or(cwd),
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
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

//! The site-wide inputs every briefing depends on: `brief.yaml`, the speaker and question
//! registries, and the templates. An edit to any of them makes every page again. This module
//! reads those files (through `config`, `load` and `render::templates`) and nothing else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::render::templates::{self, Templates};
use crate::{BuildOptions, config, load, resolve};

/// Configuration, registries and templates.
pub struct Inputs {
    pub config: config::Config,
    pub registries: resolve::Registries,
    /// `None` when a template is broken; content is still checked.
    pub templates: Option<Templates>,
    /// Texts of brief.yaml, the registries and the site's templates, for diagnostics.
    pub sources: Vec<(PathBuf, Arc<str>)>,
}

impl Inputs {
    /// Reads the site-wide files. `None` when the configuration cannot be read (`diags`
    /// says why); a broken registry or template still gives inputs, with its diagnostics.
    pub fn load(opts: &BuildOptions, diags: &mut Diagnostics) -> Option<Inputs> {
        let mut sources: Vec<(PathBuf, Arc<str>)> = Vec::new();
        let config = read_config(opts, &mut sources, diags);
        let files = load::load_registries(&opts.root, diags);
        let (registries, more) = resolve::resolve_registries(&files);
        sources.extend(files.sources);
        diags.extend(more);
        let templates = match templates::read_site_templates(&opts.root) {
            Ok(site_templates) => {
                sources.extend(
                    site_templates
                        .iter()
                        .map(|t| (t.path.clone(), t.text.clone())),
                );
                Templates::new(&site_templates)
                    .map_err(|d| diags.extend(d))
                    .ok()
            }
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        Some(Inputs {
            config: config?,
            registries,
            templates,
            sources,
        })
    }

    /// Whether `rel` (relative to the site root) is one of the files these inputs come from.
    pub fn is_input(rel: &Path) -> bool {
        rel == Path::new(config::CONFIG_FILE)
            || rel.starts_with(templates::TEMPLATES_DIR)
            || load::is_registry(rel)
    }
}

/// `brief.yaml` with the command line's overrides; a site that will be written needs a base
/// URL.
fn read_config(
    opts: &BuildOptions,
    sources: &mut Vec<(PathBuf, Arc<str>)>,
    diags: &mut Diagnostics,
) -> Option<config::Config> {
    let mut text = config::read(&opts.root).map_err(|d| diags.extend(d)).ok()?;
    let file = Path::new(config::CONFIG_FILE);
    if let Some((clean, warning)) = load::replace_controls(&text, file) {
        diags.push(warning);
        text = clean;
    }
    let parsed = config::parse(&text, &opts.root, &opts.overrides);
    sources.push((PathBuf::from(config::CONFIG_FILE), text.into()));
    let config = parsed.map_err(|d| diags.extend(d)).ok()?;
    if opts.write && config.base_url.is_none() {
        diags.push(
            Diagnostic::error("missing-field", "brief.yaml has no `base_url`")
                .at(config::CONFIG_FILE, Some(Pos::new(1, 1)))
                .help("add `base_url: https://example.org/` (where the site will live), or pass --base-url URL"),
        );
    }
    Some(config)
}

//! `brief.yaml`: finding the site root and reading its configuration.
//!
//! The configuration is validated here (base URL, output folder), so later stages can trust it.
//! Command-line overrides (`--output`, `--base-url`) are applied by the caller before
//! validation through [`Overrides`], so they get the same checks as the file.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::output;
use crate::yaml;

pub const CONFIG_FILE: &str = "brief.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    // `Option` so that a missing title is reported in words of its own, at the top of the file.
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    output_dir: Option<Spanned<String>>,
    /// Extension: pass raw HTML in Markdown through instead of showing it as text.
    allow_raw_html: Option<bool>,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub title: String,
    /// Absolute URL ending in `/`, or `None` when neither the file nor the command line set it.
    pub base_url: Option<String>,
    pub description: Option<String>,
    pub language: String,
    /// Absolute path of the output folder.
    pub output_dir: PathBuf,
    pub allow_raw_html: bool,
}

impl Config {
    /// The path part of the base URL (`/` or `/briefs/`): every internal link starts with it.
    pub fn base_path(&self) -> String {
        self.base_url
            .as_deref()
            .and_then(|u| u.split_once("://"))
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string())
    }
}

/// Values given on the command line, which win over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
}

/// The folder holding `brief.yaml`: `start` itself or its nearest parent that has one.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Reads and validates `<root>/brief.yaml`. Returns the text too, for diagnostics.
pub fn load(root: &Path, overrides: &Overrides) -> Result<(Config, String), Diagnostics> {
    let text = read(root)?;
    let config = parse(&text, root, overrides)?;
    Ok((config, text))
}

/// The text of `<root>/brief.yaml`.
pub fn read(root: &Path) -> Result<String, Diagnostics> {
    let file = Path::new(CONFIG_FILE);
    let path = root.join(CONFIG_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Diagnostic::error("not-utf8", "brief.yaml is not valid UTF-8 text")
                .at(file, None)
                .help("save the file as UTF-8")
                .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Diagnostic::error(
            "missing-config",
            format!("no brief.yaml in {}", root.display()),
        )
        .help(
            "run brief in a site folder, pass --root DIR, or create a site with a brief.yaml \
                 holding at least `title: My briefings` and `base_url: https://example.org/`",
        )
        .into()),
        Err(e) => Err(
            Diagnostic::error("io-error", format!("cannot read brief.yaml: {e}"))
                .at(file, None)
                .into(),
        ),
    }
}

/// Validates the text of `brief.yaml`, with the command line's overrides applied.
pub fn parse(text: &str, root: &Path, overrides: &Overrides) -> Result<Config, Diagnostics> {
    let file = Path::new(CONFIG_FILE);
    let raw: ConfigFile = match yaml::is_blank(text) {
        true => ConfigFile::default(),
        false => yaml::parse(text, file, 0)?,
    };
    let mut diags = Diagnostics::default();

    let base_url = match (&overrides.base_url, &raw.base_url) {
        (Some(url), _) => match normalize_base_url(url) {
            Ok(u) => Some(u),
            Err(why) => {
                diags.push(
                    Diagnostic::error("invalid-base-url", format!("--base-url {why}"))
                        .help("give an absolute URL such as https://example.org/briefs/"),
                );
                None
            }
        },
        (None, Some(url)) => match normalize_base_url(&url.value) {
            Ok(u) => Some(u),
            Err(why) => {
                diags.push(
                    Diagnostic::error("invalid-base-url", format!("base_url {why}"))
                        .at(file, Some(yaml::spanned_pos(url, 0)))
                        .help("write an absolute URL such as https://example.org/briefs/"),
                );
                None
            }
        },
        (None, None) => None,
    };

    if raw.title.as_ref().is_none_or(|t| t.value.trim().is_empty()) {
        let (message, pos) = match &raw.title {
            Some(t) => ("the site title is empty", yaml::spanned_pos(t, 0)),
            None => ("brief.yaml has no `title`", crate::diag::Pos::new(1, 1)),
        };
        diags.push(
            Diagnostic::error("missing-field", message)
                .at(file, Some(pos))
                .help("give the site a title, e.g. `title: Ukraine Security Briefings`"),
        );
    }

    let (output_dir, output_pos) = match (&overrides.output_dir, &raw.output_dir) {
        (Some(dir), _) => (output::resolve(root, dir), None),
        (None, Some(dir)) => (
            output::resolve(root, Path::new(&dir.value)),
            Some(yaml::spanned_pos(dir, 0)),
        ),
        (None, None) => (output::resolve(root, Path::new("public")), None),
    };
    if let Some(why) = output_dir_problem(root, &output_dir) {
        let mut d = Diagnostic::error(
            "bad-output-dir",
            format!("the output folder {} {why}", output_dir.display()),
        )
        .help("choose a folder of its own for the output, such as `public`; building into it replaces its contents");
        if let Some(pos) = output_pos {
            d = d.at(file, Some(pos));
        }
        diags.push(d);
    }

    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Config {
        title: raw.title.map(|t| t.value).unwrap_or_default(),
        base_url,
        description: raw.description,
        language: raw.language.unwrap_or_else(|| "en".to_string()),
        output_dir,
        allow_raw_html: raw.allow_raw_html.unwrap_or(false),
    })
}

/// Checks a base URL and gives it a trailing slash.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "`{url}` is not an absolute URL (it needs http:// or https://)"
        ));
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!("`{url}` must start with http:// or https://"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`{url}` has no host name"));
    }
    if rest.contains(['?', '#']) || rest.contains(char::is_whitespace) {
        return Err(format!(
            "`{url}` may not contain a query, a fragment or spaces"
        ));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// Makes `p` absolute against `root`, and removes `.` and `..` without touching the disk (the
/// folder may not exist yet).
pub fn absolutize(root: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Building replaces the output folder and its spare, so neither may be or hold anything of
/// the site's own, whatever links lead there.
fn output_dir_problem(root: &Path, out: &Path) -> Option<String> {
    let root = output::real(root);
    if let Some(why) = output::protected_reason(&root, out) {
        return Some(why);
    }
    let spare = crate::write::spare_of(out);
    output::protected_reason(&root, &spare)
        .map(|why| format!("has a spare folder ({}) that {why}", spare.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_get_a_trailing_slash_and_must_be_absolute() {
        assert_eq!(
            normalize_base_url("https://example.org/briefs").unwrap(),
            "https://example.org/briefs/"
        );
        assert!(normalize_base_url("example.org").is_err());
        assert!(normalize_base_url("ftp://example.org/").is_err());
        assert!(normalize_base_url("https:///x").is_err());
    }

    #[test]
    fn neither_the_output_nor_its_spare_may_be_the_site() {
        let root = Path::new("/x/.public.brief-spare");
        assert!(output_dir_problem(root, Path::new("/x/public")).is_some());
        assert!(output_dir_problem(root, Path::new("/x/.public.brief-spare/content")).is_some());
        assert!(output_dir_problem(root, Path::new("/x/.public.brief-spare/public")).is_none());
    }

    #[test]
    fn base_path_is_the_url_path() {
        let mut c = Config {
            title: "t".into(),
            base_url: Some("https://example.org/briefs/".into()),
            description: None,
            language: "en".into(),
            output_dir: "/o".into(),
            allow_raw_html: false,
        };
        assert_eq!(c.base_path(), "/briefs/");
        c.base_url = Some("https://example.org/".into());
        assert_eq!(c.base_path(), "/");
    }
}

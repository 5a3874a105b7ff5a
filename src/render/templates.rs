//! Templates: the built-in Tera templates (embedded in the binary) and the site's overrides.
//!
//! A site's `templates/<name>` replaces the built-in template of that name; other files there
//! can be included or extended. Tera errors are turned into diagnostics that name the template
//! file, its line, and the whole chain of causes (Tera nests the real cause in `source()`).
//! Autoescaping is Tera's, with control characters replaced ([`escape_html`]).

use std::collections::HashMap;
use std::error::Error as _;
use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diag::{Diagnostic, Diagnostics, Pos};

/// The built-in templates and assets, compiled into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "briefing.html",
        include_str!("../../templates/briefing.html"),
    ),
    (
        "speakers.html",
        include_str!("../../templates/speakers.html"),
    ),
    ("speaker.html", include_str!("../../templates/speaker.html")),
    (
        "questions.html",
        include_str!("../../templates/questions.html"),
    ),
    (
        "question.html",
        include_str!("../../templates/question.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    ("tags.html", include_str!("../../templates/tags.html")),
    ("tag.html", include_str!("../../templates/tag.html")),
    ("search.html", include_str!("../../templates/search.html")),
];

pub const STYLESHEET: &str = include_str!("../../templates/style.css");
pub const SCRIPT: &str = include_str!("../../templates/brief.js");
/// The search page's script (loaded by `search.html` only).
pub const SEARCH_SCRIPT: &str = include_str!("../../templates/search.js");

pub const TEMPLATES_DIR: &str = "templates";

/// The compiled templates, plus where each came from (for error messages).
pub struct Templates {
    pub tera: tera::Tera,
    /// Template name -> file relative to the site root, for the site's own templates.
    overrides: Vec<(String, PathBuf)>,
    /// The site's templates whose text is not the built-in one of their name.
    custom: Vec<String>,
    /// The size of the last page each template made: the next page's buffer starts at about
    /// that size (a briefing page is tens of kilobytes; growing a buffer from Tera's small
    /// guess copies the page several times over).
    last_size: HashMap<String, AtomicUsize>,
}

/// The templates' autoescaping: Tera's HTML escape, with each stray control character shown
/// as U+FFFD (a value may hold one from a YAML escape, `"\x01"`, and no page shows one raw).
pub fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match crate::scan::has_stray_control(input) {
        false => tera::escape_html(input, out),
        true => tera::escape_html(&crate::scan::without_controls(input), out),
    }
}

/// A template file of the site's own.
#[derive(Debug, Clone)]
pub struct SiteTemplate {
    /// Its name for Tera: the path inside `templates/` (`briefing.html`, `partials/x.html`).
    pub name: String,
    /// Relative to the site root.
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Reads the site's `templates/` folder.
pub fn read_site_templates(root: &Path) -> Result<Vec<SiteTemplate>, Diagnostics> {
    let dir = root.join(TEMPLATES_DIR);
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut diags = Diagnostics::default();
    for rel in crate::load::walk_files(root, &dir, &mut diags) {
        let name = crate::diag::display_path(rel.strip_prefix(TEMPLATES_DIR).unwrap_or(&rel));
        match crate::load::read_text(root, &rel) {
            Ok(text) => found.push(SiteTemplate {
                name,
                path: rel,
                text,
            }),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(found)
    }
}

impl Templates {
    /// Compiles the built-ins with the site's templates on top.
    pub fn new(site_templates: &[SiteTemplate]) -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_html);
        let mut all: Vec<(String, String)> = BUILTIN
            .iter()
            .filter(|(name, _)| !site_templates.iter().any(|t| t.name == *name))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        for t in site_templates {
            all.push((t.name.clone(), t.text.to_string()));
        }
        let last_size = all
            .iter()
            .map(|(name, _)| (name.clone(), AtomicUsize::new(0)))
            .collect();
        let mut templates = Templates {
            tera,
            overrides: site_templates
                .iter()
                .map(|t| (t.name.clone(), t.path.clone()))
                .collect(),
            custom: site_templates
                .iter()
                .filter(|t| !BUILTIN.contains(&(t.name.as_str(), &*t.text)))
                .map(|t| t.name.clone())
                .collect(),
            last_size,
        };
        if let Err(e) = templates.tera.add_raw_templates(all) {
            return Err(Diagnostics(templates.diagnostics(&e, "template-syntax")));
        }
        Ok(templates)
    }

    /// Whether `name` is the built-in template: the site has no file of its own by that name,
    /// or one with the built-in's very text (as the sample site in brief's repository has).
    pub fn is_builtin(&self, name: &str) -> bool {
        !self.custom.iter().any(|n| n == name)
    }

    /// Renders template `name`: the page's bytes (UTF-8, as Tera writes only text).
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<Vec<u8>, Diagnostic> {
        let last = self.last_size.get(name);
        let guess = last.map_or(0, |n| n.load(Ordering::Relaxed));
        let mut out = Vec::with_capacity(guess + guess / 8);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| self.diagnostic(&e, "template-render"))?;
        if let Some(n) = last {
            n.store(out.len(), Ordering::Relaxed);
        }
        fit(&mut out);
        Ok(out)
    }

    fn file_of(&self, name: &str) -> Option<&Path> {
        self.overrides
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_path())
    }

    /// A diagnostic naming the template, its line, and every cause. Tera reports several
    /// broken templates as one message; each gets a diagnostic of its own.
    fn diagnostic(&self, e: &tera::Error, code: &'static str) -> Diagnostic {
        let mut all = self.diagnostics(e, code);
        let first = all.remove(0);
        all.into_iter().fold(first, |d, more| d.note(more.message))
    }

    fn diagnostics(&self, e: &tera::Error, code: &'static str) -> Vec<Diagnostic> {
        let located = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let span = r.span();
                let len = if span.end_line == span.start_line {
                    span.end_col.saturating_sub(span.start_col)
                } else {
                    1
                };
                vec![(
                    r.message().to_string(),
                    Some(r.filename().to_string()),
                    Some(Pos::new(span.start_line, span.start_col + 1).with_len(len)),
                )]
            }
            tera::ErrorKind::TemplateNotFound(name) => {
                vec![(format!("template `{name}` not found"), None, None)]
            }
            tera::ErrorKind::MissingParent { current, parent } => vec![(
                format!("template `{current}` extends `{parent}`, which does not exist"),
                Some(current.clone()),
                None,
            )],
            tera::ErrorKind::Msg(m) if m.contains("\n --> ") => split_reports(m),
            _ => vec![(e.to_string(), None, None)],
        };
        let causes = cause_chain(e);
        located
            .into_iter()
            .map(|(message, template, pos)| {
                let mut full = message;
                for c in &causes {
                    if !full.contains(c.as_str()) {
                        full.push_str(": ");
                        full.push_str(c);
                    }
                }
                let help = help_for(
                    code,
                    &full,
                    template.as_deref(),
                    self.file_of("base.html").is_some(),
                );
                let mut d = Diagnostic::error(code, full);
                match template.as_deref().and_then(|t| self.file_of(t)) {
                    Some(file) => d = d.at(file, pos),
                    None => {
                        if let Some(t) = &template {
                            d = d.note(format!("in the built-in template `{t}`"));
                        }
                    }
                }
                d.help(help)
            })
            .collect()
    }
}

/// Every `source()` below a Tera error, as text: Tera keeps the real cause there.
fn cause_chain(e: &tera::Error) -> Vec<String> {
    let mut causes: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    causes
}

type Located = (String, Option<String>, Option<Pos>);

/// Splits Tera's combined report (`error: ...` / ` --> name:line:col` blocks) into parts.
fn split_reports(text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    for block in text
        .split("\nerror: ")
        .map(|b| b.trim_start_matches("error: "))
    {
        let message = block.lines().next().unwrap_or("").trim().to_string();
        let location = block
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|loc| {
                let mut parts = loc.trim().rsplitn(3, ':');
                let col: usize = parts.next()?.parse().ok()?;
                let line: usize = parts.next()?.parse().ok()?;
                Some((parts.next()?.to_string(), Pos::new(line, col)))
            });
        if !message.is_empty() {
            out.push((
                message,
                location.as_ref().map(|l| l.0.clone()),
                location.map(|l| l.1),
            ));
        }
    }
    if out.is_empty() {
        out.push((text.trim().to_string(), None, None));
    }
    out
}

fn help_for(code: &str, message: &str, template: Option<&str>, base_overridden: bool) -> String {
    let builtin = template.is_some_and(|t| BUILTIN.iter().any(|(n, _)| *n == t));
    if base_overridden && builtin && message.contains("not defined in any parent template") {
        return "the built-in templates extend base.html and fill its blocks `head` and `content`: \
                your templates/base.html must define both (`{% block content %}{% endblock content %}`)"
            .to_string();
    }
    match code {
        "template-syntax" => "fix the template syntax (Tera 2: `{{ value }}`, `{% if %}...{% endif %}`, `{% for x in xs %}...{% endfor %}`); see docs/templates.md".to_string(),
        _ => "check the variable names against docs/templates.md; optional values may be `none`, test them with `{% if x %}` before use".to_string(),
    }
}

/// Gives back a page's unused room when it is large. Pages of one template differ in size (a
/// question page can be a thousand times another's); `serve` keeps pages in memory, so a page
/// keeps no room it does not use.
pub fn fit(page: &mut Vec<u8>) {
    if page.capacity() > page.len() + page.len() / 2 + 4096 {
        page.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_page_after_a_large_one_keeps_no_large_buffer() {
        let list = SiteTemplate {
            name: "list.html".to_string(),
            path: PathBuf::from("templates/list.html"),
            text: "{% for i in items %}{{ i }},{% endfor %}".into(),
        };
        let templates = Templates::new(&[list]).expect("the template compiles");
        let render = |n: usize| {
            let mut c = tera::Context::new();
            c.insert("items", &vec!["some words"; n]);
            templates.render("list.html", &c).expect("it renders")
        };
        let large = render(100_000);
        assert_eq!(large.len(), 100_000 * "some words,".len());
        // The next page starts from the last one's size, and gives back what it did not use.
        let small = render(2);
        assert_eq!(small, b"some words,some words,");
        assert!(small.capacity() < 8192, "{}", small.capacity());
    }

    /// The native pages (`render::native`) are written only for built-in templates, so this
    /// decides whether `tests/it/native.rs` compares two ways of rendering or one way twice.
    #[test]
    fn a_copy_with_the_built_in_text_counts_as_built_in_and_any_other_does_not() {
        let builtin = |name: &str| BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1;
        let site_template = |name: &str, text: &str| SiteTemplate {
            name: name.to_string(),
            path: PathBuf::from("templates").join(name),
            text: text.into(),
        };
        let none = Templates::new(&[]).unwrap();
        assert!(none.is_builtin("briefing.html") && none.is_builtin("base.html"));
        let same = Templates::new(&[site_template("briefing.html", builtin("briefing.html"))]);
        assert!(same.unwrap().is_builtin("briefing.html"));
        let commented = format!("{}{{# mine #}}", builtin("briefing.html"));
        let own = Templates::new(&[site_template("briefing.html", &commented)]).unwrap();
        assert!(!own.is_builtin("briefing.html"));
        assert!(
            own.is_builtin("speaker.html"),
            "only the overridden template is the site's"
        );
    }
}

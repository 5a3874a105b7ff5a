//! The error page `serve` shows in the browser while the site has errors.
//!
//! It renders a report's diagnostics as one self-contained HTML document: file, line and
//! column, message, help and notes of each, and the terminal's rendering below them. Every
//! piece of text that comes from the site (messages quote its content) is escaped here. This
//! module only formats: it reads no files, prints nothing and knows nothing of HTTP (the live
//! reload script is added by the server, like on every HTML page it serves).

use std::fmt::Write as _;

use crate::Report;
use crate::diag::{self, Diagnostic, Severity};
use crate::mark::escape;

/// The overlay for a report that has errors.
pub fn render(report: &Report) -> String {
    let diags = &report.diagnostics;
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    let mut out = String::with_capacity(4096);
    let title = format!(
        "{errors} error{} in the site",
        if errors == 1 { "" } else { "s" }
    );
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>brief: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main id=\"brief-error-overlay\">\n<h1>{}</h1>\n\
         <p class=\"lead\">The pages are not updated until the site builds again. Fix the \
         problem{} below and save: this page reloads by itself.</p>\n<ol class=\"diagnostics\">\n",
        escape(&title),
        escape(&title),
        if errors + warnings == 1 { "" } else { "s" }
    );
    // Errors first: they are what stops the build.
    let ordered = diags
        .iter()
        .filter(|d| d.is_error())
        .chain(diags.iter().filter(|d| !d.is_error()));
    for d in ordered {
        item(&mut out, d);
    }
    out.push_str("</ol>\n");
    let terminal = diag::render_human(diags, &report.sources, false);
    let _ = write!(
        out,
        "<details open>\n<summary>As shown in the terminal</summary>\n<pre>{}</pre>\n</details>\n\
         </main>\n</body>\n</html>\n",
        escape(&terminal)
    );
    out
}

fn item(out: &mut String, d: &Diagnostic) {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = write!(
        out,
        "<li class=\"{severity}\">\n<p class=\"where\">{}</p>\n\
         <p class=\"message\"><span class=\"code\">{severity}[{}]</span> {}</p>\n",
        escape(&location(d.file.as_deref(), d.pos)),
        escape(d.code),
        escape(&d.message)
    );
    for note in &d.notes {
        let at = if note.file.is_some() {
            format!(" ({})", location(note.file.as_deref(), note.pos))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<p class=\"note\">note: {}{}</p>",
            escape(&note.message),
            escape(&at)
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "<p class=\"help\">help: {}</p>", escape(help));
    }
    out.push_str("</li>\n");
}

/// `file:line:column`, as in the terminal.
fn location(file: Option<&std::path::Path>, pos: Option<diag::Pos>) -> String {
    let mut s = match file {
        Some(f) => diag::display_path(f),
        None => return "(the site as a whole)".to_string(),
    };
    if let Some(p) = pos {
        let _ = write!(s, ":{}:{}", p.line, p.column);
    }
    s
}

const STYLE: &str = "\
body{margin:0;background:#1b1b1f;color:#eee;font:16px/1.5 system-ui,sans-serif}\
main{max-width:60rem;margin:0 auto;padding:2rem 1.5rem}\
h1{color:#ff8a80;font-size:1.6rem;margin:0 0 .5rem}\
.lead{color:#bbb}\
ol{padding:0;list-style:none}\
li{border-left:4px solid #ff5252;background:#26262c;margin:1rem 0;padding:.6rem 1rem}\
li.warning{border-color:#ffb74d}\
.where{font-family:ui-monospace,monospace;color:#8ab4f8;margin:.2rem 0}\
.message{margin:.2rem 0;font-weight:600}\
.code{font-family:ui-monospace,monospace;color:#ff8a80;font-weight:400}\
li.warning .code{color:#ffb74d}\
.note,.help{margin:.2rem 0;color:#ccc}\
.help{color:#a5d6a7}\
pre{background:#111;padding:1rem;overflow:auto;font-size:.85rem;line-height:1.35}\
summary{cursor:pointer;color:#bbb}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    #[test]
    fn everything_from_the_site_is_escaped() {
        let mut report = Report::default();
        report.add([
            Diagnostic::error("bad-thing", "the text `<script>alert(1)</script>` & more")
                .at("content/<x>.yaml", Some(Pos::new(4, 11)))
                .help("write \"it\" 'so'")
                .note("a <b>note</b>"),
        ]);
        let html = render(&report);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>note"), "{html}");
        assert!(html.contains("content/&lt;x&gt;.yaml:4:11"), "{html}");
        assert!(html.contains("`&lt;script&gt;alert(1)&lt;/script&gt;` &amp; more"));
        assert!(html.contains("help: write &quot;it&quot; &#39;so&#39;"));
        assert!(html.contains("1 error in the site"));
    }
}

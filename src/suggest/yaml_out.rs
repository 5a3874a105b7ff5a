//! Writing the draft as an annotations file (FORMAT.md, "Annotations"), with `# check:`
//! comments on whatever is a guess, and merging new quotes into an existing file's text
//! without touching what is already there (comments and order included).
//!
//! It must not decide anything about the article: it writes what the draft says, and only
//! edits text (no YAML library round trip, which would drop the writer's comments).

use std::fmt::Write as _;

use super::speakers::Proposal;
use super::{Draft, DraftQuote};
use crate::model::SpeakerKind;

/// A double-quoted YAML scalar.
pub fn quoted(s: &str) -> String {
    crate::yaml::double_quoted(s)
}

/// A scalar written plain when YAML would read it back unchanged, else double-quoted.
pub fn scalar(s: &str) -> String {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '(');
    let risky = s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.ends_with(' ')
        || s.contains([
            '"', '\'', '\n', '\t', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`',
        ])
        || matches!(
            s.to_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "null" | "on" | "off" | "~"
        )
        || s.parse::<f64>().is_ok();
    if first_ok && !risky {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// One `speakers:` entry, indented by `indent` spaces.
pub fn speaker_entry(p: &Proposal, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = format!("{pad}{}:  # new speaker: check the name and role\n", p.id);
    let _ = writeln!(out, "{pad}  name: {}", scalar(&p.name));
    if let Some(role) = &p.role {
        let _ = writeln!(out, "{pad}  role: {}", scalar(role));
    }
    if p.kind == SpeakerKind::Organisation {
        let _ = writeln!(out, "{pad}  kind: organisation");
    }
    out
}

/// One `quotes:` item, the dash indented by `indent` spaces.
pub fn quote_item(q: &DraftQuote, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for note in &q.notes {
        let _ = writeln!(out, "{pad}# check: {note}");
    }
    let _ = writeln!(out, "{pad}- id: {}", q.id);
    let field = format!("{pad}  ");
    if q.parts.len() == 1 {
        let _ = writeln!(out, "{field}text: {}", quoted(&q.parts[0]));
    } else {
        let _ = writeln!(out, "{field}parts:");
        for part in &q.parts {
            let _ = writeln!(out, "{field}  - {}", quoted(part));
        }
    }
    if let Some(p) = &q.prefix {
        let _ = writeln!(out, "{field}prefix: {}", quoted(p));
    }
    if let Some(s) = &q.suffix {
        let _ = writeln!(out, "{field}suffix: {}", quoted(s));
    }
    if let Some(n) = q.occurrence {
        let _ = writeln!(out, "{field}occurrence: {n}");
    }
    let _ = writeln!(out, "{field}speaker: {}", q.speaker);
    if !q.via.is_empty() {
        let _ = writeln!(out, "{field}via: [{}]", q.via.join(", "));
    }
    out
}

/// The whole draft as a new annotations file.
pub fn render(draft: &Draft, article: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Draft annotations for {article}, suggested by `brief suggest`."
    );
    let _ = writeln!(
        out,
        "# Check every quote and speaker against the article; `# check:` marks a guess."
    );
    if !draft.speakers.is_empty() {
        out.push_str("\nspeakers:\n");
        for p in &draft.speakers {
            out.push_str(&speaker_entry(p, 2));
        }
    }
    if draft.quotes.is_empty() {
        out.push_str("\n# No direct quotes found.\nquotes: []\n");
    } else {
        out.push_str("\nquotes:\n");
        for q in &draft.quotes {
            out.push_str(&quote_item(q, 2));
        }
    }
    out.push_str(&set_aside_comment(&draft.set_aside));
    out
}

/// Comments listing the quoted words that were not taken as quotes, so a reader can check.
pub fn set_aside_comment(set_aside: &[String]) -> String {
    if set_aside.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n# Not suggested (titles, terms, scare quotes; check them):\n");
    for s in set_aside {
        let _ = writeln!(out, "#   {s}");
    }
    out
}

/// Why an existing file cannot be merged into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// The key holds a flow collection other than an empty one (`quotes: [{...}]`).
    FlowStyle { key: &'static str, line: usize },
}

/// A top-level key's line: its index, and what follows the colon.
fn find_key<'a>(lines: &[&'a str], key: &str) -> Option<(usize, &'a str)> {
    lines.iter().enumerate().find_map(|(i, l)| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some((i, rest))
    })
}

fn is_top_level_content(l: &str) -> bool {
    !l.is_empty() && !l.starts_with([' ', '\t', '#', '-'])
}

/// Where a block under the key on line `key` ends (the line after its last content line), and
/// the indentation its entries use (`None` when it has none yet).
fn block_end(lines: &[&str], key: usize) -> (usize, Option<usize>) {
    let mut last = key;
    let mut indent = None;
    for (i, l) in lines.iter().enumerate().skip(key + 1) {
        if is_top_level_content(l) || *l == "---" || *l == "..." {
            break;
        }
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        indent.get_or_insert(l.len() - t.len());
        last = i;
    }
    (last + 1, indent)
}

/// Inserts `entries` (rendered by `render_at(indent)`) into the block under `key`, creating the
/// key at the end if it is missing.
fn insert_into(
    text: &str,
    key: &'static str,
    render_at: impl Fn(usize) -> String,
) -> Result<String, MergeError> {
    let lines: Vec<&str> = text.lines().collect();
    let Some((at, rest)) = find_key(&lines, key) else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        let _ = write!(out, "\n{key}:\n{}", render_at(2));
        return Ok(out);
    };
    let value = rest.split(" #").next().unwrap_or("").trim();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let insert_at = match value {
        "" => {
            let (end, indent) = block_end(&lines, at);
            // A sequence may sit at the key's own indentation ("quotes:\n- id: x").
            let indent = indent.unwrap_or(2);
            out.insert(end, render_at(indent).trim_end_matches('\n').to_string());
            return Ok(out.join("\n") + "\n");
        }
        "[]" | "{}" | "~" | "null" => at,
        _ => return Err(MergeError::FlowStyle { key, line: at + 1 }),
    };
    out[insert_at] = format!("{key}:");
    out.insert(
        insert_at + 1,
        render_at(2).trim_end_matches('\n').to_string(),
    );
    Ok(out.join("\n") + "\n")
}

/// Adds `quotes` and `speakers` to an existing annotations file's text.
pub fn merge(
    text: &str,
    quotes: &[DraftQuote],
    speakers: &[Proposal],
) -> Result<String, MergeError> {
    let mut out = text.to_string();
    if !speakers.is_empty() {
        out = insert_into(&out, "speakers", |indent| {
            speakers.iter().map(|p| speaker_entry(p, indent)).collect()
        })?;
    }
    if !quotes.is_empty() {
        out = insert_into(&out, "quotes", |indent| {
            let mut s = format!(
                "{}# Added by `brief suggest --merge`:\n",
                " ".repeat(indent)
            );
            s.extend(quotes.iter().map(|q| quote_item(q, indent)));
            s
        })?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(id: &str) -> DraftQuote {
        DraftQuote {
            id: id.into(),
            parts: vec!["He said \"no\"".into()],
            prefix: None,
            suffix: None,
            occurrence: None,
            speaker: "alice".into(),
            via: vec![],
            notes: vec!["speaker from \"she\"".into()],
            folded: vec![],
        }
    }

    #[test]
    fn scalars_are_quoted_when_they_must_be() {
        assert_eq!(scalar("Anders Rasmussen"), "Anders Rasmussen");
        assert_eq!(scalar("Head: of things"), "\"Head: of things\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(quoted("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
    }

    #[test]
    fn merging_appends_to_the_existing_block_and_keeps_comments() {
        let text = "# mine\nquotes:\n  - id: old # keep\n    text: \"x y z\"\n    speaker: bob\n\nhighlights:\n  - text: \"a b c\"\n";
        let out = merge(text, &[quote("new")], &[]).unwrap();
        assert!(
            out.starts_with("# mine\nquotes:\n  - id: old # keep\n"),
            "{out}"
        );
        let new_at = out.find("- id: new").unwrap();
        assert!(new_at < out.find("highlights:").unwrap(), "{out}");
        assert!(
            out.contains("  # check: speaker from \"she\"\n  - id: new\n"),
            "{out}"
        );
    }

    #[test]
    fn merging_creates_missing_keys_and_fills_empty_ones() {
        let out = merge("highlights: []\n", &[quote("q")], &[]).unwrap();
        assert!(out.contains("\nquotes:\n  # Added"), "{out}");
        let out = merge("quotes: []\n", &[quote("q")], &[]).unwrap();
        assert!(out.starts_with("quotes:\n  # Added"), "{out}");
        assert!(matches!(
            merge("quotes: [{text: a}]\n", &[quote("q")], &[]),
            Err(MergeError::FlowStyle {
                key: "quotes",
                line: 1
            })
        ));
    }
}

//! Machine-readable annotations: the W3C Web Annotation collection written beside each
//! briefing (`annotations.jsonld`), and the schema.org `NewsArticle` embedded in its page.
//!
//! Both are written with `serde_json` from typed shapes built from the model and the anchors;
//! no I/O.

use serde::Serialize;

use crate::article::{Processed, highlight_kind_name, quote_kind_name};
use crate::markdown::is_dangerous_url;
use crate::model::{AnnotationKind, Briefing, QuestionStatus, SpeakerKind};
use crate::render::view::{Lookup, anchored_text};

/// Characters of context kept in a `TextQuoteSelector`'s `prefix` and `suffix`.
const CONTEXT: usize = 32;

/// The W3C `AnnotationCollection` for one briefing.
pub fn annotation_collection(b: &Briefing, p: &Processed, look: &Lookup) -> Vec<u8> {
    let page = look.urls.briefing(&b.slug);
    let page_abs = look.urls.absolute(&page);
    let text = &p.reader_text;
    // Positions count characters; in an all-ASCII text (most articles) they are the bytes.
    let ascii = text.is_ascii();
    let char_offset = |byte: usize| match ascii {
        true => byte,
        false => text[..byte].chars().count(),
    };
    let items: Vec<Item> = b
        .annotations
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let ranges = p.anchors.get(i).map(Vec::as_slice).unwrap_or(&[]);
            let mut targets: Vec<Target> = ranges
                .iter()
                .map(|r| Target {
                    selector: [
                        Selector::Quote {
                            exact: &text[r.clone()],
                            prefix: tail_chars(&text[..r.start], CONTEXT),
                            suffix: head_chars(&text[r.end..], CONTEXT),
                            r#type: "TextQuoteSelector",
                        },
                        Selector::Position {
                            end: char_offset(r.end),
                            start: char_offset(r.start),
                            r#type: "TextPositionSelector",
                        },
                    ],
                    source: &page_abs,
                })
                .collect();
            let (class, kind, speaker) = match &a.kind {
                AnnotationKind::Quote { speaker, kind, .. } => {
                    ("quote", quote_kind_name(*kind), Some(speaker.as_str()))
                }
                AnnotationKind::Highlight { kind, speaker } => {
                    ("highlight", highlight_kind_name(*kind), speaker.as_deref())
                }
            };
            let mut body = vec![Body::textual("classifying", [class, ":", kind].concat())];
            if let Some(s) = speaker {
                let link = look.speaker(s);
                body.push(Body {
                    source: Some(look.urls.absolute(&link.url)),
                    value: Some(link.name.clone()),
                    ..Body::resource("identifying")
                });
            }
            if let AnnotationKind::Quote { via, .. } = &a.kind {
                for v in via {
                    let link = look.speaker(v);
                    body.push(Body::textual("tagging", ["via:", &link.name].concat()));
                }
            }
            for q in &a.questions {
                let link = look.question(q);
                body.push(Body {
                    source: Some(look.urls.absolute(&link.url)),
                    ..Body::resource("linking")
                });
            }
            if let Some(note) = &a.note {
                body.push(Body {
                    format: Some("text/markdown"),
                    ..Body::textual("commenting", note.clone())
                });
            }
            let target = match targets.len() {
                1 => Targets::One(targets.remove(0)),
                _ => Targets::Many(targets),
            };
            Item {
                body,
                id: [&page_abs, "#", &a.id].concat(),
                motivation: if a.note.is_some() {
                    "commenting"
                } else {
                    "highlighting"
                },
                target,
                r#type: "Annotation",
            }
        })
        .collect();
    let collection = Collection {
        context: "http://www.w3.org/ns/anno.jsonld",
        first: AnnotationPage {
            items,
            r#type: "AnnotationPage",
        },
        id: format!("{page_abs}annotations.jsonld"),
        label: &b.title,
        total: b.annotations.len(),
        r#type: "AnnotationCollection",
    };
    let mut bytes = Vec::with_capacity(16 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, Pretty::default());
    // Cannot fail: typed shapes whose maps have string keys, written to memory. Were it to,
    // the file would be empty rather than half written.
    if collection.serialize(&mut ser).is_err() {
        bytes.clear();
    }
    bytes.push(b'\n');
    bytes
}

/// serde_json's pretty printing (two spaces a level), byte for byte, with each line break and
/// its indentation written at once: `PrettyFormatter` writes an indentation two bytes at a
/// time, and a briefing's collection has hundreds of lines.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        const LINE: &[u8] = b"\n                                ";
        match LINE.get(..1 + 2 * self.depth) {
            Some(line) => w.write_all(line),
            None => {
                w.write_all(b"\n")?;
                (0..self.depth).try_for_each(|_| w.write_all(b"  "))
            }
        }
    }

    fn entry<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.new_line(w)
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, start: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(start)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, end: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(end)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

// The W3C Web Annotation shapes, written straight from typed values (no intermediate
// `serde_json::Value`). Fields are declared in alphabetical order, so the output lists keys
// in a stable, sorted order.

#[derive(Serialize)]
struct Collection<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    first: AnnotationPage<'a>,
    id: String,
    label: &'a str,
    total: usize,
    #[serde(rename = "type")]
    r#type: &'static str,
}

#[derive(Serialize)]
struct AnnotationPage<'a> {
    items: Vec<Item<'a>>,
    #[serde(rename = "type")]
    r#type: &'static str,
}

#[derive(Serialize)]
struct Item<'a> {
    body: Vec<Body>,
    id: String,
    motivation: &'static str,
    target: Targets<'a>,
    #[serde(rename = "type")]
    r#type: &'static str,
}

#[derive(Serialize)]
struct Body {
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(rename = "type")]
    r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl Body {
    fn textual(purpose: &'static str, value: String) -> Self {
        Body {
            format: None,
            purpose,
            source: None,
            r#type: "TextualBody",
            value: Some(value),
        }
    }

    fn resource(purpose: &'static str) -> Self {
        Body {
            format: None,
            purpose,
            source: None,
            r#type: "SpecificResource",
            value: None,
        }
    }
}

/// One target, or a list of them for a quote in parts.
#[derive(Serialize)]
#[serde(untagged)]
enum Targets<'a> {
    One(Target<'a>),
    Many(Vec<Target<'a>>),
}

#[derive(Serialize)]
struct Target<'a> {
    selector: [Selector<'a>; 2],
    source: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Selector<'a> {
    Quote {
        exact: &'a str,
        prefix: &'a str,
        suffix: &'a str,
        #[serde(rename = "type")]
        r#type: &'static str,
    },
    Position {
        end: usize,
        start: usize,
        #[serde(rename = "type")]
        r#type: &'static str,
    },
}

/// schema.org `NewsArticle` with its quotations and questions, as a string safe to put inside
/// a `<script>` element (every `<` is escaped, so no `</script>` can appear).
///
/// The article `isBasedOn` its source; each quote is a `Quotation` part whose `creator` is a
/// `Person` or an `Organization` (with `sameAs` when given); the questions it bears on are
/// `Question`s it is `about`, a resolved one with its resolution as the accepted answer.
pub fn schema_org(b: &Briefing, p: &Processed, look: &Lookup) -> String {
    let page = look.urls.briefing(&b.slug);
    let url = look.urls.absolute(&page);
    let has_part = b
        .annotations
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.kind {
            AnnotationKind::Quote { speaker, .. } => Some(Quotation {
                id: [&url, "#", &a.id].concat(),
                r#type: "Quotation",
                creator: schema_creator(speaker, look),
                text: anchored_text(p, i),
            }),
            _ => None,
        })
        .collect();
    let about = crate::render::view::briefing_question_ids(b)
        .into_iter()
        .map(|q| schema_question(q, look))
        .collect();
    let config = &look.site.config;
    let article = NewsArticle {
        context: "https://schema.org",
        r#type: "NewsArticle",
        about,
        date_published: &b.date.rfc3339,
        description: b.summary.as_deref(),
        has_part,
        headline: &b.title,
        in_language: &config.language,
        is_based_on: b.source.as_ref().map(|source| Named {
            r#type: "CreativeWork",
            name: &source.name,
            url: source
                .url
                .as_deref()
                .filter(|u| !is_dangerous_url(u, false)),
        }),
        keywords: &b.tags,
        main_entity_of_page: &url,
        publisher: Named {
            r#type: "Organization",
            name: &config.title,
            url: config.base_url.as_deref(),
        },
        url: &url,
    };
    script_safe(&serde_json::to_string(&article).unwrap_or_default())
}

// The schema.org shapes, written straight from typed values. Fields are declared in the byte
// order of their names, so keys come out sorted, as readers of earlier output saw them.

#[derive(Serialize)]
struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    r#type: &'static str,
    about: Vec<SchemaQuestion>,
    #[serde(rename = "datePublished")]
    date_published: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "hasPart")]
    has_part: Vec<Quotation>,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isBasedOn", skip_serializing_if = "Option::is_none")]
    is_based_on: Option<Named<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    keywords: &'a [String],
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: &'a str,
    publisher: Named<'a>,
    url: &'a str,
}

/// A publisher or a source: a type, a name and maybe a URL.
#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    r#type: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Quotation {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    r#type: &'static str,
    creator: Creator,
    text: String,
}

#[derive(Serialize)]
struct Creator {
    #[serde(rename = "@type")]
    r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    name: String,
    #[serde(rename = "sameAs", skip_serializing_if = "Vec::is_empty")]
    same_as: Vec<String>,
    url: String,
}

#[derive(Serialize)]
struct SchemaQuestion {
    #[serde(rename = "@type")]
    r#type: &'static str,
    #[serde(rename = "acceptedAnswer", skip_serializing_if = "Option::is_none")]
    accepted_answer: Option<Answer>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    url: String,
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "@type")]
    r#type: &'static str,
    text: String,
}

/// A quote's speaker: a `Person`, or an `Organization` for organisations and groups.
fn schema_creator(id: &str, look: &Lookup) -> Creator {
    let sp = look.speaker_model(id);
    let kind = match sp.map(|s| s.kind) {
        Some(SpeakerKind::Person) | None => "Person",
        Some(_) => "Organization",
    };
    let link = look.speaker(id);
    Creator {
        r#type: kind,
        description: link.role.clone(),
        name: link.name.clone(),
        same_as: sp
            .map(|s| {
                s.same_as
                    .iter()
                    .filter(|u| !is_dangerous_url(u, false))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
        url: look.urls.absolute(&link.url),
    }
}

/// A question the briefing is about; a resolved one answers itself with its resolution.
fn schema_question(id: &str, look: &Lookup) -> SchemaQuestion {
    let link = look.question(id);
    let resolution = look
        .site
        .questions
        .get(id)
        .and_then(|q| q.resolution.as_ref());
    SchemaQuestion {
        r#type: "Question",
        accepted_answer: resolution
            .filter(|_| link.status == QuestionStatus::Resolved)
            .map(|text| Answer {
                r#type: "Answer",
                text: text.clone(),
            }),
        name: link.title.clone(),
        text: link.prompt.clone(),
        url: look.urls.absolute(&link.url),
    }
}

/// Escapes `<`, `>` and `&` as JSON unicode escapes so the JSON can sit inside `<script>`.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 64);
    let mut rest = json;
    while let Some(i) = memchr::memchr3(b'<', b'>', b'&', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// The last `n` characters of `s` (counted from the end: the text before a mark is long).
fn tail_chars(s: &str, n: usize) -> &str {
    match n.checked_sub(1).and_then(|k| s.char_indices().rev().nth(k)) {
        Some((i, _)) => &s[i..],
        None if n == 0 => "",
        None => s,
    }
}

fn head_chars(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_printing_matches_serde_json_at_every_depth() {
        // Nested past the indentation kept ready, with empty and non-empty containers.
        let mut v = serde_json::json!({"a": [], "b": {}, "c": [1, {"d": "x"}]});
        for depth in 0..20 {
            v = serde_json::json!({ "level": depth, "inner": [v, [], {}] });
        }
        let mut ours = Vec::new();
        v.serialize(&mut serde_json::Serializer::with_formatter(
            &mut ours,
            Pretty::default(),
        ))
        .expect("serialises");
        let theirs = serde_json::to_vec_pretty(&v).expect("serialises");
        assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
    }
}

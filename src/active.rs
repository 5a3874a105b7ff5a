//! Active content in a folder briefing's own files: which of them could run script on the
//! site's origin when a reader opens them.
//!
//! A briefing's files are copied to the output as they are, beside its page, so a page or a
//! script among them, or markup that holds script, would run with the site's rights whatever
//! `allow_raw_html` says about the articles. Pages, scripts and the like are known by their
//! names ([`refused_by_name`]); every other file whose text starts like markup (SVG, any XML,
//! HTML under another name) is read ([`scan`]), because hosts choose a file's type by its
//! name, some by its content, and show many XML types as documents.
//!
//! The scan reads tags as both a browser's XML parser and its HTML parser would (quoted or
//! bare attribute values, any case, namespace prefixes, character and entity references), and
//! refuses script elements, embedded documents, event handlers, script URLs and the like.
//! What either parser could read differently from it (comments, CDATA sections, processing
//! instructions, a document type, anything after a tag it cannot finish) it searches for
//! anything that looks like those, so that nothing hidden from it is hidden from a browser.
//! It errs on the side of refusing, and takes time linear in the file. It does no I/O and
//! knows no settings: `article` decides what a finding means.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use memchr::memchr;
use memchr::memmem;

use crate::diag::{Diagnostic, Diagnostics, Pos};

/// A briefing file that could run script, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveFile {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Where in it, when the reason is in its content.
    pub pos: Option<Pos>,
    /// What it is or holds: "an HTML page", "a `<script>` element".
    pub what: String,
    /// Whether the reason is its name (it is refused whatever it holds).
    pub by_name: bool,
}

/// The errors for a briefing's active files, while raw HTML is not allowed.
pub fn diagnostics(files: &[ActiveFile]) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for f in files {
        let shown = crate::diag::display_path(&f.path);
        let (message, fix) = match f.by_name {
            true => (
                format!("{shown} is {}, which could run script on the site", f.what),
                "remove it, or publish it as a file that holds no script (a PDF, an image, \
                 plain text)",
            ),
            false => (
                format!(
                    "{shown} holds {}, which could run script on the site",
                    f.what
                ),
                "remove that from the file (for an SVG, export it again as plain SVG, without \
                 scripts, interactivity or editor data)",
            ),
        };
        diags.push(
            Diagnostic::error("active-content", message)
                .at(&f.path, f.pos)
                .note(
                    "a briefing's files are copied as they are and opened from the site's \
                     address, so script in them runs with the site's rights",
                )
                .help(format!(
                    "{fix}; or, if everyone who writes briefings is trusted, set \
                     `allow_raw_html: true` in brief.yaml"
                )),
        );
    }
    diags
}

/// Why a file is refused by its name alone, if it is: a page, a script, a stylesheet that
/// writes pages, a page a web server may run, or compressed markup that cannot be read. Every
/// extension counts (`notes.html.txt` too: some servers take a type from any of them), without
/// regard to case or trailing dots and spaces (which some servers drop).
pub fn refused_by_name(name: &str) -> Option<&'static str> {
    const PAGES: &[&str] = &[
        "html", "htm", "shtml", "shtm", "stm", "xhtml", "xht", "mht", "mhtml",
    ];
    const SCRIPTS: &[&str] = &["js", "mjs", "cjs"];
    const TRANSFORMS: &[&str] = &["xsl", "xslt"];
    const SERVER_PAGES: &[&str] = &[
        "php", "php3", "php4", "php5", "php7", "php8", "phtml", "phar", "cgi", "asp", "aspx", "jsp",
    ];
    const COMPRESSED: &[&str] = &["gz", "br", "zst", "bz2", "xz", "z"];
    let lower = name.to_ascii_lowercase();
    let extensions: Vec<&str> = lower
        .split('.')
        .skip(1)
        .map(|e| e.trim_matches(' '))
        .collect();
    for (i, ext) in extensions.iter().enumerate() {
        let compressed = || {
            extensions
                .get(i + 1)
                .is_some_and(|e| COMPRESSED.contains(e))
        };
        let why = if PAGES.contains(ext) {
            "an HTML page"
        } else if SCRIPTS.contains(ext) {
            "a script"
        } else if TRANSFORMS.contains(ext) {
            "an XSLT stylesheet (it can write script into the documents it transforms)"
        } else if SERVER_PAGES.contains(ext) {
            "a page a web server may run as a program"
        } else if *ext == "svgz" || (matches!(*ext, "svg" | "xml") && compressed()) {
            "compressed markup, which brief cannot look into"
        } else {
            continue;
        };
        return Some(why);
    }
    None
}

/// Whether a file whose first bytes are `head` must be read with [`scan`]: its text starts
/// like markup (after a byte order mark and white space), or it is text in UTF-16.
pub fn needs_scan(head: &[u8]) -> bool {
    if head.starts_with(&[0xfe, 0xff])
        || head.starts_with(&[0xff, 0xfe])
        || head.starts_with(&[b'<', 0])
        || head.starts_with(&[0, b'<'])
    {
        return true;
    }
    let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    head.iter().find(|b| !is_space(**b)) == Some(&b'<')
}

/// What [`scan`] found, and the byte of the file it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub offset: usize,
    pub what: String,
}

/// The first thing in a markup file that could run script, if any (see the module's comment).
pub fn scan(bytes: &[u8]) -> Option<Finding> {
    if let Some(f) = encoding_finding(bytes) {
        return Some(f);
    }
    let start = if bytes.starts_with(UTF8_BOM) { 3 } else { 0 };
    let mut scanner = Scanner {
        b: bytes,
        entities: HashMap::new(),
        budget: bytes.len().saturating_mul(16).saturating_add(1 << 20),
        raw_ends: HashMap::new(),
    };
    scanner.run(start).err()
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Elements that run script, embed another document, or act on the page by themselves.
const DANGEROUS_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "handler",
    "listener",
    "meta",
    "portal",
    "animation",
];

/// Elements whose content HTML reads as text up to the first `</name`, even where XML reads a
/// tag with a quoted value running past it.
const RAW_TEXT: &[&str] = &[
    "style",
    "title",
    "textarea",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
];

/// SVG elements that change another element's attributes over time.
const ANIMATIONS: &[&str] = &[
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
];

/// White space as XML and HTML read it (HTML adds the form feed).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Bytes that end a tag or attribute name, as the HTML tokenizer reads one.
fn ends_name(b: u8) -> bool {
    is_space(b) || matches!(b, b'/' | b'>')
}

/// Bytes that may go on an XML or HTML name (ASCII letters, digits, `-`, `_`, `.`, `:`, and
/// anything not ASCII): a name before `on...` makes it not an attribute of its own.
fn continues_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':') || !b.is_ascii()
}

/// A name's part after its namespace prefix, in lower case (`svg:Script` is `script`).
fn local_name(name: &[u8]) -> String {
    let local = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(local).to_ascii_lowercase()
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn found(offset: usize, what: impl Into<String>) -> Finding {
    Finding {
        offset,
        what: what.into(),
    }
}

/// Text that is not stored as a browser would decode it byte by byte: UTF-16 (in which the
/// scan's bytes mean nothing), an encoding whose escape sequences vanish when decoded
/// (ISO-2022-JP), or a raw escape character, which can switch a browser into such an encoding.
fn encoding_finding(b: &[u8]) -> Option<Finding> {
    if b.starts_with(&[0xfe, 0xff])
        || b.starts_with(&[0xff, 0xfe])
        || b.starts_with(&[b'<', 0])
        || b.starts_with(&[0, b'<'])
    {
        return Some(found(0, "markup saved as UTF-16, which brief cannot read"));
    }
    memchr(0x1b, b).map(|i| {
        found(
            i,
            "an escape character (U+001B), which can switch a browser to an encoding brief \
             cannot read",
        )
    })
}

/// Whether an encoding's name (from an XML declaration) decodes the bytes of tags other than
/// one by one: UTF-16 and UTF-32, UTF-7, and the stateful ISO-2022 encodings.
fn unreadable_encoding(label: &[u8]) -> bool {
    let label = String::from_utf8_lossy(label).trim().to_ascii_lowercase();
    [
        "utf-16",
        "utf16",
        "utf-32",
        "utf32",
        "ucs",
        "unicode",
        "csunicode",
        "iso-10646",
        "iso-2022",
        "csiso2022",
        "utf-7",
        "utf7",
    ]
    .iter()
    .any(|p| label.starts_with(p))
}

/// The scheme of a script URL inside a normalised value (see [`Scanner::normalise`]).
fn script_scheme(normalised: &[u8]) -> Option<&'static str> {
    ["javascript:", "vbscript:"]
        .into_iter()
        .find(|s| memmem::find(normalised, s.as_bytes()).is_some())
        .map(|s| s.trim_end_matches(':'))
}

/// One attribute of a tag: its name and its value as written, as byte ranges of the file.
struct Attribute {
    name: Range<usize>,
    value: Range<usize>,
}

/// Where reading a tag's attributes ended.
enum TagEnd {
    /// After the `>` that closes it.
    Closed(usize),
    /// The file (or the region read) ended first.
    Unfinished,
}

struct Scanner<'a> {
    b: &'a [u8],
    /// Entities the document type declares, with their text (which holds no markup).
    entities: HashMap<Vec<u8>, std::rc::Rc<[u8]>>,
    /// How many more bytes decoding may produce: entities could otherwise multiply a small
    /// file into a huge one.
    budget: usize,
    /// For each raw-text element name, where its first end tag after some point was found:
    /// searches for the next one go on from there, so they stay linear.
    raw_ends: HashMap<String, usize>,
}

impl Scanner<'_> {
    /// Reads the file from `from` to its end.
    fn run(&mut self, from: usize) -> Result<(), Finding> {
        let b = self.b;
        let mut i = from;
        while let Some(lt) = memchr(b'<', &b[i..]).map(|k| i + k) {
            let rest = &b[lt..];
            i = if rest.starts_with(b"<!--") {
                self.enclosed(lt, 4, b"-->")?
            } else if rest.starts_with(b"<![CDATA[") {
                self.enclosed(lt, 9, b"]]>")?
            } else if starts_with_ignore_case(rest, b"<!doctype") {
                self.doctype(lt)?
            } else if rest.starts_with(b"<?") {
                self.instruction(lt)?
            } else if rest.starts_with(b"<!") {
                // Not XML; HTML reads it as a comment up to the next `>`.
                self.enclosed(lt, 2, b">")?
            } else if rest.starts_with(b"</") {
                memchr(b'>', &b[lt..]).map_or(b.len(), |k| lt + k + 1)
            } else if rest.get(1).is_some_and(|&c| !ends_name(c) && c != b'=') {
                self.start_tag(lt)?
            } else {
                lt + 1
            };
        }
        Ok(())
    }

    /// A construct from `at` whose content starts `open` bytes in and ends before `close`:
    /// its content is searched as text a parser might still read as markup. Returns where
    /// reading goes on.
    fn enclosed(&mut self, at: usize, open: usize, close: &[u8]) -> Result<usize, Finding> {
        let start = (at + open).min(self.b.len());
        let end = memmem::find(&self.b[start..], close).map_or(self.b.len(), |k| start + k);
        self.loose(start..end)?;
        Ok((end + close.len()).min(self.b.len()))
    }

    /// A start tag at `lt`: its element and every attribute are checked.
    fn start_tag(&mut self, lt: usize) -> Result<usize, Finding> {
        let b = self.b;
        let name_end = (lt + 1..b.len())
            .find(|&k| ends_name(b[k]))
            .unwrap_or(b.len());
        let name = &b[lt + 1..name_end];
        let element = local_name(name);
        if DANGEROUS_ELEMENTS.contains(&element.as_str()) {
            let shown = String::from_utf8_lossy(name);
            return Err(found(lt, format!("a `<{shown}>` element")));
        }
        let mut attributes = Vec::new();
        let end = read_attributes(b, name_end, b.len(), &mut attributes);
        for a in &attributes {
            self.attribute(&element, name, a)?;
        }
        let next = match end {
            // HTML reads `<` followed by anything but an ASCII letter as text, so what this
            // tag's values hold could be tags to it.
            TagEnd::Closed(next) if name[0].is_ascii_alphabetic() => next,
            TagEnd::Closed(next) => self.loose(lt..next).map(|()| next)?,
            TagEnd::Unfinished => return self.loose(lt..b.len()).map(|()| b.len()),
        };
        if RAW_TEXT.contains(&element.as_str()) {
            return self.raw_text(&element, next);
        }
        Ok(next)
    }

    /// After the start tag of a raw-text element (`element`), ending at `next`: HTML reads
    /// text up to the first `</element`, XML reads tags. They agree unless that text holds a
    /// `<` (other than CDATA's): then where either reads tags after it is not certain, and the
    /// rest of the file is searched for anything tag-like.
    fn raw_text(&mut self, element: &str, next: usize) -> Result<usize, Finding> {
        let b = self.b;
        let known = self.raw_ends.get(element).copied().filter(|&e| e >= next);
        let end = known.or_else(|| html_end_tag(b, next, element.as_bytes()));
        let Some(end) = end else {
            return self.loose(next..b.len()).map(|()| b.len());
        };
        self.raw_ends.insert(element.to_string(), end);
        let text = &b[next..end];
        let plain = memchr::memchr_iter(b'<', text).all(|k| text[k..].starts_with(b"<![CDATA["));
        match plain {
            true => Ok(next),
            false => self.loose(next..b.len()).map(|()| b.len()),
        }
    }

    /// Checks one attribute of the element `element` (its local name; `tag` as written).
    fn attribute(&mut self, element: &str, tag: &[u8], a: &Attribute) -> Result<(), Finding> {
        let raw_name = &self.b[a.name.clone()];
        let name = local_name(raw_name);
        let shown = String::from_utf8_lossy(raw_name);
        if name.len() > 2 && name.starts_with("on") {
            return Err(found(
                a.name.start,
                format!("an event-handler attribute `{shown}`"),
            ));
        }
        let value = self.normalise(a.value.clone())?;
        if let Some(scheme) = script_scheme(&value) {
            return Err(found(
                a.value.start,
                format!("a `{scheme}:` URL in `{shown}`"),
            ));
        }
        if name == "href" && value.starts_with(b"data:") && !matches!(element, "image" | "feimage")
        {
            let tag = String::from_utf8_lossy(tag);
            return Err(found(
                a.value.start,
                format!("a `data:` URL in `{shown}` of `<{tag}>`"),
            ));
        }
        if ANIMATIONS.contains(&element) && name == "attributename" {
            let target = local_name(&value);
            if target.starts_with("on") || target == "href" {
                let written = String::from_utf8_lossy(&self.b[a.value.clone()]);
                return Err(found(a.value.start, format!("an animation of `{written}`")));
            }
        }
        Ok(())
    }

    /// A processing instruction at `lt`. `<?xml ...?>` may not name an encoding brief cannot
    /// read, and `<?xml-stylesheet ...?>` may only bring CSS (an XSLT stylesheet can write
    /// script into the document).
    fn instruction(&mut self, lt: usize) -> Result<usize, Finding> {
        let b = self.b;
        let start = lt + 2;
        let end = memmem::find(&b[start..], b"?>").map_or(b.len(), |k| start + k);
        let target_end = (start..end).find(|&k| is_space(b[k])).unwrap_or(end);
        let target = &b[start..target_end];
        let mut attributes = Vec::new();
        read_attributes(b, target_end, end, &mut attributes);
        let value_of = |name: &[u8]| {
            attributes
                .iter()
                .find(|a| b[a.name.clone()].eq_ignore_ascii_case(name))
                .map(|a| a.value.clone())
        };
        if target.eq_ignore_ascii_case(b"xml")
            && let Some(label) = value_of(b"encoding")
            && unreadable_encoding(&b[label.clone()])
        {
            let shown = String::from_utf8_lossy(&b[label.clone()]);
            return Err(found(
                label.start,
                format!("the encoding `{shown}`, which brief cannot read"),
            ));
        }
        if target.eq_ignore_ascii_case(b"xml-stylesheet") {
            let css = match value_of(b"type") {
                Some(t) => self.normalise(t)? == b"text/css",
                None => false,
            };
            if !css {
                return Err(found(
                    lt,
                    "an `<?xml-stylesheet?>` that is not CSS (XSLT can write script)",
                ));
            }
        }
        // HTML reads `<?...>` as a comment up to the first `>`.
        self.loose(start..end)?;
        Ok((end + 2).min(b.len()))
    }

    /// A document type at `lt`, with its internal subset: entities are learned (and refused if
    /// their text holds markup); declarations that could add attributes or entities brief
    /// cannot see are refused. HTML reads the whole as a comment-like token that may end at
    /// any `>`, so its text is searched as well.
    fn doctype(&mut self, lt: usize) -> Result<usize, Finding> {
        let b = self.b;
        let mut i = lt + 9;
        let end = loop {
            match b.get(i) {
                None => break b.len(),
                Some(b'>') => break i + 1,
                Some(&q @ (b'"' | b'\'')) => {
                    i = memchr(q, &b[i + 1..]).map_or(b.len(), |k| i + 1 + k + 1);
                }
                Some(b'[') => i = self.internal_subset(i + 1)?,
                Some(_) => i += 1,
            }
        };
        self.loose(lt + 9..end.min(b.len()))?;
        Ok(end)
    }

    /// The declarations of an internal subset from `i`; returns the byte after its `]`.
    fn internal_subset(&mut self, mut i: usize) -> Result<usize, Finding> {
        let b = self.b;
        loop {
            let Some(&c) = b.get(i) else {
                return Ok(b.len());
            };
            let rest = &b[i..];
            if is_space(c) {
                i += 1;
            } else if c == b']' {
                return Ok(i + 1);
            } else if c == b'%' {
                return Err(found(i, "a parameter entity, which brief cannot follow"));
            } else if rest.starts_with(b"<!--") {
                i = self.enclosed(i, 4, b"-->")?;
            } else if rest.starts_with(b"<?") {
                i = self.instruction(i)?;
            } else if rest.starts_with(b"<!ENTITY") {
                i = self.entity_declaration(i)?;
            } else if rest.starts_with(b"<!ATTLIST") {
                let end = declaration_end(b, i);
                if b[i..end].iter().any(|&c| c == b'"' || c == b'\'') {
                    return Err(found(
                        i,
                        "an `<!ATTLIST>` with a default value, which would add attributes \
                         brief cannot see",
                    ));
                }
                i = end;
            } else if rest.starts_with(b"<!ELEMENT") || rest.starts_with(b"<!NOTATION") {
                i = declaration_end(b, i);
            } else {
                // Not a declaration: nothing after it can be read as XML would.
                return self.loose(i..b.len()).map(|()| b.len());
            }
        }
    }

    /// `<!ENTITY name "text">` at `at`: its text, character references decoded, may hold no
    /// markup and no other reference (so expanding it never expands further). Parameter
    /// and external entities are refused.
    fn entity_declaration(&mut self, at: usize) -> Result<usize, Finding> {
        let b = self.b;
        let end = declaration_end(b, at);
        let mut words = DeclarationWords {
            b,
            i: at + 8,
            end: end.saturating_sub(1),
        };
        let name = words.next();
        if name.as_ref().is_some_and(|n| &b[n.clone()] == b"%") {
            return Err(found(at, "a parameter entity, which brief cannot follow"));
        }
        let value = words.next();
        let (Some(name), Some(value)) = (name, value) else {
            return Err(found(at, "an entity declaration brief cannot read"));
        };
        let quoted = matches!(b.get(value.start), Some(b'"' | b'\''))
            && value.len() >= 2
            && b[value.end - 1] == b[value.start];
        if !quoted {
            return Err(found(at, "an external entity, which brief cannot follow"));
        }
        let text = decode_character_references(&b[value.start + 1..value.end - 1]);
        if text.iter().any(|&c| matches!(c, b'<' | b'&' | b'%')) {
            return Err(found(
                value.start,
                "an entity whose text holds markup, which brief cannot follow",
            ));
        }
        // The first declaration of a name is the one that counts.
        self.entities.entry(b[name].to_vec()).or_insert(text.into());
        Ok(end)
    }

    /// Searches text that some parser might read as markup for what [`Scanner::start_tag`]
    /// refuses, without relying on where tags begin and end: a dangerous element's name after
    /// `<`, anything shaped like an event-handler attribute, a script URL anywhere, an
    /// animation of `href` or an event handler, a `data:` URL after `href=`.
    fn loose(&mut self, region: Range<usize>) -> Result<(), Finding> {
        let b = self.b;
        let text = &b[region.clone()];
        for lt in memchr::memchr_iter(b'<', text) {
            let name_start = lt + 1 + usize::from(text.get(lt + 1) == Some(&b'/'));
            let name_end = (name_start..text.len())
                .find(|&k| !continues_name(text[k]))
                .unwrap_or(text.len());
            let element = local_name(&text[name_start..name_end]);
            if DANGEROUS_ELEMENTS.contains(&element.as_str()) {
                let shown = String::from_utf8_lossy(&text[lt..name_end]);
                return Err(found(region.start + lt, format!("`{shown}`")));
            }
        }
        if let Some((at, name)) = handler_shaped(b, region.clone()) {
            let shown = String::from_utf8_lossy(name);
            return Err(found(at, format!("an event-handler attribute `{shown}`")));
        }
        let (normal, origin) = self.normalise_mapped(region.clone())?;
        let at = |i: usize| origin.get(i).copied().unwrap_or(region.start);
        if let Some(scheme) = script_scheme(&normal) {
            let i = memmem::find(&normal, scheme.as_bytes()).unwrap_or(0);
            return Err(found(at(i), format!("a `{scheme}:` URL")));
        }
        for i in memmem::find_iter(&normal, b"attributename=") {
            let value = skip_quote(&normal[i + 14..]);
            let end = value
                .iter()
                .position(|c| matches!(c, b'"' | b'\'' | b'>' | b'/'))
                .unwrap_or(value.len());
            let target = local_name(&value[..end]);
            if target.starts_with("on") || target.starts_with("href") {
                return Err(found(at(i), "an animation of `href` or an event handler"));
            }
        }
        for i in memmem::find_iter(&normal, b"href=") {
            if skip_quote(&normal[i + 5..]).starts_with(b"data:") {
                return Err(found(at(i), "a `data:` URL in `href`"));
            }
        }
        Ok(())
    }

    /// An attribute value as a URL parser would see its scheme: references decoded (declared
    /// entities expanded), white space and control characters dropped, ASCII in lower case.
    fn normalise(&mut self, value: Range<usize>) -> Result<Vec<u8>, Finding> {
        let mut out = Vec::with_capacity(value.len());
        self.decode(value, &mut out, None)?;
        Ok(out)
    }

    /// [`Scanner::normalise`], with the byte of the file each output byte came from.
    fn normalise_mapped(&mut self, region: Range<usize>) -> Result<(Vec<u8>, Vec<usize>), Finding> {
        let mut out = Vec::with_capacity(region.len());
        let mut origin = Vec::with_capacity(region.len());
        self.decode(region, &mut out, Some(&mut origin))?;
        Ok((out, origin))
    }

    fn decode(
        &mut self,
        region: Range<usize>,
        out: &mut Vec<u8>,
        mut origin: Option<&mut Vec<usize>>,
    ) -> Result<(), Finding> {
        let b = self.b;
        let mut i = region.start;
        while i < region.end {
            let (decoded, next) = match b[i] {
                b'&' => self.reference(i, region.end),
                c => (Decoded::Byte(c), i + 1),
            };
            let before = out.len();
            match decoded {
                Decoded::Byte(c) => push_normal(out, c),
                Decoded::Text(text) => {
                    if text.len() > self.budget {
                        return Err(found(i, "entities that expand too far to be checked"));
                    }
                    for &c in text.iter() {
                        push_normal(out, c);
                    }
                }
            }
            self.budget = self.budget.saturating_sub(out.len() - before);
            if let Some(origin) = origin.as_deref_mut() {
                origin.resize(out.len(), i);
            }
            i = next;
        }
        Ok(())
    }

    /// The reference starting with the `&` at `at` (before `end`), decoded, and where the text
    /// after it starts. Numeric references may lack their `;` (HTML reads them so); unknown
    /// names stand for a character that is neither a letter nor a colon.
    fn reference(&self, at: usize, end: usize) -> (Decoded, usize) {
        let b = &self.b[..end];
        if b.get(at + 1) == Some(&b'#') {
            return match numeric_reference(b, at) {
                Some((c, next)) => (Decoded::Byte(c), next),
                None => (Decoded::Byte(b'&'), at + 1),
            };
        }
        let name_end = (at + 1..b.len())
            .find(|&k| !(b[k].is_ascii_alphanumeric() || matches!(b[k], b'.' | b'-' | b'_')))
            .unwrap_or(b.len());
        if name_end == at + 1 || b.get(name_end) != Some(&b';') {
            return (Decoded::Byte(b'&'), at + 1);
        }
        let name = &b[at + 1..name_end];
        let decoded = match name {
            b"lt" => Decoded::Byte(b'<'),
            b"gt" => Decoded::Byte(b'>'),
            b"amp" => Decoded::Byte(b'&'),
            b"quot" => Decoded::Byte(b'"'),
            b"apos" => Decoded::Byte(b'\''),
            b"colon" => Decoded::Byte(b':'),
            b"Tab" | b"NewLine" => Decoded::Byte(b' '),
            _ => match self.entities.get(name) {
                Some(text) => Decoded::Text(std::rc::Rc::clone(text)),
                None => Decoded::Byte(0xff),
            },
        };
        (decoded, name_end + 1)
    }
}

/// A decoded reference: one byte (0xff for any character that is not ASCII), or an entity's
/// text.
enum Decoded {
    Byte(u8),
    Text(std::rc::Rc<[u8]>),
}

/// Appends `c` as [`Scanner::normalise`] keeps it.
fn push_normal(out: &mut Vec<u8>, c: u8) {
    if c > b' ' && c != 0x7f {
        out.push(c.to_ascii_lowercase());
    }
}

/// `&#106;`, `&#x6A;` or `&#X6a` (the `;` optional) at `at`: the character, as one byte
/// (0xff for one that is not ASCII), and where the text after it starts.
fn numeric_reference(b: &[u8], at: usize) -> Option<(u8, usize)> {
    let mut i = at + 2;
    let hex = matches!(b.get(i), Some(b'x' | b'X'));
    i += usize::from(hex);
    let digits_start = i;
    let mut value: u32 = 0;
    while let Some(d) = b
        .get(i)
        .and_then(|&c| (c as char).to_digit(if hex { 16 } else { 10 }))
    {
        value = value
            .saturating_mul(if hex { 16 } else { 10 })
            .saturating_add(d);
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    if b.get(i) == Some(&b';') {
        i += 1;
    }
    let byte = u8::try_from(value)
        .ok()
        .filter(u8::is_ascii)
        .unwrap_or(0xff);
    Some((byte, i))
}

/// An entity's text with its character references decoded (the only references XML expands
/// when it reads a declaration); other bytes as they are.
fn decode_character_references(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'&'
            && text.get(i + 1) == Some(&b'#')
            && let Some((c, next)) = numeric_reference(text, i)
        {
            out.push(c);
            i = next;
            continue;
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// Where the first HTML end tag `</name` (any case, then white space, `/` or `>`) at or after
/// `from` starts.
fn html_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    memmem::find_iter(&b[from..], b"</")
        .map(|k| from + k)
        .find(|&at| {
            let rest = &b[at + 2..];
            starts_with_ignore_case(rest, name)
                && rest.get(name.len()).is_none_or(|&c| ends_name(c))
        })
}

/// `value` without a leading quote.
fn skip_quote(value: &[u8]) -> &[u8] {
    value
        .strip_prefix(b"\"")
        .or_else(|| value.strip_prefix(b"'"))
        .unwrap_or(value)
}

/// The first thing in `region` shaped like an event-handler attribute, `on` and letters then
/// `=` (white space allowed before it) with no name character before the `on`: where it is,
/// and its name.
fn handler_shaped(b: &[u8], region: Range<usize>) -> Option<(usize, &[u8])> {
    let text = &b[region.clone()];
    let mut from = 0;
    while let Some(k) = memchr::memchr2(b'o', b'O', &text[from..]).map(|k| from + k) {
        from = k + 1;
        let at = region.start + k;
        if at > 0 && continues_name(b[at - 1]) {
            continue;
        }
        if !text
            .get(k + 1)
            .is_some_and(|c| c.eq_ignore_ascii_case(&b'n'))
        {
            continue;
        }
        let letters = text[k + 2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if letters == 0 {
            continue;
        }
        let name_end = k + 2 + letters;
        let after = text[name_end..]
            .iter()
            .position(|&c| !is_space(c))
            .map(|p| text[name_end + p]);
        if after == Some(b'=') {
            return Some((at, &text[k..name_end]));
        }
    }
    None
}

/// Reads attributes as the HTML tokenizer does (which reads every well-formed XML tag the
/// same way): names up to white space, `/`, `>` or `=`; values quoted, or bare up to white
/// space or `>`; `/` between attributes ignored. From `i` (after the tag's name) to `end`.
fn read_attributes(b: &[u8], mut i: usize, end: usize, out: &mut Vec<Attribute>) -> TagEnd {
    loop {
        while i < end && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            _ if i >= end => return TagEnd::Unfinished,
            Some(b'>') => return TagEnd::Closed(i + 1),
            _ => {}
        }
        let name_start = i;
        // A `=` where a name should start is part of the name, to HTML.
        i += 1;
        while i < end && !ends_name(b[i]) && b[i] != b'=' {
            i += 1;
        }
        let name = name_start..i;
        let mut j = i;
        while j < end && is_space(b[j]) {
            j += 1;
        }
        if j >= end || b[j] != b'=' {
            out.push(Attribute { name, value: i..i });
            continue;
        }
        j += 1;
        while j < end && is_space(b[j]) {
            j += 1;
        }
        let value = match b.get(j) {
            _ if j >= end => return TagEnd::Unfinished,
            Some(&q @ (b'"' | b'\'')) => match memchr(q, &b[j + 1..end]) {
                Some(k) => {
                    i = j + 1 + k + 1;
                    j + 1..j + 1 + k
                }
                None => return TagEnd::Unfinished,
            },
            _ => {
                i = j;
                while i < end && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                j..i
            }
        };
        out.push(Attribute { name, value });
    }
}

/// The byte after the `>` that ends the declaration starting at `at` (quoted text may hold
/// `>`).
fn declaration_end(b: &[u8], at: usize) -> usize {
    let mut i = at + 2;
    while let Some(&c) = b.get(i) {
        match c {
            b'>' => return i + 1,
            b'"' | b'\'' => i = memchr(c, &b[i + 1..]).map_or(b.len(), |k| i + 1 + k + 1),
            _ => i += 1,
        }
    }
    b.len()
}

/// The words of a declaration after its keyword: names, and quoted texts with their quotes.
struct DeclarationWords<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
}

impl Iterator for DeclarationWords<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        while self.i < self.end && is_space(self.b[self.i]) {
            self.i += 1;
        }
        if self.i >= self.end {
            return None;
        }
        let start = self.i;
        match self.b[start] {
            q @ (b'"' | b'\'') => {
                self.i =
                    memchr(q, &self.b[start + 1..self.end]).map_or(self.end, |k| start + 1 + k + 1);
            }
            _ => {
                while self.i < self.end && !is_space(self.b[self.i]) {
                    self.i += 1;
                }
            }
        }
        Some(start..self.i)
    }
}

/// The position of byte `offset` of a file that may not be valid UTF-8.
pub fn pos_of_offset(bytes: &[u8], offset: usize) -> Pos {
    let offset = offset.min(bytes.len());
    let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
    let line = bytes[..offset].iter().filter(|&&c| c == b'\n').count() + 1;
    // Characters are the bytes that do not continue one.
    let column = bytes[line_start..offset]
        .iter()
        .filter(|&&c| (c as i8) >= -0x40)
        .count();
    Pos::new(line, column + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the scan refuses in `svg`, or `None`.
    fn refused(svg: &str) -> Option<String> {
        scan(svg.as_bytes()).map(|f| f.what)
    }

    #[track_caller]
    fn assert_refused(svg: &str) {
        assert!(refused(svg).is_some(), "accepted: {svg}");
    }

    /// Each case, inside an SVG document, must be refused.
    #[track_caller]
    fn assert_each_refused(cases: &[&str]) {
        for case in cases {
            assert_refused(&svg(case));
        }
    }

    #[track_caller]
    fn assert_accepted(svg: &str) {
        assert_eq!(refused(svg), None, "{svg}");
    }

    const OPEN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" \
                        xmlns:xlink=\"http://www.w3.org/1999/xlink\">";

    fn svg(inner: &str) -> String {
        format!("<?xml version=\"1.0\"?>\n{OPEN}{inner}</svg>\n")
    }

    #[test]
    fn plain_drawings_pass() {
        assert_accepted(&svg(
            "<title>Timeline &amp; events</title><g fill='red'><rect x=\"1\" y=\"2\"/>\
             <text x=\"3\">On = off, online=1, JavaScript: the language</text></g>\
             <a href=\"https://example.org/\"><circle r=\"4\"/></a>\
             <a xlink:href=\"#top\">top</a><use href=\"#shape\"/><use href=\"icons.svg#i\"/>\
             <image href=\"data:image/png;base64,iVBORw0KGgo=\"/>\
             <feImage xlink:href=\"data:image/png;base64,AAAA\"/>\
             <animate attributeName=\"opacity\" values=\"0;1\" dur=\"1s\"/>\
             <style><![CDATA[ .a { fill: url(#g) } ]]></style>\
             <!-- Generator: Adobe Illustrator 24.0.0, SVG Export Plug-In -->",
        ));
        // An Illustrator export, entities and all.
        assert_accepted(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG \
             1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [\n\
             \t<!ENTITY ns_extend \"http://ns.adobe.com/Extensibility/1.0/\">\n\
             \t<!ENTITY ns_ai \"http://ns.adobe.com/AdobeIllustrator/10.0/\">\n]>\n\
             <svg version=\"1.1\" xmlns:x=\"&ns_extend;\" xmlns:i=\"&ns_ai;\" \
             xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0h1\"/></svg>\n",
        );
        // Text that only looks like markup to no parser.
        assert_accepted("<notes>a < b, 3 <4, <= and <> and </> &amp; &bogus</notes>");
    }

    #[test]
    fn scripts_are_found_in_any_spelling() {
        assert_each_refused(&[
            "<script>alert(1)</script>",
            "<SCRIPT>alert(1)</SCRIPT>",
            "<svg:script>alert(1)</svg:script>",
            "<x:ScRiPt xmlns:x=\"http://www.w3.org/2000/svg\">alert(1)</x:ScRiPt>",
            "<script\nhref=\"x.js\"/>",
            "<script/>",
            "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></foreignObject>",
            "<foreignobject/>",
            "<html:iframe xmlns:html=\"http://www.w3.org/1999/xhtml\" src=\"x\"/>",
            "<handler type=\"application/ecmascript\">alert(1)</handler>",
            "<embed src=\"x\"/>",
            "<object data=\"x\"/>",
            "<meta http-equiv=\"refresh\" content=\"0;url=x\"/>",
        ]);
    }

    #[test]
    fn event_handlers_are_found_however_written() {
        assert_each_refused(&[
            "<rect onload=\"alert(1)\"/>",
            "<rect ONCLICK='alert(1)'/>",
            "<rect x=\"1\"onmouseover=\"alert(1)\"/>",
            "<rect\tonbegin\n=\n\"alert(1)\"/>",
            "<rect/onload=alert(1)>",
            "<rect xlink:onclick=\"alert(1)\"/>",
            "<animate onbegin=\"alert(1)\" attributeName=\"x\"/>",
        ]);
        // The whole document, as a browser would start it.
        assert_refused("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>");
    }

    #[test]
    fn script_urls_are_found_through_entities_case_and_white_space() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "jav&#9;ascript:alert(1)",
            "jav\tascript:alert(1)",
            "java\nscript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#0000106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "&#X6a;avascript:alert(1)",
            "&#106avascript:alert(1)",
            "javascript&#58;alert(1)",
            "javascript&colon;alert(1)",
            "java&Tab;script:alert(1)",
            "vbscript:msgbox(1)",
        ] {
            for attr in ["href", "xlink:href", "xml:base"] {
                assert_refused(&svg(&format!("<a {attr}=\"{url}\"><text>x</text></a>")));
                assert_refused(&svg(&format!("<a {attr}='{url}'><text>x</text></a>")));
            }
        }
        // Unquoted, as HTML allows.
        assert_refused("<a href=javascript:alert(1)>x</a>");
        // Animations that set a link to a script URL, or animate an event handler.
        assert_each_refused(&[
            "<a><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a>",
            "<a><animate attributeName=\"xlink:href\" values=\"#a;javascript:alert(1)\"/></a>",
            "<a><set attributeName=\"href\" to=\"#safe\"/></a>",
            "<a><set attributeName=\"onclick\" to=\"alert(1)\"/></a>",
            "<a><animate attributeName=\" ONmouseover\" to=\"alert(1)\"/></a>",
            "<a><svg:set attributeName=\"svg:onclick\" to=\"alert(1)\"/></a>",
        ]);
    }

    #[test]
    fn data_urls_are_refused_outside_images() {
        assert_refused(&svg(
            "<use href=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#x\"/>",
        ));
        assert_refused(&svg("<use xlink:href=\"&#100;ata:image/svg+xml,x#a\"/>"));
        assert_refused(&svg("<a href=\"data:text/html,x\">x</a>"));
        assert_accepted(&svg("<image href=\"data:image/png;base64,AAAA\"/>"));
    }

    #[test]
    fn what_a_parser_might_read_as_markup_is_searched_too() {
        assert_each_refused(&[
            // HTML ends these at the first `>`; XML does not.
            "<!--><img src=x onerror=alert(1)>-->",
            "<![CDATA[ ><img src=x onerror=alert(1)> ]]>",
            "<?x ><img src=x onerror=alert(1)> ?>",
            "<!x ><img src=x onerror=alert(1)>",
            "<!-- <script>alert(1)</script> -->",
            "<![CDATA[<a href=\"javascript:alert(1)\">]]>",
            // A tag HTML reads as text, holding one it reads as a tag.
            "<_x title=\"<img src=x onerror=alert(1)>\"/>",
            "<é title=\"<iframe src=x>\"/>",
            // A tag never finished.
            "<a title=\"x\" onclick=\"alert(1)",
            "<a title=\"<script>",
        ]);
    }

    #[test]
    fn raw_text_elements_may_not_hide_tags_from_either_parser() {
        assert_each_refused(&[
            // HTML ends the style at `</style>`, inside what XML reads as a value.
            "<style><x title=\"</style><img src=x onerror=alert(1)>\"/></style>",
            // XML reads an element with a handler, after what HTML calls the style's end.
            "<style><x a=\"</style>\" onclick=\"alert(1)\"/></style>",
            // Empty to XML, open to HTML until a `</style` much later.
            "<style/><x title=\"</style><img src=x onerror=alert(1)>\"/>",
            "<title><!--</title><img src=x onerror=alert(1)>--></title>",
            "<NoScript><p title=\"</noscript><img src=x onerror=alert(1)>\"></p></NoScript>",
        ]);
        assert_accepted(&svg(
            "<title>A &lt;timeline&gt;</title><style>.a{fill:red}</style>\
             <style><![CDATA[ .b > .c { fill: blue } ]]></style><title>Two</title>",
        ));
        // Many raw-text elements: each end is searched for once.
        let many = svg(&"<title>x</title>".repeat(100_000));
        let start = std::time::Instant::now();
        assert_eq!(refused(&many), None);
        let unclosed = svg(&"<title>".repeat(100_000));
        assert_eq!(refused(&unclosed), None);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn document_types_may_not_hide_anything() {
        let doctype =
            |subset: &str| format!("<!DOCTYPE svg [{subset}]>{OPEN}<a href=\"&x;\"/></svg>");
        // An entity that expands into a script URL, or into markup.
        assert_refused(&doctype("<!ENTITY x \"javascript:alert(1)\">"));
        assert_refused(&doctype(
            "<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">",
        ));
        assert_refused(&doctype("<!ENTITY x \"&#38;#60;script\">"));
        assert_refused(&doctype("<!ENTITY y \"java\"><!ENTITY x \"&y;script:\">"));
        assert_refused(&doctype("<!ENTITY % p \"<!ENTITY x 'javascript:'>\"> %p;"));
        assert_refused(&doctype("<!ENTITY x SYSTEM \"https://example.org/x\">"));
        assert_refused(&doctype("<!ATTLIST a onclick CDATA \"alert(1)\">"));
        // A subset that is not XML stops an XML parser there; HTML reads on, as text.
        assert_accepted(&doctype("<!ENTITY x \"#\"> <bogus>"));
        assert_refused(&format!(
            "<!DOCTYPE svg [<!ENTITY c \":\">]>{OPEN}<a href=\"javascript&c;alert(1)\"/></svg>"
        ));
        // Declared, harmless, and used.
        assert_accepted(&doctype(
            "<!ENTITY x \"#top\"> <!ELEMENT a ANY> <!-- ok -->",
        ));
        // Too much expansion to check is refused, not looped over.
        let big = "a".repeat(1 << 16);
        let refs = "&x;".repeat(1 << 10);
        let doc =
            format!("<!DOCTYPE svg [<!ENTITY x \"{big}\">]>{OPEN}<a title=\"{refs}\"/></svg>");
        assert_eq!(
            refused(&doc).as_deref(),
            Some("entities that expand too far to be checked")
        );
    }

    #[test]
    fn style_sheets_must_be_css() {
        let with = |pi: &str| format!("<?xml version=\"1.0\"?>\n{pi}\n{OPEN}</svg>");
        assert_accepted(&with("<?xml-stylesheet type=\"text/css\" href=\"a.css\"?>"));
        assert_refused(&with("<?xml-stylesheet type=\"text/xsl\" href=\"a.xsl\"?>"));
        assert_refused(&with("<?xml-stylesheet href=\"a.xsl\"?>"));
    }

    #[test]
    fn encodings_that_hide_bytes_are_refused() {
        assert_refused("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><svg/>");
        assert_refused("<?xml version=\"1.0\" encoding='UTF-16'?><svg/>");
        assert_accepted("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><svg/>");
        assert_refused("<svg><text>\u{1b}(Bx</text></svg>");
        let utf16: Vec<u8> = "\u{feff}<svg onload=\"alert(1)\"/>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(needs_scan(&utf16));
        assert!(scan(&utf16).is_some());
        let no_bom: Vec<u8> = "<svg/>".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(needs_scan(&no_bom) && scan(&no_bom).is_some());
    }

    #[test]
    fn findings_say_where() {
        let text = svg("\n  <rect onload=\"x\"/>");
        let f = scan(text.as_bytes()).unwrap();
        assert_eq!(&text[f.offset..f.offset + 6], "onload");
        let pos = pos_of_offset(text.as_bytes(), f.offset);
        assert_eq!((pos.line, pos.column), (3, 9));
        let f = scan(b"<!-- x --><!--\n javascript:x -->").unwrap();
        assert_eq!(
            pos_of_offset(b"<!-- x --><!--\n javascript:x -->", f.offset).line,
            2
        );
    }

    #[test]
    fn which_files_are_read() {
        assert!(needs_scan(b"<svg/>"));
        assert!(needs_scan(b"\xef\xbb\xbf \n\t<?xml?>"));
        assert!(!needs_scan(b"\x89PNG\r\n"));
        assert!(!needs_scan(b"%PDF-1.7"));
        assert!(!needs_scan(b"plain <b>text</b>"));
        assert!(!needs_scan(b""));
    }

    #[test]
    fn names_of_pages_and_scripts_are_refused() {
        for name in [
            "notes.html",
            "NOTES.HTM",
            "a.xhtml",
            "a.shtml",
            "app.js",
            "app.min.js",
            "m.mjs",
            "t.xsl",
            "t.xslt",
            "map.svgz",
            "map.svg.gz",
            "feed.xml.br",
            "x.php",
            "x.php.jpg",
            "notes.html.txt",
            "notes.html.",
            "notes.html ",
        ] {
            assert!(refused_by_name(name).is_some(), "{name}");
        }
        for name in [
            "timeline.svg",
            "data.xml",
            "photo.jpg",
            "report.pdf",
            "data.csv.gz",
            "html",
            "js-notes.txt",
        ] {
            assert_eq!(refused_by_name(name), None, "{name}");
        }
    }

    #[test]
    fn a_long_hostile_file_takes_linear_time() {
        // Every `<` a tag that never ends, every `o` the start of a handler-like name: each
        // is looked at a bounded number of times.
        let hostile = "<a o".repeat(200_000);
        let start = std::time::Instant::now();
        let _ = scan(hostile.as_bytes());
        let comments = "<!-- on".repeat(200_000);
        let _ = scan(comments.as_bytes());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}

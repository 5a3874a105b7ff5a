//! The saved page as text: read within the size limit, recognised as HTML, decoded from the
//! charset it declares, and measured for nesting before anything parses it.
//!
//! Every way a file can fail to be a page ends here with a diagnostic on the page's path:
//! too large, not HTML (a PDF, an image, a compressed download), an unknown or misapplied
//! charset, nesting too deep to parse in reasonable time. Nothing here guesses silently: a page
//! that is not UTF-8 and names no charset is an error, not a windows-1252 guess. This module
//! reads one file and writes nothing.

use std::fs;
use std::io::Read;
use std::path::Path;

use encoding_rs::Encoding;

use crate::diag::{Diagnostic, Pos};

/// The largest page read, in bytes. Extraction is linear in the page's size for ordinary
/// markup (a 16 MB article took 2.3 s and 380 MB, checks included), so this bounds time and
/// memory; the largest news pages of Readability's test suite are under 2 MB.
pub const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;

/// The deepest nesting of elements accepted. Parsing and extraction cost grows with the
/// square of the depth (html5ever checks the open elements on each tag, Readability measures
/// each candidate's text), so 100,000 nested `<div>`s would take minutes; real news pages nest
/// fewer than 40 deep.
pub const MAX_DEPTH: usize = 256;

/// The most nesting work accepted: the depths of all elements added up. Extraction costs about
/// that many steps (each element's ancestors are visited), so 16 MB of elements 500 deep took
/// 80 s; at this bound the worst page takes a few seconds. A 16 MB article of ordinary markup
/// needs under a million, the largest pages of Readability's suite a few hundred thousand.
pub const MAX_NESTING_WORK: u64 = 20_000_000;

/// How far into the page a charset declaration is looked for. HTML asks for it in the first
/// 1024 bytes; pages saved by a browser sometimes put a long comment before it.
const CHARSET_SCAN: usize = 8192;

/// A page decoded to text, and how.
#[derive(Debug)]
pub struct Page {
    pub text: String,
    /// The charset it was decoded from, as encoding_rs names it (`UTF-8`, `Shift_JIS`...).
    pub charset: &'static str,
    /// A warning about how it was decoded (a declaration that the bytes contradict).
    pub warning: Option<Diagnostic>,
}

/// Reads and decodes the page at `path`.
pub fn read(path: &Path) -> Result<Page, Diagnostic> {
    let bytes = read_bytes(path)?;
    refuse_binary(path, &bytes)?;
    let text = decode(path, &bytes)?;
    refuse_deep_nesting(path, &text.text)?;
    Ok(text)
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::error("io-error", format!("cannot read {}: {e}", path.display()))
            .at(path, None)
            .help("give the path of a web page saved from a browser (File > Save Page As) or fetched with curl")
    };
    let file = fs::File::open(path).map_err(cannot)?;
    if file.metadata().map_err(cannot)?.is_dir() {
        return Err(Diagnostic::error(
            "io-error",
            format!("{} is a folder, not a saved page", path.display()),
        )
        .at(path, None)
        .help("give the page's .html file; a browser saves its images in a folder beside it"));
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells a page at the limit from one over it, and a file that
    // grows while it is read cannot take more memory than that.
    file.take(MAX_PAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(Diagnostic::error(
            "page-too-large",
            format!(
                "the page is larger than {} MB, the most brief imports",
                MAX_PAGE_BYTES / (1024 * 1024)
            ),
        )
        .at(path, None)
        .help("save only the article's page (not a whole archive or feed), or cut the page down to the article before importing it"));
    }
    Ok(bytes)
}

/// Files that are plainly not a web page: known binary formats, or anything with NUL bytes.
fn refuse_binary(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let what = binary_kind(bytes);
    let Some(what) = what else {
        return Ok(());
    };
    let help = if what == "gzip-compressed data" {
        "the page was saved compressed: uncompress it first (`gunzip -c page.gz > page.html`), or fetch it again with `curl --compressed`"
    } else {
        "give a web page saved as HTML (File > Save Page As in a browser, or `curl -o page.html URL`)"
    };
    Err(
        Diagnostic::error("not-html", format!("the file is {what}, not HTML"))
            .at(path, None)
            .help(help),
    )
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 9] = [
        (b"%PDF", "a PDF document"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"PK\x03\x04", "a ZIP archive (or an office document)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x7fELF", "a program"),
        (b"MIME-Version:", "a web archive (MHTML)"),
        (b"bplist", "a Safari web archive"),
    ];
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Some(what);
        }
    }
    let head = &bytes[..bytes.len().min(CHARSET_SCAN)];
    // UTF-16 text holds NUL bytes too, but only with a byte order mark, handled in `decode`.
    if !has_utf16_bom(bytes) && head.contains(&0) {
        return Some("binary data");
    }
    None
}

fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff")
}

/// The page's text: by its byte order mark, else by the charset it declares, else UTF-8.
fn decode(path: &Path, bytes: &[u8]) -> Result<Page, Diagnostic> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return decode_strictly(path, &bytes[bom..], encoding, "its byte order mark");
    }
    match declared_charset(bytes) {
        Some(label) => match Encoding::for_label(label.as_bytes()) {
            // A page cannot be UTF-16 without a byte order mark; HTML reads such a label as
            // UTF-8, and so does brief.
            Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                decode_strictly(path, bytes, encoding_rs::UTF_8, "its charset declaration")
            }
            Some(e) if e == encoding_rs::REPLACEMENT => Err(unknown_charset(path, &label, bytes)),
            Some(e) if e != encoding_rs::UTF_8 && is_utf8_beyond_ascii(bytes) => {
                Ok(utf8_despite(path, bytes, e))
            }
            Some(e) => decode_strictly(path, bytes, e, "its charset declaration"),
            None => Err(unknown_charset(path, &label, bytes)),
        },
        None => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Page {
                text: text.to_string(),
                charset: "UTF-8",
                warning: None,
            }),
            Err(e) => Err(Diagnostic::error(
                "unknown-charset",
                "the page is not UTF-8 and does not say which charset it is in",
            )
            .at(path, Some(pos_of_byte(bytes, e.valid_up_to())))
            .help("add the page's charset to its head, e.g. `<meta charset=\"windows-1252\">` or `<meta charset=\"shift_jis\">`, or save the page again from a browser (which writes it)")),
        },
    }
}

fn decode_strictly(
    path: &Path,
    bytes: &[u8],
    encoding: &'static Encoding,
    why: &str,
) -> Result<Page, Diagnostic> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Page {
            text: text.into_owned(),
            charset: encoding.name(),
            warning: None,
        }),
        None => {
            let at = first_malformed(bytes, encoding);
            Err(Diagnostic::error(
                "bad-encoding",
                format!(
                    "the page is not valid {} (the charset {why} names)",
                    encoding.name()
                ),
            )
            .at(path, Some(pos_of_byte(bytes, at)))
            .help("the page's charset declaration is wrong: correct its `<meta charset>` to the charset the file is really in, or save the page again from a browser"))
        }
    }
}

/// Whether the bytes are valid UTF-8 and hold more than ASCII. Text in a legacy charset
/// almost never is: its letters beyond ASCII do not form UTF-8's sequences by chance.
fn is_utf8_beyond_ascii(bytes: &[u8]) -> bool {
    !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok()
}

/// A page that declares a legacy charset but is UTF-8 (converted without its declaration
/// being corrected, as many tools do): read as UTF-8, with a warning.
fn utf8_despite(path: &Path, bytes: &[u8], declared: &'static Encoding) -> Page {
    let warning = Diagnostic::warning(
        "charset-mismatch",
        format!(
            "the page declares the charset {} but is UTF-8; it was read as UTF-8",
            declared.name()
        ),
    )
    .at(path, None)
    .help("check the new briefing's text; if it is garbled, convert the page to UTF-8 and import it again");
    Page {
        text: String::from_utf8_lossy(bytes).into_owned(),
        charset: "UTF-8",
        warning: Some(warning),
    }
}

/// The byte offset where decoding with `encoding` first fails.
fn first_malformed(bytes: &[u8], encoding: &'static Encoding) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length(4096).unwrap_or(16384));
    let mut read_total = 0;
    loop {
        out.clear();
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::Malformed(len, _) => {
                return read_total.saturating_sub(len as usize);
            }
            encoding_rs::DecoderResult::OutputFull => continue,
            encoding_rs::DecoderResult::InputEmpty => return read_total,
        }
    }
}

fn unknown_charset(path: &Path, label: &str, bytes: &[u8]) -> Diagnostic {
    let at = find_ascii_ci(bytes, label.as_bytes()).unwrap_or(0);
    Diagnostic::error(
        "unknown-charset",
        format!("the page declares the charset `{label}`, which brief cannot read"),
    )
    .at(path, Some(pos_of_byte(bytes, at).with_len(label.chars().count())))
    .help("convert the page to UTF-8 (e.g. `iconv -f CHARSET -t UTF-8`) and correct its `<meta charset>`")
}

/// The charset a page declares in its head: `<meta charset=...>`, `<meta http-equiv=
/// "Content-Type" content="...; charset=...">` or an XML declaration's `encoding=`.
pub fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(CHARSET_SCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<?xml")
        && let Some(end) = memchr::memmem::find(&lower, b"?>")
        && let Some(v) = value_after(&lower[..end], b"encoding")
    {
        return Some(v);
    }
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(v) = value_after(&lower[start..end], b"charset") {
            return Some(v);
        }
        from = end;
    }
    None
}

/// The value after `name` and `=` in a tag's text, unquoted (`charset="utf-8"` and
/// `content="text/html; charset=utf-8"` both give `utf-8`).
fn value_after(tag: &[u8], name: &[u8]) -> Option<String> {
    let i = memchr::memmem::find(tag, name)?;
    let rest = &tag[i + name.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let value: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(|b| !matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') && !b.is_ascii_whitespace())
        .collect();
    (!value.is_empty()).then(|| String::from_utf8_lossy(&value).into_owned())
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let lower: Vec<u8> = hay.iter().map(u8::to_ascii_lowercase).collect();
    let needle: Vec<u8> = needle.iter().map(u8::to_ascii_lowercase).collect();
    memchr::memmem::find(&lower, &needle)
}

/// Line and column of a byte offset in bytes that may not be UTF-8 (columns count bytes).
fn pos_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    Pos::new(line, before.len() - line_start + 1)
}

/// Refuses a page whose elements nest deeper than [`MAX_DEPTH`], or whose depths add up to
/// more than [`MAX_NESTING_WORK`], by a scan of its tags that costs one pass: opening tags of
/// elements that need a closing tag count up, closing tags count down. Elements that close
/// themselves (`<p>`, `<li>`, ...) and void ones (`<br>`) do not deepen, so sloppy markup does
/// not look deep; what is inside comments, scripts and styles is skipped.
fn refuse_deep_nesting(path: &Path, text: &str) -> Result<(), Diagnostic> {
    let (offset, message) = match nesting_over(text, MAX_DEPTH, MAX_NESTING_WORK) {
        None => return Ok(()),
        Some(Over::Depth(at)) => (
            at,
            format!("the page nests its elements more than {MAX_DEPTH} deep"),
        ),
        Some(Over::Work(at)) => (
            at,
            format!(
                "the page has too many deeply nested elements (their depths add up to more than {} million)",
                MAX_NESTING_WORK / 1_000_000
            ),
        ),
    };
    Err(Diagnostic::error("page-too-deep", message)
        .at(path, Some(Pos::of_offset(text, offset)))
        .help("this is not a page a browser saved from a news site: check that it is the right file, or cut it down to the article"))
}

/// Where a page first goes over a nesting limit: the offset of the tag.
#[derive(Debug, PartialEq, Eq)]
enum Over {
    Depth(usize),
    Work(usize),
}

fn nesting_over(text: &str, max_depth: usize, max_work: u64) -> Option<Over> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut work = 0u64;
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[i..]) {
        let at = i + lt;
        let rest = &b[at + 1..];
        if rest.starts_with(b"!--") {
            i = memchr::memmem::find(&rest[3..], b"-->").map_or(b.len(), |e| at + 4 + e + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name: Vec<u8> = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .map(u8::to_ascii_lowercase)
            .collect();
        i = name_start + name.len();
        if name.is_empty() || !name[0].is_ascii_alphabetic() {
            continue;
        }
        let tag_end = memchr::memchr(b'>', &b[i..]).map_or(b.len(), |e| i + e);
        let self_closed = tag_end > i && b[tag_end - 1] == b'/';
        if !closing && RAW_TEXT.contains(&name.as_slice()) {
            // Skip to the element's end tag: a script's `"<div>"` strings are not tags.
            let mut end_tag = b"</".to_vec();
            end_tag.extend_from_slice(&name);
            let lower_from = tag_end.min(b.len());
            i = find_ascii_ci(&b[lower_from..], &end_tag).map_or(b.len(), |e| lower_from + e);
            continue;
        }
        if !closing {
            work += depth as u64 + 1;
            if work > max_work {
                return Some(Over::Work(at));
            }
        }
        if counts_for_nesting(&name) && !self_closed {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                if depth > max_depth {
                    return Some(Over::Depth(at));
                }
            }
        }
        i = tag_end.min(b.len());
    }
    None
}

const RAW_TEXT: [&[u8]; 6] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"noscript",
];

/// Whether an element stays open until its closing tag (so that unclosed ones nest).
fn counts_for_nesting(name: &[u8]) -> bool {
    const VOID_OR_SELF_CLOSING: [&[u8]; 33] = [
        b"area",
        b"base",
        b"br",
        b"col",
        b"embed",
        b"hr",
        b"img",
        b"input",
        b"link",
        b"meta",
        b"source",
        b"track",
        b"wbr",
        b"param",
        b"keygen",
        b"p",
        b"li",
        b"dt",
        b"dd",
        b"option",
        b"optgroup",
        b"tr",
        b"td",
        b"th",
        b"thead",
        b"tbody",
        b"tfoot",
        b"colgroup",
        b"rb",
        b"rt",
        b"rp",
        b"html",
        b"body",
    ];
    !VOID_OR_SELF_CLOSING.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<Page, Diagnostic> {
        decode(Path::new("page.html"), bytes)
    }

    #[test]
    fn declared_charsets_are_found_in_each_form() {
        assert_eq!(
            declared_charset(b"<html><head><META CHARSET=\"Shift_JIS\">").as_deref(),
            Some("shift_jis")
        );
        assert_eq!(
            declared_charset(
                b"<meta http-equiv=Content-Type content='text/html; charset=iso-8859-2'>"
            )
            .as_deref(),
            Some("iso-8859-2")
        );
        assert_eq!(
            declared_charset(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><html>").as_deref(),
            Some("windows-1252")
        );
        assert_eq!(declared_charset(b"<meta name=description content=x>"), None);
    }

    #[test]
    fn declared_charsets_are_decoded() {
        let latin = b"<meta charset=windows-1252><p>Caf\xe9 \x93quoted\x94</p>";
        assert_eq!(
            decoded(latin).unwrap().text,
            "<meta charset=windows-1252><p>Caf\u{e9} \u{201c}quoted\u{201d}</p>"
        );
        let sjis = b"<meta charset=\"shift_jis\"><p>\x93\xfa\x96\x7b</p>";
        let page = decoded(sjis).unwrap();
        assert!(
            page.text.contains("<p>\u{65e5}\u{672c}</p>"),
            "{}",
            page.text
        );
        assert_eq!(page.charset, "Shift_JIS");
        let latin2 = b"<meta charset=iso-8859-2><p>\xb3\xf3d\xbc</p>";
        assert!(decoded(latin2).unwrap().text.contains("łódź"));
        // Declared as GBK, but converted to UTF-8: read as UTF-8, with a warning.
        let converted = "<meta charset=gbk><p>\u{65e5}\u{672c}</p>".as_bytes();
        let page = decoded(converted).unwrap();
        assert_eq!(page.text, "<meta charset=gbk><p>\u{65e5}\u{672c}</p>");
        assert_eq!(page.warning.map(|w| w.code), Some("charset-mismatch"));
    }

    #[test]
    fn undeclared_or_unknown_charsets_are_errors_with_positions() {
        let e = decoded(b"<p>ok</p>\n<p>Caf\xe9</p>").unwrap_err();
        assert_eq!(e.code, "unknown-charset");
        assert_eq!(e.pos.map(|p| (p.line, p.column)), Some((2, 7)));
        let e = decoded(b"<meta charset=klingon><p>x</p>").unwrap_err();
        assert_eq!(e.code, "unknown-charset");
        let e = decoded(b"<meta charset=utf-8><p>\xff</p>").unwrap_err();
        assert_eq!(e.code, "bad-encoding");
        // A UTF-16 label without a byte order mark means UTF-8, as in browsers.
        assert_eq!(
            decoded(b"<meta charset=utf-16><p>x</p>").unwrap().charset,
            "UTF-8"
        );
    }

    #[test]
    fn byte_order_marks_win() {
        let mut utf16 = vec![0xff, 0xfe];
        for c in "<p>\u{e9}</p>".encode_utf16() {
            utf16.extend_from_slice(&c.to_le_bytes());
        }
        assert!(binary_kind(&utf16).is_none());
        assert_eq!(decoded(&utf16).unwrap().text, "<p>\u{e9}</p>");
    }

    #[test]
    fn binary_files_are_named() {
        assert_eq!(binary_kind(b"%PDF-1.7 ..."), Some("a PDF document"));
        assert_eq!(
            binary_kind(b"\x1f\x8b\x08..."),
            Some("gzip-compressed data")
        );
        assert_eq!(binary_kind(b"<p>a\0b</p>"), Some("binary data"));
        assert_eq!(binary_kind(b"<!doctype html><p>fine</p>"), None);
    }

    #[test]
    fn nesting_is_measured_without_being_fooled() {
        let over = |text: &str| nesting_over(text, MAX_DEPTH, MAX_NESTING_WORK);
        let deep = format!("{}x{}", "<div>".repeat(600), "</div>".repeat(600));
        assert_eq!(over(&deep), Some(Over::Depth(256 * 5)));
        let closed = "<div></div>".repeat(10_000);
        assert_eq!(over(&closed), None);
        // Unclosed paragraphs and list items close themselves; void elements never open.
        let sloppy = "<p>a<li>b<br><img src=x><input>".repeat(2000);
        assert_eq!(over(&sloppy), None);
        // Many chains just under the depth limit add up.
        let chain = format!("{}x{}", "<div>".repeat(250), "</div>".repeat(250));
        let wide = chain.repeat(700);
        assert!(matches!(over(&wide), Some(Over::Work(_))));
        assert_eq!(over(&chain.repeat(100)), None);
        // Tags inside scripts and comments are not tags.
        let script = format!(
            "<script>{}</script><!-- {} -->",
            "<div>".repeat(600),
            "<div>".repeat(600)
        );
        assert_eq!(over(&script), None);
        assert_eq!(nesting_over("<div/><div/>", 1, 10), None);
        assert_eq!(nesting_over("<p><p><p>", 5, 2), Some(Over::Work(6)));
    }
}

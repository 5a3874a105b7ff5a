//! The images of an imported article: linked where they are on the web, or, for a folder
//! briefing, copied from the files a browser saved beside the page.
//!
//! Every `src` of a saved page is hostile input. A file is copied only when it lies inside the
//! page's folder (after following links and `..`), its bytes are a PNG, JPEG, GIF, WebP or
//! AVIF image (SVG and anything else that could hold script is never copied), and it is not
//! too large; its new name is made of safe characters only, with the extension its bytes call
//! for. Images that cannot be shown are left out with a warning saying which and why, never
//! silently. This module reads the page's files; it writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::url::{WebUrl, scheme_of};
use crate::diag::Diagnostic;

/// The largest image file copied into a briefing.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// An image to copy: its bytes, and its name in the briefing's folder.
#[derive(Debug, Clone)]
pub struct Copy {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Decides where each image of the article points, collecting copies and reasons to leave
/// images out.
pub struct Images<'a> {
    page: &'a Path,
    /// The page's folder, resolved through the file system.
    page_dir: Option<PathBuf>,
    base: Option<&'a WebUrl>,
    folder: bool,
    pub copies: Vec<Copy>,
    /// Copies by the real path they come from, so an image shown twice is copied once.
    copied: BTreeMap<PathBuf, String>,
    names: BTreeSet<String>,
    /// Why images were left out, with the `src` of each.
    left_out: BTreeMap<Reason, Vec<String>>,
    pub linked: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    LocalWithoutFolder,
    NotAnImage,
    TooLarge,
    OutsideFolder,
    Embedded,
    NoAddress,
    Unreadable,
}

impl<'a> Images<'a> {
    pub fn new(page: &'a Path, base: Option<&'a WebUrl>, folder: bool) -> Self {
        let page_dir = page
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .and_then(|d| fs::canonicalize(d).ok());
        Images {
            page,
            page_dir,
            base,
            folder,
            copies: Vec::new(),
            copied: BTreeMap::new(),
            names: BTreeSet::new(),
            left_out: BTreeMap::new(),
            linked: 0,
        }
    }

    /// The address to write for an image whose `src` is `src`, or `None` to leave it out.
    pub fn place(&mut self, src: &str) -> Option<String> {
        let src = src.trim();
        if src.is_empty() {
            return None;
        }
        match scheme_of(src).as_deref() {
            Some("http" | "https") => {
                return self.link(WebUrl::parse(src).map(|_| src.to_string()), src);
            }
            Some("data") => return self.leave_out(Reason::Embedded, src),
            Some(_) => return self.leave_out(Reason::NoAddress, src),
            None => {}
        }
        match self.local_file(src) {
            Ok(Some(real)) => self.copy(&real, src),
            Ok(None) => {
                let joined = self.base.and_then(|b| b.join(src));
                self.link(joined, src)
            }
            Err(reason) => self.leave_out(reason, src),
        }
    }

    fn link(&mut self, url: Option<String>, src: &str) -> Option<String> {
        match url {
            Some(u) => {
                self.linked += 1;
                Some(u)
            }
            None => self.leave_out(Reason::NoAddress, src),
        }
    }

    fn leave_out(&mut self, reason: Reason, src: &str) -> Option<String> {
        self.left_out
            .entry(reason)
            .or_default()
            .push(src.to_string());
        None
    }

    /// The real path of the file `src` names beside the page, if there is one; an error when
    /// it leads out of the page's folder.
    fn local_file(&self, src: &str) -> Result<Option<PathBuf>, Reason> {
        let Some(dir) = &self.page_dir else {
            return Ok(None);
        };
        let path_part = src.split(['?', '#']).next().unwrap_or_default();
        let Some(decoded) = percent_decode(path_part) else {
            return Ok(None);
        };
        if decoded.starts_with('/') {
            // Root-relative: an address on the site, not a file beside the page.
            return Ok(None);
        }
        let candidate = dir.join(&decoded);
        let Ok(real) = fs::canonicalize(&candidate) else {
            return Ok(None);
        };
        if !real.starts_with(dir) {
            return Err(Reason::OutsideFolder);
        }
        Ok(real.is_file().then_some(real))
    }

    fn copy(&mut self, real: &Path, src: &str) -> Option<String> {
        if !self.folder {
            return self.leave_out(Reason::LocalWithoutFolder, src);
        }
        if let Some(name) = self.copied.get(real) {
            return Some(name.clone());
        }
        match fs::metadata(real) {
            Ok(m) if m.len() > MAX_IMAGE_BYTES => return self.leave_out(Reason::TooLarge, src),
            Ok(_) => {}
            Err(_) => return self.leave_out(Reason::Unreadable, src),
        }
        let Ok(bytes) = fs::read(real) else {
            return self.leave_out(Reason::Unreadable, src);
        };
        let Some(ext) = image_extension(&bytes) else {
            return self.leave_out(Reason::NotAnImage, src);
        };
        let name = self.unique_name(real, ext);
        self.copied.insert(real.to_path_buf(), name.clone());
        self.copies.push(Copy {
            name: name.clone(),
            bytes,
        });
        Some(name)
    }

    /// A safe, unused file name for a copy: the original's stem in `a-z0-9-`, and `ext`.
    fn unique_name(&mut self, real: &Path, ext: &str) -> String {
        let stem = real
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut stem = crate::slug::slugify(&stem);
        stem.truncate(60);
        let stem = stem.trim_end_matches('-');
        let stem = if stem.is_empty() || stem == "index" {
            "image"
        } else {
            stem
        };
        let mut name = format!("{stem}.{ext}");
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// One warning per reason images were left out, naming a few of them.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.left_out
            .iter()
            .map(|(reason, srcs)| {
                let (what, help) = explain(*reason);
                let shown: Vec<String> = srcs
                    .iter()
                    .take(3)
                    .map(|s| format!("`{}`", crate::diag::clip(s, 80)))
                    .collect();
                let more = if srcs.len() > 3 {
                    format!(" and {} more", srcs.len() - 3)
                } else {
                    String::new()
                };
                Diagnostic::warning(
                    "image-left-out",
                    format!(
                        "{} image{} left out ({what}): {}{more}",
                        srcs.len(),
                        if srcs.len() == 1 { "" } else { "s" },
                        shown.join(", ")
                    ),
                )
                .at(self.page, None)
                .help(help)
            })
            .collect()
    }
}

/// Why images were left out, in words that fit one image or many, and what to do.
fn explain(reason: Reason) -> (&'static str, &'static str) {
    match reason {
        Reason::LocalWithoutFolder => (
            "saved as files beside the page",
            "import with --folder to copy them into a folder briefing",
        ),
        Reason::NotAnImage => (
            "not a PNG, JPEG, GIF, WebP or AVIF file; SVG and other files that could hold script are not copied",
            "add such images to the briefing's folder by hand after checking them; see docs/format.md, \"Files that could run script\"",
        ),
        Reason::TooLarge => (
            "larger than 20 MB",
            "shrink them and add them to the briefing's folder by hand",
        ),
        Reason::OutsideFolder => (
            "outside the page's folder",
            "a saved page's images belong in its own folder; copy the images you trust by hand",
        ),
        Reason::Embedded => (
            "embedded in the page as data: addresses",
            "save the images as files and add them to the briefing by hand",
        ),
        Reason::NoAddress => (
            "a relative address, and neither the page nor --url says where the page was",
            "pass the article's address with --url so that they can be linked",
        ),
        Reason::Unreadable => ("cannot be read", "check the files' permissions"),
    }
}

/// The extension for an image by its first bytes; `None` for anything that is not a raster
/// image brief copies (SVG and other markup included).
pub fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"avif" | b"avis")
    {
        Some("avif")
    } else {
        None
    }
}

/// `%20` and the like decoded; `None` when the result is not UTF-8 or holds a NUL.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (!text.contains('\0')).then_some(text)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_extension(PNG), Some("png"));
        assert_eq!(image_extension(b"\xff\xd8\xff\xe0"), Some("jpg"));
        assert_eq!(image_extension(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_extension(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_extension(b"<html>"), None);
    }

    #[test]
    fn percent_escapes_are_decoded_safely() {
        assert_eq!(percent_decode("a%20b.jpg").as_deref(), Some("a b.jpg"));
        assert_eq!(percent_decode("%2e%2e/x").as_deref(), Some("../x"));
        assert_eq!(percent_decode("a%00b"), None);
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
    }

    #[test]
    fn saved_files_are_copied_only_when_safe() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("saved");
        fs::create_dir_all(dir.join("Page_files")).unwrap();
        fs::write(dir.join("Page_files/Photo 1.JPG"), PNG).unwrap();
        fs::write(dir.join("Page_files/icon.svg"), b"<svg onload=alert(1)/>").unwrap();
        fs::write(tmp.path().join("secret.png"), PNG).unwrap();
        std::os::unix::fs::symlink(
            tmp.path().join("secret.png"),
            dir.join("Page_files/link.png"),
        )
        .unwrap();
        let page = dir.join("page.html");
        let base = WebUrl::parse("https://news.example/a/story").unwrap();
        let mut images = Images::new(&page, Some(&base), true);
        assert_eq!(
            images.place("Page_files/Photo%201.JPG").as_deref(),
            Some("photo-1.png")
        );
        // The same file again is the same copy; another name for it gets a new one only once.
        assert_eq!(
            images.place("./Page_files/Photo 1.JPG").as_deref(),
            Some("photo-1.png")
        );
        assert_eq!(images.place("Page_files/icon.svg"), None);
        assert_eq!(images.place("../secret.png"), None);
        assert_eq!(images.place("Page_files/link.png"), None);
        assert_eq!(images.place("data:image/png;base64,AAAA"), None);
        assert_eq!(
            images.place("/img/remote.jpg").as_deref(),
            Some("https://news.example/img/remote.jpg")
        );
        assert_eq!(images.copies.len(), 1);
        let codes: Vec<String> = images
            .warnings()
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        assert!(
            codes
                .iter()
                .any(|m| m.contains("2 images left out (outside the page's folder)")),
            "{codes:?}"
        );

        // Without --folder, files beside the page are left out, with a hint.
        let mut linked = Images::new(&page, Some(&base), false);
        assert_eq!(linked.place("Page_files/Photo%201.JPG"), None);
        assert!(
            linked.warnings()[0]
                .help
                .as_deref()
                .unwrap()
                .contains("--folder")
        );
    }
}

//! `feed.xml` (Atom, RFC 4287), `sitemap.xml` (sitemaps.org) and `robots.txt`.
//!
//! All three need absolute URLs, so they are written only when the site has a base URL. Dates come
//! from the briefings, never from the clock, so two builds stay byte-identical. No I/O.

use std::fmt::Write as _;

use crate::config::Config;
use crate::model::Site;
use crate::render::lists::{INDEX_PAGE_SIZE, ListEntry};
use crate::render::view::{BriefingSummary, Urls};

/// Briefings listed in the feed, newest first.
pub const FEED_ENTRIES: usize = 50;

fn xml_escape(s: &str) -> String {
    // The same five characters as in HTML; `&#39;` is valid XML too. XML forbids control
    // characters even escaped, and a value may hold one from a YAML escape.
    crate::mark::escape(s)
}

/// A plain-text summary: the front matter's, or the article's first words.
pub fn excerpt(text: &str) -> String {
    if text.chars().count() <= 280 {
        return text.to_string();
    }
    let cut: String = text.chars().take(280).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} ...")
}

pub fn atom(config: &Config, entries: &[ListEntry], urls: &Urls) -> Option<String> {
    let base = urls.base_url.as_deref()?;
    // Briefings are newest first.
    let updated = (entries.first()).map_or("1970-01-01T00:00:00Z", |e| &e.summary.date.rfc3339);
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(&config.language)
    );
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&config.title));
    if let Some(d) = &config.description {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", xml_escape(d));
    }
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(base));
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>",
        xml_escape(base)
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(base)
    );
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    let _ = writeln!(
        x,
        "  <author><name>{}</name></author>",
        xml_escape(&config.title)
    );
    x.push_str("  <generator>brief</generator>\n");
    for e in entries.iter().take(FEED_ENTRIES) {
        let b = e.summary;
        let url = urls.permalink(&b.url).unwrap_or_default();
        let url = xml_escape(&url);
        x.push_str("  <entry>\n");
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&b.title));
        let _ = writeln!(x, "    <id>{url}</id>");
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>"
        );
        let _ = writeln!(x, "    <published>{}</published>", b.date.rfc3339);
        let _ = writeln!(x, "    <updated>{}</updated>", b.date.rfc3339);
        let summary = b.summary.as_deref().or(e.excerpt).unwrap_or_default();
        let _ = writeln!(x, "    <summary>{}</summary>", xml_escape(summary));
        for tag in &b.tags {
            let _ = writeln!(x, "    <category term=\"{}\"/>", xml_escape(tag));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    Some(x)
}

pub fn sitemap(site: &Site, briefings: &[&BriefingSummary], urls: &Urls) -> Option<String> {
    urls.base_url.as_deref()?;
    let mut entries: Vec<(String, Option<String>)> = Vec::new();
    let newest = briefings.first().map(|b| b.date.iso.clone());
    entries.push((urls.base_path.clone(), newest.clone()));
    let index_pages = briefings.len().div_ceil(INDEX_PAGE_SIZE);
    for n in 2..=index_pages {
        entries.push((format!("{}page/{n}/", urls.base_path), None));
    }
    for b in briefings {
        entries.push((b.url.clone(), Some(b.date.iso.clone())));
    }
    entries.push((format!("{}speakers/", urls.base_path), newest.clone()));
    for id in site.speakers.keys() {
        entries.push((urls.speaker(id), None));
    }
    entries.push((format!("{}questions/", urls.base_path), newest));
    for id in site.questions.keys() {
        entries.push((urls.question(id), None));
    }
    let mut x = String::with_capacity(64 * entries.len() + 128);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (url, lastmod) in entries {
        let loc = urls.absolute(&url);
        let _ = write!(x, "  <url><loc>{}</loc>", xml_escape(&loc));
        if let Some(d) = lastmod {
            let _ = write!(x, "<lastmod>{d}</lastmod>");
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    Some(x)
}

/// `robots.txt` (RFC 9309): everything may be crawled, and the sitemap is named by its absolute
/// URL (the sitemaps.org protocol wants one there). Crawlers read it only at the root of a host,
/// so a site under a sub-path has to copy the `Sitemap:` line into the host's own
/// (docs/deploy.md).
pub fn robots(urls: &Urls) -> Option<String> {
    let base = urls.base_url.as_deref()?;
    Some(format!(
        "User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"
    ))
}

//! Tag pages: `tags/index.html` (every tag, with how many briefings carry it) and
//! `tags/<slug>/index.html` (a tag's briefings, newest first).
//!
//! Tags are free text in the front matter; each gets a URL-safe slug here, and tags whose slugs
//! coincide ("NATO", "nato") share one page, named as first written on the newest briefing.
//! This module only renders pages in memory from the briefing summaries; it reads no files and
//! must not change what any other page shows.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::Page;
use super::templates::Templates;
use super::view::{BriefingSummary, TagLink, Urls};
use crate::diag::Diagnostic;

/// A tag as listed on the tags page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagSummary {
    pub tag: TagLink,
    pub briefing_count: usize,
}

/// One tag's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagPageView<'a> {
    #[serde(flatten)]
    pub tag: TagLink,
    /// Its briefings, newest first.
    pub briefings: Vec<&'a BriefingSummary>,
}

/// The folder name of a tag: lower case letters and digits (any script), other runs of
/// characters turned into one `-`. A tag with no letter or digit at all gets `tag-` and a hash
/// of its text, so it still has a stable page of its own.
pub fn slug(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out = format!(
            "tag-{}",
            crate::fingerprint::Fingerprint::of(tag.as_bytes()).hex()
        );
    }
    out
}

/// A briefing's tags with their pages, each slug once.
pub fn links(tags: &[String], urls: &Urls) -> Vec<TagLink> {
    let mut out: Vec<TagLink> = Vec::new();
    for name in tags {
        let slug = slug(name);
        if out.iter().any(|t| t.slug == slug) {
            continue;
        }
        out.push(TagLink {
            name: name.clone(),
            url: urls.tag(&slug),
            slug,
        });
    }
    out
}

/// Renders the tags page and one page per tag, each one or the reason its template failed.
/// `context(title, url, kind)` makes a page's base context (the site and the page's meta), as
/// for every other page.
pub fn pages(
    summaries: &[&BriefingSummary],
    urls: &Urls,
    templates: &Templates,
    context: &dyn Fn(&str, String, &'static str) -> tera::Context,
) -> Vec<Result<Page, Diagnostic>> {
    // Slug -> (the tag's link, its briefings); summaries come newest first.
    let mut by_slug: BTreeMap<String, (TagLink, Vec<&BriefingSummary>)> = BTreeMap::new();
    for b in summaries {
        for t in &b.tag_links {
            by_slug
                .entry(t.slug.clone())
                .or_insert_with(|| (t.clone(), Vec::new()))
                .1
                .push(*b);
        }
    }
    let render = |template: &str, path: PathBuf, c: &tera::Context| {
        Ok(Page {
            path,
            bytes: templates.render(template, c)?,
        })
    };
    let list: Vec<TagSummary> = by_slug
        .values()
        .map(|(tag, bs)| TagSummary {
            tag: tag.clone(),
            briefing_count: bs.len(),
        })
        .collect();
    let mut c = context("Tags", format!("{}tags/", urls.base_path), "tags");
    c.insert("tags", &list);
    let mut pages = vec![render("tags.html", PathBuf::from("tags/index.html"), &c)];
    for (slug, (tag, briefings)) in by_slug {
        let title = format!("Tagged “{}”", tag.name);
        let mut c = context(&title, tag.url.clone(), "tag");
        c.insert("tag", &TagPageView { tag, briefings });
        let path = PathBuf::from("tags").join(slug).join("index.html");
        pages.push(render("tag.html", path, &c));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slug("vilnius-summit"), "vilnius-summit");
        assert_eq!(slug("Security Guarantees!"), "security-guarantees");
        assert_eq!(slug("  NATO / EU  "), "nato-eu");
        assert_eq!(slug("Україна"), "україна");
    }

    #[test]
    fn a_tag_without_letters_still_gets_a_stable_slug() {
        assert_eq!(slug("!!!"), slug("!!!"));
        assert!(slug("!!!").starts_with("tag-"));
        assert_ne!(slug("!!!"), slug("???"));
    }

    #[test]
    fn tags_with_the_same_slug_link_once() {
        let urls = Urls {
            base_path: "/".into(),
            base_url: None,
        };
        let links = links(&["NATO".into(), "nato".into(), "EU".into()], &urls);
        let names: Vec<&str> = links.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["NATO", "EU"]);
        assert_eq!(links[0].url, "/tags/nato/");
    }
}

//! What a saved page says about its article: title, date, site name, address, description
//! and author, for the front matter.
//!
//! Readability (dom_smoothie) reads the common metadata (Open Graph, JSON-LD, Dublin Core,
//! `<meta name=author>`, the `<title>`); this module adds what a briefing needs beyond it:
//! the page's own address (`<link rel=canonical>`, `og:url`, the comment a browser writes when
//! it saves a page), more places a date hides (`<time datetime>`, `itemprop=datePublished`,
//! dated `<meta>` names), the site name from the host when the page gives none, and titles
//! cut of their site-name suffix. It only reads the parsed page; it never fetches anything.

use dom_query::Document;

use super::url::WebUrl;
use crate::date::Date;

/// What was found, each value cleaned of extra white space.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    pub title: Option<String>,
    /// `YYYY-MM-DD`, and where it was found (for the report).
    pub date: Option<(String, &'static str)>,
    pub site_name: Option<String>,
    /// The page's own address: canonical, `og:url`, JSON-LD `url`, or where it was saved from.
    pub url: Option<WebUrl>,
    /// `<base href>`, which relative links resolve against when present.
    pub base: Option<WebUrl>,
    pub description: Option<String>,
    pub author: Option<String>,
}

/// The addresses and dates only this module looks for; read before Readability changes the
/// document (it removes scripts, and with them the JSON-LD).
#[derive(Debug, Clone, Default)]
pub struct Extra {
    url: Option<WebUrl>,
    base: Option<WebUrl>,
    dates: Vec<(String, &'static str)>,
    application_name: Option<String>,
}

/// `<meta>` names and properties that carry an article's publication date, best first.
const DATE_METAS: [&str; 14] = [
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "publishdate",
    "publish-date",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "parsely-pub-date",
    "sailthru.date",
];

/// Reads what Readability does not, from the whole page (`text` is its source, for the
/// comment a browser writes when saving).
pub fn read_extra(doc: &Document, text: &str) -> Extra {
    let attr = |sel: &str, name: &str| -> Option<String> {
        doc.select(sel)
            .nodes()
            .iter()
            .find_map(|n| n.attr(name).map(|v| v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    let url = attr("link[rel~=canonical]", "href")
        .and_then(|u| WebUrl::parse(&u))
        .or_else(|| attr("meta[property='og:url']", "content").and_then(|u| WebUrl::parse(&u)))
        .or_else(|| saved_from(text));
    let base = attr("base[href]", "href").and_then(|u| WebUrl::parse(&u));
    Extra {
        url,
        base,
        dates: date_candidates(doc),
        application_name: attr("meta[name='application-name']", "content"),
    }
}

/// Dates in `<meta>` elements, `itemprop=datePublished` and `<time datetime>`, best first.
fn date_candidates(doc: &Document) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    let metas = doc.select("meta[content]");
    for name in DATE_METAS {
        for m in metas.nodes() {
            let key = ["property", "name", "itemprop"]
                .iter()
                .find_map(|k| m.attr(k))
                .map(|k| k.to_ascii_lowercase());
            if key.as_deref() == Some(name)
                && let Some(v) = m.attr("content")
            {
                found.push((v.to_string(), "a <meta> element"));
            }
        }
    }
    for sel in [
        "[itemprop=datePublished][datetime]",
        "time[pubdate][datetime]",
        "article time[datetime]",
        "header time[datetime]",
        "time[datetime]",
    ] {
        for t in doc.select(sel).nodes() {
            if let Some(v) = t.attr("datetime") {
                found.push((v.to_string(), "a <time datetime> element"));
            }
        }
    }
    found
}

/// The address in the comment browsers write at the top of a saved page:
/// `<!-- saved from url=(0046)https://example.org/... -->`.
fn saved_from(text: &str) -> Option<WebUrl> {
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    let at = head.find("saved from url=(")?;
    let rest = &head[at + "saved from url=(".len()..];
    let rest = &rest[rest.find(')')? + 1..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '-')
        .unwrap_or(rest.len());
    WebUrl::parse(&rest[..end])
}

/// What Readability found, as the plain values this module combines.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub title: String,
    pub byline: Option<String>,
    pub excerpt: Option<String>,
    pub site_name: Option<String>,
    pub published_time: Option<String>,
    pub url: Option<String>,
}

impl From<dom_smoothie::Metadata> for Found {
    fn from(m: dom_smoothie::Metadata) -> Self {
        Found {
            title: m.title,
            byline: m.byline,
            excerpt: m.excerpt,
            site_name: m.site_name,
            published_time: m.published_time,
            url: m.url,
        }
    }
}

/// Combines Readability's metadata with this module's: `byline` is Readability's guess from
/// the article's text, used when the metadata names no author.
pub fn combine(found: Found, extra: Extra, byline: Option<String>) -> PageMeta {
    let url = extra
        .url
        .or_else(|| found.url.as_deref().and_then(WebUrl::parse));
    let site_name = clean(found.site_name.as_deref())
        .or_else(|| clean(extra.application_name.as_deref()))
        .or_else(|| url.as_ref().map(WebUrl::site_host));
    let author = clean(found.byline.as_deref())
        .and_then(|a| author_name(&a, site_name.as_deref()))
        .or_else(|| {
            clean(byline.as_deref())
                .and_then(|a| author_name(&a, site_name.as_deref()))
                .filter(|a| looks_like_a_name(a))
        });
    let mut names: Vec<String> = site_name.iter().cloned().collect();
    names.extend(author.iter().cloned());
    if let Some(u) = &url {
        names.push(u.site_host());
    }
    let title = clean(Some(&found.title)).map(|t| without_site_name(&t, &names));
    let date = found
        .published_time
        .iter()
        .map(|d| (d.clone(), "the page's metadata"))
        .chain(extra.dates)
        .find_map(|(raw, from)| calendar_date(&raw).map(|d| (d, from)));
    PageMeta {
        title: title.filter(|t| !t.is_empty()),
        date,
        site_name,
        url,
        base: extra.base,
        description: clean(found.excerpt.as_deref()),
        author,
    }
}

/// White space collapsed to single spaces, control characters dropped; `None` when empty.
pub fn clean(s: Option<&str>) -> Option<String> {
    let s = s?;
    let words: Vec<&str> = s.split_whitespace().collect();
    let out: String = words
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    (!out.is_empty()).then_some(out)
}

/// `YYYY-MM-DD` from the start of a date or timestamp (`2015-07-24T05:36:09+01:00`,
/// `2017-11-03 03:01:00.000000`, `2021-11-01T10:52:50+0100`), if it is a real day.
pub fn calendar_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let day = raw.get(..10)?;
    let rest = &raw[10..];
    let shaped = day.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    let ends = rest.is_empty() || rest.starts_with(['T', 't', ' ']);
    (shaped && ends && Date::parse(day).is_ok()).then(|| day.to_string())
}

/// A byline as a name: "By Jane Doe" is "Jane Doe"; a byline that is only the site's name,
/// an address, or a whole sentence is not an author.
fn author_name(byline: &str, site: Option<&str>) -> Option<String> {
    let mut name = byline.trim();
    for prefix in ["By ", "by ", "BY ", "Von ", "Par ", "Por "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.trim();
        }
    }
    let name = name.trim_end_matches([',', ';', '|', '-']).trim();
    let is_site = site.is_some_and(|s| same_name(s, name));
    let is_address = name.contains("://") || name.starts_with("www.");
    (!name.is_empty() && !is_site && !is_address && name.chars().count() <= 100)
        .then(|| name.to_string())
}

/// A byline guessed from the article's text is kept only when it reads like names: a few
/// words without digits (not "Lucas Nolan22 Dec 2016").
fn looks_like_a_name(s: &str) -> bool {
    s.split_whitespace().count() <= 8 && !s.chars().any(|c| c.is_ascii_digit())
}

/// Separators between a headline and a site name in titles.
const SEPARATORS: [&str; 9] = [
    " | ", " - ", " – ", " — ", " · ", " :: ", " » ", " / ", " : ",
];

/// `title` without a leading or trailing part that is one of `names` (the site's name, its
/// host, the author): "Obama admits ... - BBC News" is "Obama admits ...".
pub fn without_site_name(title: &str, names: &[String]) -> String {
    let mut title = title.to_string();
    // Twice: "Headline | Author | Site" names both.
    for _ in 0..2 {
        let before = title.clone();
        for sep in SEPARATORS {
            if let Some(i) = title.rfind(sep) {
                let (head, tail) = (&title[..i], &title[i + sep.len()..]);
                if !head.trim().is_empty() && names.iter().any(|n| same_name(n, tail)) {
                    title = head.trim().to_string();
                    break;
                }
            }
            if let Some(i) = title.find(sep) {
                let (head, tail) = (&title[..i], &title[i + sep.len()..]);
                if !tail.trim().is_empty() && names.iter().any(|n| same_name(n, head)) {
                    title = tail.trim().to_string();
                    break;
                }
            }
        }
        if title == before {
            break;
        }
    }
    title
}

/// Names compared as a reader would: case, spaces and punctuation aside, and a host's
/// top-level domain too ("bbc.com" names "BBC").
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a == b || {
        let stem = |s: &str| -> String {
            for tld in ["com", "org", "net", "couk", "co", "de", "fr", "cz", "io"] {
                if let Some(x) = s.strip_suffix(tld)
                    && x.len() >= 3
                {
                    return x.to_string();
                }
            }
            s.to_string()
        };
        stem(&a) == stem(&b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn site_names_are_cut_from_titles() {
        let n = names(&["Breitbart", "bbc.com", "Eleanor Ainge Roy"]);
        for (t, want) in [
            (
                "'Neutral' Snopes Fact-Checker: 'Are There?' - Breitbart",
                "'Neutral' Snopes Fact-Checker: 'Are There?'",
            ),
            ("Obama admits - BBC", "Obama admits"),
            ("Breitbart | Headline here", "Headline here"),
            (
                "Whale strandings | Eleanor Ainge Roy | BBC",
                "Whale strandings",
            ),
            ("Re: the - dash - stays", "Re: the - dash - stays"),
            ("Breitbart", "Breitbart"),
        ] {
            assert_eq!(without_site_name(t, &n), want, "{t}");
        }
    }

    #[test]
    fn dates_are_calendar_days() {
        assert_eq!(
            calendar_date("2015-07-24T05:36:09+01:00").as_deref(),
            Some("2015-07-24")
        );
        assert_eq!(
            calendar_date(" 2017-11-03 03:01:00.000000").as_deref(),
            Some("2017-11-03")
        );
        assert_eq!(
            calendar_date("2021-11-01T10:52:50+0100").as_deref(),
            Some("2021-11-01")
        );
        assert_eq!(calendar_date("2023-02-29"), None);
        assert_eq!(calendar_date("July 24, 2015"), None);
        assert_eq!(calendar_date("2015-07-245"), None);
    }

    #[test]
    fn bylines_become_names_or_nothing() {
        assert_eq!(
            author_name("By Jane Doe", Some("News")).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(author_name("BBC News", Some("BBC News")), None);
        assert_eq!(author_name("https://facebook.com/x", None), None);
        assert!(!looks_like_a_name("by Lucas Nolan22 Dec 2016651"));
        assert!(looks_like_a_name("Bruno (Henrique Zecchin) Rodrigues"));
    }

    #[test]
    fn the_address_a_browser_saved_from_is_read() {
        let page =
            "<!DOCTYPE html>\n<!-- saved from url=(0032)https://news.example/a/b.html -->\n<html>";
        assert_eq!(
            saved_from(page).map(|u| u.to_string()).as_deref(),
            Some("https://news.example/a/b.html")
        );
    }

    #[test]
    fn extra_metadata_is_read_from_the_document() {
        let doc = Document::from(
            "<html><head><link rel=canonical href='https://a.example/story'>\
             <meta name=application-name content='A News'></head>\
             <body><article><time datetime='2020-02-03T10:00:00Z'>3 Feb</time></article></body></html>",
        );
        let meta = combine(
            Found {
                title: "Story - A News".into(),
                ..Found::default()
            },
            read_extra(&doc, ""),
            None,
        );
        assert_eq!(meta.title.as_deref(), Some("Story"));
        assert_eq!(meta.site_name.as_deref(), Some("A News"));
        assert_eq!(
            meta.date,
            Some(("2020-02-03".into(), "a <time datetime> element"))
        );
        assert_eq!(
            meta.url.map(|u| u.to_string()).as_deref(),
            Some("https://a.example/story")
        );
    }
}

//! Web addresses in an imported page: resolving a link against the page's address (RFC 3986,
//! section 5.2), telling web addresses from everything else, and naming a site by its host.
//!
//! Small on purpose: brief only needs to turn `../a.html` into `https://site/a.html` and to
//! keep `javascript:` and friends out of the Markdown it writes, which does not justify the
//! `url` crate and its Unicode tables. It does no I/O and never fetches anything.

/// An absolute `http` or `https` address, split where resolution needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    /// `https:`
    scheme: String,
    /// `//host:port`
    authority: String,
    /// `/a/b.html` (never empty)
    path: String,
    /// `?q` or empty
    query: String,
}

impl WebUrl {
    /// Parses an absolute `http(s)://host...` address; anything else is `None`.
    pub fn parse(s: &str) -> Option<WebUrl> {
        let s = s.trim();
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let colon = s.find(':')?;
        let scheme = s[..colon].to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let rest = s[colon + 1..].strip_prefix("//")?;
        let rest = rest.split('#').next().unwrap_or_default();
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..auth_end];
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return None;
        }
        let (path, query) = split_query(&rest[auth_end..]);
        Some(WebUrl {
            scheme: format!("{scheme}:"),
            authority: format!("//{authority}"),
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            query: query.into(),
        })
    }

    /// The host, lower-case, without `www.`, user or port: `bbc.co.uk`.
    pub fn site_host(&self) -> String {
        let auth = &self.authority[2..];
        let host = auth.rsplit('@').next().unwrap_or_default();
        let host = match host.rfind(':') {
            Some(i) if !host.ends_with(']') => &host[..i],
            _ => host,
        };
        let host = host.to_ascii_lowercase();
        host.strip_prefix("www.")
            .map(str::to_string)
            .unwrap_or(host)
    }

    /// `reference` resolved against this address; `None` unless the result is a web address
    /// (`mailto:` is kept as it is). A reference that is only a `#fragment` points into the
    /// original page, not into the briefing, so it resolves to nothing.
    pub fn join(&self, reference: &str) -> Option<String> {
        let r = reference.trim();
        if r.is_empty() || r.starts_with('#') {
            return None;
        }
        if let Some(scheme) = scheme_of(r) {
            return match scheme.as_str() {
                "http" | "https" => WebUrl::parse(r).map(|_| r.to_string()),
                "mailto" => Some(r.to_string()),
                _ => None,
            };
        }
        if r.chars().any(char::is_control) {
            return None;
        }
        let (r, fragment) = match r.find('#') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        };
        let joined = if let Some(net) = r.strip_prefix("//") {
            format!("{}//{net}", self.scheme)
        } else {
            let (rpath, rquery) = split_query(r);
            let (path, query) = if rpath.is_empty() {
                let q = if rquery.is_empty() {
                    &self.query
                } else {
                    rquery
                };
                (self.path.clone(), q.to_string())
            } else if rpath.starts_with('/') {
                (remove_dot_segments(rpath), rquery.to_string())
            } else {
                let base_dir = &self.path[..self.path.rfind('/').map_or(0, |i| i + 1)];
                (
                    remove_dot_segments(&format!("{base_dir}{rpath}")),
                    rquery.to_string(),
                )
            };
            format!("{}{}{path}{query}", self.scheme, self.authority)
        };
        WebUrl::parse(&joined).map(|_| format!("{joined}{fragment}"))
    }
}

impl std::fmt::Display for WebUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}{}",
            self.scheme, self.authority, self.path, self.query
        )
    }
}

/// The scheme of an absolute reference (`javascript`, `http`, ...), lower-case.
pub fn scheme_of(r: &str) -> Option<String> {
    let colon = r.find(':')?;
    let scheme = &r[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

fn split_query(s: &str) -> (&str, &str) {
    match s.find('?') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// RFC 3986, 5.2.4: `/a/b/../c/./d` is `/a/c/d`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_as_rfc_3986_says() {
        // The examples of RFC 3986, 5.4.1, that apply to web addresses.
        let base = WebUrl::parse("http://a/b/c/d;p?q").unwrap();
        for (r, want) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("", "-"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            ("g/../h", "http://a/b/c/h"),
        ] {
            assert_eq!(base.join(r).as_deref().unwrap_or("-"), want, "{r}");
        }
    }

    #[test]
    fn only_web_and_mail_addresses_come_out() {
        let base = WebUrl::parse("https://news.example/world/story.html").unwrap();
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
            "#comments",
            "http://",
            "https://exa mple.org/",
        ] {
            assert_eq!(base.join(bad), None, "{bad}");
        }
        assert_eq!(
            base.join("mailto:desk@news.example").as_deref(),
            Some("mailto:desk@news.example")
        );
        assert_eq!(
            base.join("HTTPS://Other.example/x").as_deref(),
            Some("HTTPS://Other.example/x")
        );
    }

    #[test]
    fn hosts_name_sites() {
        let u = WebUrl::parse("https://user@WWW.BBC.co.uk:443/news").unwrap();
        assert_eq!(u.site_host(), "bbc.co.uk");
        assert_eq!(WebUrl::parse("ftp://x/"), None);
        assert_eq!(
            WebUrl::parse("https://a.example").unwrap().to_string(),
            "https://a.example/"
        );
    }
}

//! Container image references as Karmada's `imageparser` reads them.
//!
//! An image is `[hostname/]repository[:tag][@digest]`. The reference must satisfy the
//! distribution reference grammar (lowercase repository path, tag `[\w][\w.-]{0,127}`, digest
//! `algorithm:hex` with a supported, well-formed algorithm), but nothing is normalised: there is
//! no `docker.io/library/` prefix and no default tag.
//!
//! Karmada splits the name at its first `/` and takes the part before it as the hostname only
//! when it contains `.` or `:` or is `localhost`; otherwise the whole name is the repository.
//! When both a tag and a digest are present only the tag is kept, so printing the parsed image
//! drops the digest.

use std::fmt;

/// Longest name (hostname and repository) a reference may have.
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Why an image reference does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageParseError {
    /// The reference is the empty string.
    #[error("repository name must have at least one component")]
    NameEmpty,
    /// The reference would be valid in lowercase.
    #[error("repository name must be lowercase")]
    NameContainsUppercase,
    /// The reference does not follow the grammar.
    #[error("invalid reference format")]
    InvalidFormat,
    /// Hostname and repository together are longer than 255 characters.
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    /// The digest is malformed for its algorithm.
    #[error("invalid checksum digest format")]
    DigestInvalidFormat,
    /// The digest's hex part has the wrong length for its algorithm.
    #[error("invalid checksum digest length")]
    DigestInvalidLength,
    /// The digest algorithm is not one of sha256, sha384, sha512.
    #[error("unsupported digest algorithm")]
    DigestUnsupported,
}

/// The components of an image reference.
///
/// ```
/// use fedplan::overrides::ImageReference;
///
/// let mut image = ImageReference::parse("registry.example:5000/team/app:v1").unwrap();
/// assert_eq!(image.hostname(), "registry.example:5000");
/// assert_eq!(image.repository(), "team/app");
/// image.set_tag_or_digest("v2");
/// assert_eq!(image.to_string(), "registry.example:5000/team/app:v2");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageReference {
    hostname: String,
    repository: String,
    tag: String,
    digest: String,
}

impl ImageReference {
    /// Parses an image reference the way Karmada's `imageparser.Parse` does.
    pub fn parse(image: &str) -> Result<Self, ImageParseError> {
        let Some(parts) = split_reference(image) else {
            if image.is_empty() {
                return Err(ImageParseError::NameEmpty);
            }
            if split_reference(&image.to_lowercase()).is_some() {
                return Err(ImageParseError::NameContainsUppercase);
            }
            return Err(ImageParseError::InvalidFormat);
        };
        if parts.name.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ImageParseError::NameTooLong);
        }
        if let Some(digest) = parts.digest {
            validate_digest(digest)?;
        }
        let (hostname, repository) = split_hostname(parts.name);
        let mut reference = ImageReference {
            hostname: hostname.to_owned(),
            repository: repository.to_owned(),
            ..ImageReference::default()
        };
        match (parts.tag, parts.digest) {
            (Some(tag), _) => reference.tag = tag.to_owned(),
            (None, Some(digest)) => reference.digest = digest.to_owned(),
            (None, None) => {}
        }
        Ok(reference)
    }

    /// The registry host (with port), or empty.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// Sets the registry host; any string is accepted.
    pub fn set_hostname(&mut self, hostname: impl Into<String>) {
        self.hostname = hostname.into();
    }

    /// Clears the registry host.
    pub fn remove_hostname(&mut self) {
        self.hostname.clear();
    }

    /// The repository path without the hostname.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// Sets the repository path; any string is accepted.
    pub fn set_repository(&mut self, repository: impl Into<String>) {
        self.repository = repository.into();
    }

    /// Clears the repository path.
    pub fn remove_repository(&mut self) {
        self.repository.clear();
    }

    /// The tag, or empty.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Sets the tag as given, leaving the digest alone.
    pub fn set_tag(&mut self, tag: impl Into<String>) {
        self.tag = tag.into();
    }

    /// Clears the tag.
    pub fn remove_tag(&mut self) {
        self.tag.clear();
    }

    /// Sets the digest as given, leaving the tag alone.
    pub fn set_digest(&mut self, digest: impl Into<String>) {
        self.digest = digest.into();
    }

    /// Clears the digest.
    pub fn remove_digest(&mut self) {
        self.digest.clear();
    }

    /// The digest (`algorithm:hex`), or empty.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The tag if there is one, else the digest.
    pub fn tag_or_digest(&self) -> &str {
        if self.tag.is_empty() {
            &self.digest
        } else {
            &self.tag
        }
    }

    /// Sets the tag when `input` is a valid tag (clearing the digest), else the digest when it
    /// is a syntactically valid digest (clearing the tag); anything else is silently ignored.
    pub fn set_tag_or_digest(&mut self, input: &str) {
        if is_tag(input) {
            self.tag = input.to_owned();
            self.digest.clear();
        } else if is_digest_syntax(input) {
            self.digest = input.to_owned();
            self.tag.clear();
        }
    }

    /// Removes the tag if there is one, else the digest.
    pub fn remove_tag_or_digest(&mut self) {
        if self.tag.is_empty() {
            self.digest.clear();
        } else {
            self.tag.clear();
        }
    }

    /// `hostname/repository`, or just the repository without a hostname.
    pub fn full_repository(&self) -> String {
        if self.hostname.is_empty() {
            self.repository.clone()
        } else {
            format!("{}/{}", self.hostname, self.repository)
        }
    }
}

impl ImageReference {
    /// Replaces `out` with the printed reference (as [`Display`](fmt::Display) writes it),
    /// reusing its buffer.
    pub(crate) fn write_into(&self, out: &mut String) {
        out.clear();
        out.reserve(self.hostname.len() + self.repository.len() + self.tag_or_digest().len() + 2);
        if !self.hostname.is_empty() {
            out.push_str(&self.hostname);
            out.push('/');
        }
        out.push_str(&self.repository);
        if !self.tag.is_empty() {
            out.push(':');
            out.push_str(&self.tag);
        } else if !self.digest.is_empty() {
            out.push('@');
            out.push_str(&self.digest);
        }
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_into(&mut text);
        f.write_str(&text)
    }
}

/// Splits a repository name into hostname and the rest: the first path segment is the hostname
/// only if it contains `.` or `:` or is `localhost`.
///
/// ```
/// use fedplan::overrides::split_hostname;
///
/// assert_eq!(split_hostname("10.0.0.1:5000/app"), ("10.0.0.1:5000", "app"));
/// assert_eq!(split_hostname("team/app"), ("", "team/app"));
/// ```
pub fn split_hostname(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("", name),
    }
}

/// The syntactic parts of a reference that matched the grammar.
struct ReferenceParts<'a> {
    name: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// Matches `name[:tag][@digest]` against the distribution reference grammar.
fn split_reference(reference: &str) -> Option<ReferenceParts<'_>> {
    let (name_and_tag, digest) = match reference.split_once('@') {
        Some((head, digest)) => (head, Some(digest)),
        None => (reference, None),
    };
    // A name holds ':' only in its hostname, before the first '/', and a tag holds no '/', so
    // the tag separator is the last ':' with no '/' after it.
    let (name, tag) = match name_and_tag.rfind(':') {
        Some(i) if !name_and_tag[i..].contains('/') => {
            (&name_and_tag[..i], Some(&name_and_tag[i + 1..]))
        }
        _ => (name_and_tag, None),
    };
    let valid = is_name(name) && tag.is_none_or(is_tag) && digest.is_none_or(is_digest_syntax);
    valid.then_some(ReferenceParts { name, tag, digest })
}

/// `[domain/]remote-name`.
fn is_name(name: &str) -> bool {
    if is_remote_name(name) {
        return true;
    }
    match name.split_once('/') {
        Some((domain, rest)) => is_domain_and_port(domain) && is_remote_name(rest),
        None => false,
    }
}

/// `path-component ('/' path-component)*`.
fn is_remote_name(name: &str) -> bool {
    name.split('/').all(is_path_component)
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `.`, `_`, `__` or `-+`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len() && alnum(bytes[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        let Some(&separator) = bytes.get(i) else {
            return true;
        };
        match separator {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if bytes.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while bytes.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `host [':' port]` where host is a domain name or a bracketed IPv6 address.
fn is_domain_and_port(domain: &str) -> bool {
    let (host, port) = if domain.starts_with('[') {
        let Some(close) = domain.find(']') else {
            return false;
        };
        let (host, rest) = domain.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        match rest.strip_prefix(':') {
            Some(port) => (None, Some(port)),
            None if rest.is_empty() => (None, None),
            None => return false,
        }
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(domain), None),
        }
    };
    if let Some(host) = host {
        if !host.split('.').all(is_domain_component) {
            return false;
        }
    }
    port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `[\w][\w.-]{0,127}`.
pub(crate) fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    match bytes.split_first() {
        Some((first, rest)) => {
            rest.len() <= 127
                && word(first)
                && rest.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
        }
        None => false,
    }
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`.
pub(crate) fn is_digest_syntax(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|component| {
        let bytes = component.as_bytes();
        matches!(bytes.split_first(), Some((first, rest))
            if first.is_ascii_alphabetic() && rest.iter().all(u8::is_ascii_alphanumeric))
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The digest check of the OCI digest library for the algorithms Karmada links in.
fn validate_digest(digest: &str) -> Result<(), ImageParseError> {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return Err(ImageParseError::DigestInvalidFormat);
    };
    if algorithm.is_empty() || encoded.is_empty() {
        return Err(ImageParseError::DigestInvalidFormat);
    }
    let hex_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ImageParseError::DigestUnsupported),
    };
    if encoded.len() != hex_len {
        return Err(ImageParseError::DigestInvalidLength);
    }
    if encoded
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ImageParseError::DigestInvalidFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c";

    #[test]
    fn parse_table() {
        let with_digest = format!("registry.io/app@{SHA}");
        let with_tag_and_digest = format!("registry.io/app:v1@{SHA}");
        type Parts<'a> = (&'a str, &'a str, &'a str, &'a str);
        let cases: Vec<(&str, Result<Parts<'_>, ImageParseError>)> = vec![
            ("nginx", Ok(("", "nginx", "", ""))),
            ("nginx:1.25", Ok(("", "nginx", "1.25", ""))),
            ("localhost/app", Ok(("localhost", "app", "", ""))),
            ("localhost:5000", Ok(("", "localhost", "5000", ""))),
            (
                "localhost:5000/app:v1",
                Ok(("localhost:5000", "app", "v1", "")),
            ),
            (
                "docker.io/library/nginx",
                Ok(("docker.io", "library/nginx", "", "")),
            ),
            ("team/app", Ok(("", "team/app", "", ""))),
            ("MyReg/app", Ok(("", "MyReg/app", "", ""))),
            ("[::1]:5000/app", Ok(("[::1]:5000", "app", "", ""))),
            ("a__b/c--d/e.f_g", Ok(("", "a__b/c--d/e.f_g", "", ""))),
            (&with_digest, Ok(("registry.io", "app", "", SHA))),
            (&with_tag_and_digest, Ok(("registry.io", "app", "v1", ""))),
            ("", Err(ImageParseError::NameEmpty)),
            ("Nginx", Err(ImageParseError::NameContainsUppercase)),
            ("nginx:", Err(ImageParseError::InvalidFormat)),
            ("a___b", Err(ImageParseError::InvalidFormat)),
            ("a._b", Err(ImageParseError::InvalidFormat)),
            ("-a", Err(ImageParseError::InvalidFormat)),
            ("app:-tag", Err(ImageParseError::InvalidFormat)),
            ("a:b:c", Err(ImageParseError::InvalidFormat)),
            ("host:port/app", Err(ImageParseError::InvalidFormat)),
            ("app@sha256:abc", Err(ImageParseError::InvalidFormat)),
            (
                "app@md5:0123456789abcdef0123456789abcdef",
                Err(ImageParseError::DigestUnsupported),
            ),
            (
                "app@sha256:0123456789abcdef0123456789abcdef",
                Err(ImageParseError::DigestInvalidLength),
            ),
            (
                "app@sha256:50D858E0985ECC7F60418AAF0CC5AB587F42C2570A884095A9E8CCACD0F6545C",
                Err(ImageParseError::DigestInvalidFormat),
            ),
        ];
        for (input, expected) in cases {
            let got = ImageReference::parse(input).map(|r| {
                (
                    r.hostname.clone(),
                    r.repository.clone(),
                    r.tag.clone(),
                    r.digest.clone(),
                )
            });
            let expected = expected
                .map(|(h, r, t, d)| (h.to_owned(), r.to_owned(), t.to_owned(), d.to_owned()));
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn name_too_long() {
        let long = "a".repeat(256);
        assert_eq!(
            ImageReference::parse(&long),
            Err(ImageParseError::NameTooLong)
        );
        assert!(ImageReference::parse(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn tag_and_digest_syntax_table() {
        let sha384 = format!("sha384:{}", "0123456789abcdef".repeat(6));
        let sha256 = format!("sha256:{}", "0123456789abcdef".repeat(4));
        // (input, is a tag, has digest syntax)
        let cases: Vec<(&str, bool, bool)> = vec![
            ("latest", true, false),
            ("v1.0.0", true, false),
            ("v1.0.0-alpha", true, false),
            ("my-tag", true, false),
            ("_x", true, false),
            ("-x", false, false),
            (".x", false, false),
            (" v1.0.0 ", false, false),
            ("", false, false),
            (&sha256, false, true),
            (&sha384, false, true),
            ("sha256:0123456789abcdef0123456789abcde", false, false),
            ("md5:0123456789abcdef0123456789abcdef", false, true),
            ("sha256+b64:0123456789ABCDEF0123456789abcdef", false, true),
            ("sha256-:0123456789abcdef0123456789abcdef", false, false),
            ("1sha:0123456789abcdef0123456789abcdef", false, false),
            (
                "v1.0.0sha256:0123456789abcdef0123456789abcdef",
                false,
                false,
            ),
        ];
        for (input, tag, digest) in cases {
            assert_eq!(is_tag(input), tag, "tag {input:?}");
            assert_eq!(is_digest_syntax(input), digest, "digest {input:?}");
        }
        // Parsing validates the digest further than its syntax: the algorithm must be one
        // Karmada links in and the length must fit it.
        let parsed = ImageReference::parse(&format!("app@{sha384}")).unwrap();
        assert_eq!(parsed.digest(), sha384);
        assert_eq!(
            ImageReference::parse("app@md5:0123456789abcdef0123456789abcdef"),
            Err(ImageParseError::DigestUnsupported)
        );
        // Setting a tag-or-digest only checks the syntax, as Karmada's regular expressions do.
        let mut image = ImageReference::parse("app:v1").unwrap();
        image.set_tag_or_digest("md5:0123456789abcdef0123456789abcdef");
        assert_eq!(
            image.to_string(),
            "app@md5:0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn tag_or_digest_classification() {
        let mut image = ImageReference::parse("app:v1").unwrap();
        image.set_tag_or_digest("not a tag");
        assert_eq!(image.to_string(), "app:v1");
        image.set_tag_or_digest(SHA);
        assert_eq!(image.to_string(), format!("app@{SHA}"));
        image.set_tag_or_digest("v2");
        assert_eq!(image.to_string(), "app:v2");
        image.remove_tag_or_digest();
        assert_eq!(image.to_string(), "app");
        assert!(is_tag(&"a".repeat(128)));
        assert!(!is_tag(&"a".repeat(129)));
    }
}

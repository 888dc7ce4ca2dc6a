//! Which namespaces the detector ignores: Karmada's reserved namespaces and the
//! `--skipped-propagating-namespaces` patterns (default `kube-.*`).
//!
//! Karmada compiles each skipped pattern as the Go regular expression `^<pattern>$`, so a
//! pattern must match the whole namespace. [`NamespacePattern`] implements the subset of
//! that syntax namespace patterns use: literals, `.`, escapes (`\.`), bracket classes
//! (`[a-z0-9]`, `[^-]`), the quantifiers `*`, `+`, `?`, groups `( … )` and alternation `|`.
//! Anything else (counted repetition `{n}`, Perl classes `\d`, flags) is rejected with a
//! typed error rather than matched differently from Go.

use std::fmt;

/// Karmada's control-plane namespace.
pub const NAMESPACE_KARMADA_SYSTEM: &str = "karmada-system";
/// Namespace holding the Cluster objects' secrets.
pub const NAMESPACE_KARMADA_CLUSTER: &str = "karmada-cluster";
/// Prefix of the per-cluster execution namespaces (`karmada-es-<cluster>`).
pub const EXECUTION_SPACE_PREFIX: &str = "karmada-es-";
/// Default of `--skipped-propagating-namespaces`.
pub const DEFAULT_SKIPPED_NAMESPACE_PATTERN: &str = "kube-.*";

/// Whether `namespace` is reserved by Karmada (`karmada-system`, `karmada-cluster`,
/// `karmada-es-*`); templates there are never propagated.
pub fn is_reserved_namespace(namespace: &str) -> bool {
    namespace == NAMESPACE_KARMADA_SYSTEM
        || namespace == NAMESPACE_KARMADA_CLUSTER
        || namespace.starts_with(EXECUTION_SPACE_PREFIX)
}

/// A skipped-namespace pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("skipped-propagating-namespaces pattern {pattern:?} at byte {position}: {message}")]
pub struct NamespacePatternError {
    /// The pattern as given.
    pub pattern: String,
    /// Byte offset of the problem.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Char(char),
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    One,
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    atom: Atom,
    repeat: Repeat,
}

/// A compiled skipped-namespace pattern, matched against the whole namespace.
#[derive(Clone, PartialEq, Eq)]
pub struct NamespacePattern {
    source: String,
    program: Vec<State>,
    start: usize,
}

/// One state of the pattern's automaton (Thompson construction): matching simulates all
/// states at once, so time is linear in the namespace length whatever the pattern (as Go's
/// RE2 guarantees), with no backtracking blow-up on patterns like `(a*)*b`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Consume one character satisfying the atom (never a group), then go to `next`.
    Consume(Atom, usize),
    /// Go to both states without consuming.
    Split(usize, usize),
    /// The whole pattern matched.
    Match,
}

fn compile_alternatives(program: &mut Vec<State>, alts: &[Vec<Piece>], next: usize) -> usize {
    match alts.split_first() {
        None => next,
        Some((first, [])) => compile_sequence(program, first, next),
        Some((first, rest)) => {
            let a = compile_sequence(program, first, next);
            let b = compile_alternatives(program, rest, next);
            program.push(State::Split(a, b));
            program.len() - 1
        }
    }
}

fn compile_sequence(program: &mut Vec<State>, pieces: &[Piece], next: usize) -> usize {
    pieces
        .iter()
        .rev()
        .fold(next, |next, piece| compile_piece(program, piece, next))
}

fn compile_atom(program: &mut Vec<State>, atom: &Atom, next: usize) -> usize {
    match atom {
        Atom::Group(alts) => compile_alternatives(program, alts, next),
        other => {
            program.push(State::Consume(other.clone(), next));
            program.len() - 1
        }
    }
}

fn compile_piece(program: &mut Vec<State>, piece: &Piece, next: usize) -> usize {
    match piece.repeat {
        Repeat::One => compile_atom(program, &piece.atom, next),
        Repeat::ZeroOrOne => {
            let body = compile_atom(program, &piece.atom, next);
            program.push(State::Split(body, next));
            program.len() - 1
        }
        Repeat::ZeroOrMore | Repeat::OneOrMore => {
            // The loop state is patched once its body exists.
            program.push(State::Match);
            let looped = program.len() - 1;
            let body = compile_atom(program, &piece.atom, looped);
            if let Some(state) = program.get_mut(looped) {
                *state = State::Split(body, next);
            }
            if piece.repeat == Repeat::ZeroOrMore {
                looped
            } else {
                body
            }
        }
    }
}

impl fmt::Debug for NamespacePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NamespacePattern({:?})", self.source)
    }
}

impl fmt::Display for NamespacePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct Parser<'a> {
    pattern: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> NamespacePatternError {
        NamespacePatternError {
            pattern: self.pattern.to_string(),
            position: self
                .chars
                .get(self.pos)
                .map_or(self.pattern.len(), |(i, _)| *i),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn alternatives(&mut self, depth: usize) -> Result<Vec<Vec<Piece>>, NamespacePatternError> {
        let mut alts = vec![self.sequence(depth)?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence(depth)?);
        }
        Ok(alts)
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Piece>, NamespacePatternError> {
        let mut pieces = Vec::new();
        while let Some(c) = self.peek() {
            let atom = match c {
                '|' => break,
                ')' if depth > 0 => break,
                ')' => return Err(self.err("unmatched ')'")),
                '(' => {
                    self.pos += 1;
                    if self.peek() == Some('?') {
                        return Err(
                            self.err("group flags and non-capturing groups are not supported")
                        );
                    }
                    let alts = self.alternatives(depth + 1)?;
                    if self.next() != Some(')') {
                        return Err(self.err("missing ')'"));
                    }
                    Atom::Group(alts)
                }
                '.' => {
                    self.pos += 1;
                    Atom::Any
                }
                '[' => {
                    self.pos += 1;
                    self.class()?
                }
                '\\' => {
                    self.pos += 1;
                    match self.next() {
                        Some(e) if e.is_ascii_punctuation() => Atom::Char(e),
                        Some(_) => return Err(self.err("only escaped punctuation is supported")),
                        None => return Err(self.err("trailing '\\'")),
                    }
                }
                '*' | '+' | '?' => return Err(self.err("missing argument to repetition operator")),
                '{' | '}' => return Err(self.err("counted repetition is not supported")),
                '^' | '$' => return Err(self.err("anchors are only supported at the ends")),
                other => {
                    self.pos += 1;
                    Atom::Char(other)
                }
            };
            let repeat = match self.peek() {
                Some('*') => Repeat::ZeroOrMore,
                Some('+') => Repeat::OneOrMore,
                Some('?') => Repeat::ZeroOrOne,
                _ => Repeat::One,
            };
            if repeat != Repeat::One {
                self.pos += 1;
                if matches!(self.peek(), Some('*' | '+' | '?')) {
                    return Err(self.err("lazy or nested repetition is not supported"));
                }
            }
            pieces.push(Piece { atom, repeat });
        }
        Ok(pieces)
    }

    fn class(&mut self) -> Result<Atom, NamespacePatternError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = match self.next() {
                None => return Err(self.err("missing ']'")),
                Some(']') if !first => break,
                Some('\\') => match self.next() {
                    Some(e) if e.is_ascii_punctuation() => e,
                    _ => return Err(self.err("only escaped punctuation is supported in a class")),
                },
                Some('[') if self.peek() == Some(':') => {
                    return Err(self.err("POSIX classes are not supported"))
                }
                Some(c) => c,
            };
            first = false;
            if self.peek() == Some('-')
                && self.chars.get(self.pos + 1).is_some_and(|(_, c)| *c != ']')
            {
                self.pos += 1;
                let hi = match self.next() {
                    Some('\\') => match self.next() {
                        Some(e) if e.is_ascii_punctuation() => e,
                        _ => {
                            return Err(self.err("only escaped punctuation is supported in a class"))
                        }
                    },
                    Some(h) => h,
                    None => return Err(self.err("missing ']'")),
                };
                if hi < c {
                    return Err(self.err("invalid character class range"));
                }
                ranges.push((c, hi));
            } else {
                ranges.push((c, c));
            }
        }
        Ok(Atom::Class { negated, ranges })
    }
}

impl NamespacePattern {
    /// Compiles `pattern` (anchored at both ends, as Karmada anchors it).
    pub fn new(pattern: &str) -> Result<Self, NamespacePatternError> {
        // Karmada wraps the pattern in `^…$`; explicit anchors at the ends are redundant.
        let body = pattern.strip_prefix('^').unwrap_or(pattern);
        let body = match body.strip_suffix('$') {
            Some(b) if !b.ends_with('\\') => b,
            _ => body,
        };
        let offset = pattern.len() - pattern.strip_prefix('^').unwrap_or(pattern).len();
        let mut parser = Parser {
            pattern,
            chars: body.char_indices().map(|(i, c)| (i + offset, c)).collect(),
            pos: 0,
        };
        let alternatives = parser.alternatives(0)?;
        if parser.pos != parser.chars.len() {
            return Err(parser.err("unexpected character"));
        }
        let mut program = vec![State::Match];
        let start = compile_alternatives(&mut program, &alternatives, 0);
        Ok(NamespacePattern {
            source: pattern.to_string(),
            program,
            start,
        })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `namespace` matches the pattern.
    pub fn is_match(&self, namespace: &str) -> bool {
        let n = self.program.len();
        let mut current: Vec<usize> = Vec::with_capacity(n);
        let mut next: Vec<usize> = Vec::with_capacity(n);
        let mut seen = vec![usize::MAX; n];
        let mut step = 0;
        self.add_state(&mut current, &mut seen, step, self.start);
        for c in namespace.chars() {
            step += 1;
            next.clear();
            for &s in &current {
                if let Some(State::Consume(atom, to)) = self.program.get(s) {
                    if atom_matches_char(atom, c) {
                        self.add_state(&mut next, &mut seen, step, *to);
                    }
                }
            }
            std::mem::swap(&mut current, &mut next);
            if current.is_empty() {
                return false;
            }
        }
        current
            .iter()
            .any(|s| matches!(self.program.get(*s), Some(State::Match)))
    }

    /// Adds `state` and every state reachable from it without consuming a character.
    fn add_state(&self, set: &mut Vec<usize>, seen: &mut [usize], step: usize, state: usize) {
        let mut stack = vec![state];
        while let Some(s) = stack.pop() {
            match seen.get_mut(s) {
                Some(mark) if *mark != step => *mark = step,
                _ => continue,
            }
            match self.program.get(s) {
                Some(State::Split(a, b)) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Some(_) => set.push(s),
                None => {}
            }
        }
    }
}

fn atom_matches_char(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Char(x) => *x == c,
        // Go's `.` does not match a newline by default.
        Atom::Any => c != '\n',
        Atom::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
        Atom::Group(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved() {
        for (ns, want) in [
            ("karmada-system", true),
            ("karmada-cluster", true),
            ("karmada-es-member1", true),
            ("karmada-es-", true),
            ("karmada", false),
            ("default", false),
            ("", false),
            ("kube-system", false),
        ] {
            assert_eq!(is_reserved_namespace(ns), want, "{ns}");
        }
    }

    #[test]
    fn patterns_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("kube-.*", "kube-system", true),
            ("kube-.*", "kube-", true),
            ("kube-.*", "kube", false),
            ("kube-.*", "my-kube-system", false),
            ("kube-.*", "kube-system-x", true),
            ("default", "default", true),
            ("default", "default2", false),
            ("^default$", "default", true),
            ("team-[a-c]", "team-b", true),
            ("team-[a-c]", "team-d", false),
            ("team-[^a-c]+", "team-xyz", true),
            ("team-[^a-c]+", "team-xaz", false),
            ("a|b", "b", true),
            ("a|b", "ab", false),
            ("(dev|test)-.+", "test-1", true),
            ("(dev|test)-.+", "prod-1", false),
            ("(dev|test)-.+", "dev-", false),
            ("x\\.y", "x.y", true),
            ("x\\.y", "xzy", false),
            ("ab?c", "ac", true),
            ("ab?c", "abbc", false),
            ("a+", "", false),
            ("(a*)*b", "aaab", true),
            ("[-a]", "-", true),
            ("[a-]", "-", true),
            ("(a*)*b", &format!("{}c", "a".repeat(60)), false),
            ("(a|aa)*", &"a".repeat(63), true),
            ("ü.*", "üx", true),
            (".*", "", true),
        ];
        for (p, ns, want) in cases {
            let pat = NamespacePattern::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(pat.is_match(ns), *want, "{p} vs {ns}");
        }
    }

    #[test]
    fn unsupported_patterns_are_errors() {
        for p in [
            "a{2}", "(?i)kube", "\\d+", "*a", "(a", "a)", "[a", "[z-a]", "a**", "a^b",
        ] {
            assert!(NamespacePattern::new(p).is_err(), "{p}");
        }
    }
}

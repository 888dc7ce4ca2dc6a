//! Parsing one input's text into documents: multi-document YAML, and JSON (one value, an
//! array, or values one after another).

use serde_json::Value;

/// The syntax of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON: one value, an array, or several values one after another.
    Json,
    /// YAML, possibly with several `---`-separated documents.
    Yaml,
}

impl Format {
    /// The format of a file named `name`: by extension, else by its first character.
    pub(crate) fn detect(name: &str, text: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if looks_like_json(text) {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Whether `text` starts (after white space) with `{` or `[`.
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// One parsed document, before lists are flattened.
#[derive(Debug)]
pub(crate) struct ParsedDocument {
    /// 1-based position among the input's documents with content.
    pub(crate) document: usize,
    /// 1-based line where the document starts.
    pub(crate) line: usize,
    /// The document as JSON.
    pub(crate) value: Value,
}

/// A document that could not be parsed.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    /// 1-based position among the input's documents with content.
    pub(crate) document: usize,
    /// 1-based line of the error in the input, when known.
    pub(crate) line: Option<usize>,
    /// 1-based column of the error, when known.
    pub(crate) column: Option<usize>,
    /// The parser's message, with line numbers counted from the input's start.
    pub(crate) message: String,
}

/// Parses JSON text: every value in it is a document. Parsing stops at the first syntax error
/// (JSON has no document separator to resume at); the documents before it are kept.
pub(crate) fn parse_json(text: &str) -> (Vec<ParsedDocument>, Vec<SyntaxError>) {
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut document = 0;
    // Lines are counted incrementally: documents follow each other, so each newline is
    // counted once.
    let mut counted_to = 0;
    let mut line = 1;
    let mut line_at = |offset: usize| {
        let end = offset.clamp(counted_to, text.len());
        line += text
            .as_bytes()
            .get(counted_to..end)
            .map(|span| span.iter().filter(|b| **b == b'\n').count())
            .unwrap_or(0);
        counted_to = end;
        line
    };
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                document += 1;
                let skipped = text
                    .get(offset..)
                    .map(|rest| rest.len() - rest.trim_start().len())
                    .unwrap_or(0);
                documents.push(ParsedDocument {
                    document,
                    line: line_at(offset + skipped),
                    value,
                });
            }
            Some(Err(error)) => {
                document += 1;
                errors.push(SyntaxError {
                    document,
                    line: Some(error.line()).filter(|l| *l > 0),
                    column: Some(error.column()).filter(|c| *c > 0),
                    message: error.to_string(),
                });
                break;
            }
        }
    }
    (documents, errors)
}

/// One YAML document's text and where it starts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct YamlChunk<'a> {
    pub(crate) text: &'a str,
    /// 1-based line of the chunk's first character in the input.
    pub(crate) first_line: usize,
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .map(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
        .unwrap_or(false)
}

fn has_content(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// Splits a YAML stream into its documents with content, so that a syntax error in one
/// document does not hide the others. A line starting with `---` or `...` cannot occur inside
/// YAML content (the specification forbids it), so splitting at them is exact. Documents
/// holding only blank lines and comments are dropped.
pub(crate) fn split_yaml(text: &str) -> Vec<YamlChunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut content = false;
    let mut directives = false;
    let mut after_marker = false;
    let mut line_start = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let next_start = line_start + line.len();
        if is_marker(line, "---") {
            if directives && !content && !after_marker {
                // `%YAML`/`%TAG` directives belong to the document this marker starts.
                after_marker = true;
                content = has_content(&line[3..]);
            } else {
                if content {
                    chunks.push(YamlChunk {
                        text: &text[start..line_start],
                        first_line: start_line,
                    });
                }
                start = line_start + 3;
                start_line = line_no;
                content = has_content(&line[3..]);
                directives = false;
                after_marker = true;
            }
        } else if is_marker(line, "...") {
            if content {
                chunks.push(YamlChunk {
                    text: &text[start..line_start],
                    first_line: start_line,
                });
            }
            start = next_start;
            start_line = line_no + 1;
            content = false;
            directives = false;
            after_marker = false;
        } else if line.starts_with('%') && !content && !after_marker {
            directives = true;
        } else if has_content(line) {
            content = true;
        }
        line_start = next_start;
    }
    if content {
        chunks.push(YamlChunk {
            text: &text[start..],
            first_line: start_line,
        });
    }
    chunks
}

#[cfg(feature = "yaml")]
/// Rewrites every `line N` in a parser message to count from the input's start.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    if offset == 0 {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len() + 4);
    let mut rest = message;
    while let Some(pos) = rest.find("line ") {
        let (before, after) = rest.split_at(pos + 5);
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match after[..digits].parse::<usize>() {
            Ok(n) if digits > 0 => out.push_str(&(n + offset).to_string()),
            _ => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Parses YAML text document by document.
#[cfg(feature = "yaml")]
pub(crate) fn parse_yaml(text: &str) -> (Vec<ParsedDocument>, Vec<SyntaxError>) {
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    for (index, chunk) in split_yaml(text).into_iter().enumerate() {
        let document = index + 1;
        let offset = chunk.first_line - 1;
        let parsed =
            serde_yaml_ng::from_str::<serde_yaml_ng::Value>(chunk.text).and_then(|mut v| {
                v.apply_merge()?;
                Ok(v)
            });
        match parsed {
            Ok(yaml) => match yaml_to_json(yaml) {
                Ok(value) => documents.push(ParsedDocument {
                    document,
                    line: chunk.first_line,
                    value,
                }),
                Err(message) => errors.push(SyntaxError {
                    document,
                    line: None,
                    column: None,
                    message,
                }),
            },
            Err(error) => {
                let location = error.location();
                errors.push(SyntaxError {
                    document,
                    line: location.as_ref().map(|l| l.line() + offset),
                    column: location.as_ref().map(|l| l.column()),
                    message: shift_line_numbers(&error.to_string(), offset),
                });
            }
        }
    }
    (documents, errors)
}

/// Converts a YAML value to JSON as Kubernetes does: scalar keys become strings, tags are
/// dropped, and values JSON cannot hold (NaN, infinities, non-scalar keys) are errors.
#[cfg(feature = "yaml")]
fn yaml_to_json(value: serde_yaml_ng::Value) -> Result<Value, String> {
    use serde_yaml_ng::Value as Yaml;
    fn convert(value: Yaml, path: &mut Vec<String>) -> Result<Value, String> {
        Ok(match value {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(b),
            Yaml::Number(n) => number(&n).ok_or_else(|| {
                format!("{}: {n} cannot be represented in JSON", render_path(path))
            })?,
            Yaml::String(s) => Value::String(s),
            Yaml::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    path.push(format!("[{index}]"));
                    out.push(convert(item, path)?);
                    path.pop();
                }
                Value::Array(out)
            }
            Yaml::Mapping(mapping) => {
                let mut out = serde_json::Map::with_capacity(mapping.len());
                for (key, item) in mapping {
                    let key = match key {
                        Yaml::String(s) => s,
                        Yaml::Bool(b) => b.to_string(),
                        Yaml::Number(n) => n.to_string(),
                        Yaml::Null => "null".to_string(),
                        Yaml::Tagged(tagged) => match tagged.value {
                            Yaml::String(s) => s,
                            _ => {
                                return Err(format!(
                                    "{}: mapping keys must be scalars",
                                    render_path(path)
                                ))
                            }
                        },
                        Yaml::Sequence(_) | Yaml::Mapping(_) => {
                            return Err(format!(
                                "{}: mapping keys must be scalars",
                                render_path(path)
                            ))
                        }
                    };
                    path.push(format!(".{key}"));
                    let converted = convert(item, path)?;
                    path.pop();
                    out.insert(key, converted);
                }
                Value::Object(out)
            }
            Yaml::Tagged(tagged) => convert(tagged.value, path)?,
        })
    }
    fn number(n: &serde_yaml_ng::Number) -> Option<Value> {
        if let Some(u) = n.as_u64() {
            Some(Value::from(u))
        } else if let Some(i) = n.as_i64() {
            Some(Value::from(i))
        } else {
            n.as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }
    }
    fn render_path(path: &[String]) -> String {
        let joined: String = path.concat();
        match joined.strip_prefix('.') {
            Some(stripped) => stripped.to_string(),
            None if joined.is_empty() => "document".to_string(),
            None => joined,
        }
    }
    convert(value, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_yaml_cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            ("a: 1\n", &[("a: 1\n", 1)]),
            ("---\na: 1\n", &[("\na: 1\n", 1)]),
            ("a: 1\n---\nb: 2\n", &[("a: 1\n", 1), ("\nb: 2\n", 2)]),
            (
                "# only a comment\n---\n---\n\nb: 2\n---\n",
                &[("\n\nb: 2\n", 3)],
            ),
            ("--- {a: 1}\n", &[(" {a: 1}\n", 1)]),
            ("%YAML 1.2\n---\na: 1\n", &[("%YAML 1.2\n---\na: 1\n", 1)]),
            ("a: 1\n...\n---\nb: 2", &[("a: 1\n", 1), ("\nb: 2", 3)]),
            ("s: |\n  text\n  ---x\n", &[("s: |\n  text\n  ---x\n", 1)]),
            ("----\n", &[("----\n", 1)]),
            (
                "a: 1\r\n---\r\nb: 2\r\n",
                &[("a: 1\r\n", 1), ("\r\nb: 2\r\n", 2)],
            ),
            ("", &[]),
            ("\n# c\n", &[]),
        ];
        for (input, expected) in cases {
            let got: Vec<(&str, usize)> = split_yaml(input)
                .into_iter()
                .map(|c| (c.text, c.first_line))
                .collect();
            assert_eq!(&got, expected, "{input:?}");
        }
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn shifts_line_numbers() {
        assert_eq!(
            shift_line_numbers("bad at line 2 column 3, ctx at line 1 column 1", 10),
            "bad at line 12 column 3, ctx at line 11 column 1"
        );
        assert_eq!(shift_line_numbers("no location", 4), "no location");
        assert_eq!(shift_line_numbers("line x", 4), "line x");
    }

    #[test]
    fn json_stream_keeps_documents_before_an_error() {
        let (docs, errors) = parse_json("{\"a\":1}\n\n{\"b\":2} {\"c\":");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].line, 3);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].document, 3);
        assert_eq!(errors[0].line, Some(3));
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_errors_count_lines_from_the_input_start() {
        let (docs, errors) = parse_yaml("a: 1\n---\nb: [\n---\nc: 3\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].document, 2);
        assert!(errors[0].line.is_some_and(|l| l >= 3), "{:?}", errors[0]);
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_to_json_conversions() {
        let (docs, errors) =
            parse_yaml("1: a\ntrue: b\nbase: &b {x: 1}\nm:\n  <<: *b\n  y: 2\nt: !custom 5\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            docs[0].value,
            serde_json::json!({"1": "a", "true": "b", "base": {"x": 1}, "m": {"x": 1, "y": 2}, "t": 5})
        );
        let (_, errors) = parse_yaml("x: .nan\n");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("x:"), "{}", errors[0].message);
        let (_, errors) = parse_yaml("? [a]\n: 1\n");
        assert_eq!(errors.len(), 1);
    }
}

//! A YAML writer for JSON values, in the style Kubernetes tools print.
//!
//! Every string that a YAML 1.1 reader (Kubernetes' own, through go-yaml) or a YAML 1.2
//! reader could take for anything else (`yes`, `on`, `1.20`, `12:30`, `2026-01-01`, `~`) is
//! quoted, so what fedplan prints reads back as the same JSON in `kubectl` and in fedplan.
//! Multi-line strings (scripts in interpreter customizations) are written as literal blocks.

use serde_json::{Map, Value};

/// `value` as a YAML document, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        // A literal block needs an indentation level to live in, so a document that is
        // one string is always written quoted or plain.
        Value::String(s) => {
            write_string(&mut out, s, 0, false);
            out.push('\n');
        }
        scalar => {
            write_scalar(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// Writes the entries of a non-empty map, each line at `width`.
fn write_map(out: &mut String, map: &Map<String, Value>, width: usize) {
    for (index, (key, value)) in map.iter().enumerate() {
        // The first entry of a map inside a sequence item follows the `- ` already written.
        if index > 0 || !out.ends_with("- ") {
            indent(out, width);
        }
        write_string(out, key, width, false);
        out.push(':');
        write_nested(out, value, width, true);
    }
}

/// Writes the items of a non-empty sequence, each `- ` at `width`.
fn write_seq(out: &mut String, items: &[Value], width: usize) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !out.ends_with("- ") {
            indent(out, width);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, width + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, width + 2),
            scalar => {
                write_scalar(out, scalar, width + 2);
                out.push('\n');
            }
        }
    }
}

/// Writes the value of a map entry whose key (and `:`) is written at `width`.
fn write_nested(out: &mut String, value: &Value, width: usize, _in_map: bool) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, width + 2);
        }
        // Sequences under a key are not indented, as kubectl prints them.
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, width);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, width + 2);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, value: &Value, block_width: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s, block_width, true),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Writes a string plain when that is unambiguous, as a literal block when it spans lines
/// (and `allow_block`), double-quoted otherwise.
fn write_string(out: &mut String, s: &str, block_width: usize, allow_block: bool) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if allow_block && is_block_safe(s) {
        let body = s.trim_end_matches('\n');
        let trailing = s.len() - body.len();
        out.push_str(match trailing {
            0 => "|-",
            1 => "|",
            _ => "|+",
        });
        for line in s
            .split('\n')
            .take(body.split('\n').count() + trailing.saturating_sub(1))
        {
            out.push('\n');
            if !line.is_empty() {
                indent(out, block_width);
                out.push_str(line);
            }
        }
    } else {
        write_quoted(out, s);
    }
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Words YAML 1.1 or 1.2 reads as booleans or null.
const RESERVED: &[&str] = &[
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
];

/// Whether `s` can be written plain and reads back as the same string in YAML 1.1 and 1.2.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // `<<` is YAML's merge key: a reader would merge instead of keeping the key.
    // Document markers and the merge key read as structure, not as text.
    if s.starts_with("---")
        || s.starts_with("...")
        || s == "<<"
        || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
    {
        return false;
    }
    if !s
        .chars()
        .all(|c| (' '..='~').contains(&c) || (!c.is_ascii() && c.is_alphanumeric()))
    {
        return false;
    }
    if s == "<<" || s.starts_with(" ") || s.ends_with(" ") || s.ends_with(":") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if matches!(
        first,
        '?' | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) {
        return false;
    }
    if first == '-' && (s.len() == 1 || s.starts_with("- ") || s.starts_with("---")) {
        return false;
    }
    !looks_numeric(s)
}

/// Whether `s` might be a number, a timestamp or a sexagesimal in some YAML version: it
/// starts like a number, holds a digit, and only characters such scalars use.
fn looks_numeric(s: &str) -> bool {
    let special = [".inf", "-.inf", "+.inf", ".nan"];
    if special.iter().any(|x| x.eq_ignore_ascii_case(s)) {
        return true;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    for (prefix, digits) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return rest.chars().all(|c| c == '_' || c.is_digit(digits));
        }
    }
    let starts_like_number = unsigned
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    starts_like_number
        && unsigned.chars().any(|c| c.is_ascii_digit())
        && unsigned.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '_' | '.' | ':' | '+' | '-' | 'e' | 'E' | 'T' | 't' | 'Z' | 'z' | ' '
                )
        })
}

/// Whether a multi-line string can be a literal block: printable lines without trailing
/// spaces, not starting with a space (which would need an indentation indicator).
fn is_block_safe(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.chars().all(|c| {
            c == '\n'
                || c == '\t'
                || (!c.is_control()
                    && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        })
        && s.split('\n').all(|line| !line.ends_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_matches_kubectl() {
        let value = json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": [{"metadata": {"name": "a", "labels": {}}, "spec": {"args": ["--v=2", "-x"], "n": [[1, 2], []]}}],
            "empty": "",
        });
        assert_eq!(
            to_yaml(&value),
            "apiVersion: v1\nkind: List\nitems:\n- metadata:\n    name: a\n    labels: {}\n  spec:\n    args:\n    - --v=2\n    - -x\n    \"n\":\n    - - 1\n      - 2\n    - []\nempty: \"\"\n"
        );
        assert_eq!(to_yaml(&json!(null)), "null\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        let quoted = [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "true",
            "Null",
            "~",
            "1",
            "1.20",
            "0x1F",
            "1e3",
            "12:30",
            "2026-01-01",
            "2026-01-01T00:00:00Z",
            ".inf",
            "-1",
            "+5",
            "",
            " a",
            "a ",
            "a: b",
            "a #b",
            "- a",
            "-",
            "---",
            "#x",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "[a]",
            "{a}",
            "'a'",
            "\"a\"",
            "tab\there",
            "a:",
        ];
        for s in quoted {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
        }
        let plain = [
            "nginx",
            "nginx:1.27",
            "100m",
            "64Gi",
            "1Gi",
            "apps/v1",
            "--v=2",
            "-x",
            "a:b",
            "a#b",
            "member1",
            "policy.karmada.io/v1alpha1",
            "http://x",
            "Divided",
            "é",
        ];
        for s in plain {
            assert!(is_plain_safe(s), "{s:?} can be plain");
        }
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let value =
            json!({"script": "function f(x)\n  return x\nend\n", "two": "a\n\nb", "keep": "a\n\n"});
        assert_eq!(
            to_yaml(&value),
            "script: |\n  function f(x)\n    return x\n  end\ntwo: |-\n  a\n\n  b\nkeep: |+\n  a\n\n"
        );
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn output_reads_back_as_the_same_json() {
        let value = json!({
            "s": ["yes", "1.20", "12:30", "a\nb\n", " lead\nx", "q\"\\", "\u{2028}", "tab\tx", "end \nx"],
            "n": [1, -2, 1.5, 1e300, null, true],
            "nested": {"k": [{"a": {"b": []}}, {}], "": "empty key", "yes": "key"},
        });
        let text = to_yaml(&value);
        let back: Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
        assert_eq!(back, value, "{text}");
    }
}

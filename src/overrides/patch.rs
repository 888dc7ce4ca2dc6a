//! JSON patch operations as Karmada builds and applies them.
//!
//! Every overrider is turned into RFC 6902 operations. The plain cases are applied by
//! [`pointer::try_apply`] without allocating; everything else (and every failure, so errors read
//! the same) goes through the `json-patch` crate.
//! Karmada's patch library also accepts negative array indices (counted from the end), so they
//! are resolved against the document before each operation.

use json_patch::jsonptr::{PointerBuf, Token};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::OverriderOperator;

use super::error::OverriderError;
use super::pointer::{self, Walk};

/// One JSON patch operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOp {
    /// `add`, `remove` or `replace`.
    pub op: OverriderOperator,
    /// JSON pointer.
    pub path: String,
    /// The value; `None` is treated as JSON `null` by `add` and `replace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOp {
    /// A `replace` operation.
    pub fn replace(path: impl Into<String>, value: Value) -> Self {
        PatchOp {
            op: OverriderOperator::Replace,
            path: path.into(),
            value: Some(value),
        }
    }
}

/// The operator's name as it appears in a patch.
pub(crate) fn op_name(op: OverriderOperator) -> &'static str {
    match op {
        OverriderOperator::Add => "add",
        OverriderOperator::Remove => "remove",
        OverriderOperator::Replace => "replace",
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Applies `ops` in order. On error the document may be partly patched; callers work on a copy.
pub(crate) fn apply_patch(doc: &mut Value, ops: Vec<PatchOp>) -> Result<(), OverriderError> {
    for op in ops {
        let mut value = op.value;
        let walk = pointer::try_apply(doc, op.op, &op.path, || value.take().unwrap_or(Value::Null));
        if walk == Walk::Declined {
            apply_owned(doc, op.op, op.path, value)?;
        }
    }
    Ok(())
}

/// Applies one operation; a missing value is JSON `null`.
pub(crate) fn apply_operation(
    doc: &mut Value,
    op: OverriderOperator,
    path: &str,
    value: Option<&Value>,
) -> Result<(), OverriderError> {
    let walk = pointer::try_apply(doc, op, path, || value.cloned().unwrap_or(Value::Null));
    match walk {
        Walk::Applied => Ok(()),
        Walk::Declined => apply_owned(doc, op, path.to_owned(), value.cloned()),
    }
}

fn apply_owned(
    doc: &mut Value,
    op: OverriderOperator,
    path: String,
    value: Option<Value>,
) -> Result<(), OverriderError> {
    let pointer = resolve_pointer(doc, &path, op == OverriderOperator::Add)?;
    let value = value.unwrap_or(Value::Null);
    let operation = match op {
        OverriderOperator::Add => json_patch::PatchOperation::Add(json_patch::AddOperation {
            path: pointer,
            value,
        }),
        OverriderOperator::Remove => {
            json_patch::PatchOperation::Remove(json_patch::RemoveOperation { path: pointer })
        }
        OverriderOperator::Replace => {
            json_patch::PatchOperation::Replace(json_patch::ReplaceOperation {
                path: pointer,
                value,
            })
        }
    };
    json_patch::patch_unsafe(doc, std::slice::from_ref(&operation)).map_err(|e| {
        OverriderError::Patch {
            op: op_name(op),
            reason: missing_reason(doc, &path, e.kind.to_string()),
            path,
        }
    })
}

/// A friendlier reason than "path is invalid" when the parent is missing.
fn missing_reason(doc: &Value, path: &str, fallback: String) -> String {
    match path.rfind('/') {
        Some(i) if i > 0 && doc.pointer(&path[..i]).is_none() => {
            format!("doc is missing path {:?}", &path[..i])
        }
        _ if doc.pointer(path).is_none() => format!("doc is missing path {path:?} ({fallback})"),
        _ => fallback,
    }
}

/// Parses `path` and rewrites negative array indices the way Karmada's patch library reads
/// them: `-n` is `len - n` for reading, replacing and removing, and `len + 1 - n` as the last
/// token of an `add`.
fn resolve_pointer(doc: &Value, path: &str, is_add: bool) -> Result<PointerBuf, OverriderError> {
    if !path.contains("/-") {
        return PointerBuf::parse(path.to_owned()).map_err(|e| OverriderError::InvalidPointer {
            path: path.to_owned(),
            reason: e.to_string(),
        });
    }
    let pointer = PointerBuf::parse(path).map_err(|e| OverriderError::InvalidPointer {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let tokens: Vec<Token<'_>> = pointer.tokens().collect();
    let mut resolved: Vec<String> = Vec::with_capacity(tokens.len());
    let mut current = Some(doc);
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        let decoded = token.decoded();
        let mut text = decoded.to_string();
        if let Some(Value::Array(items)) = current {
            if let Some(n) = negative_index(&decoded) {
                let len = items.len() + usize::from(is_add && i == last);
                if n <= len {
                    text = (len - n).to_string();
                }
            }
        }
        current = match current {
            Some(Value::Object(map)) => map.get(text.as_str()),
            Some(Value::Array(items)) => text.parse::<usize>().ok().and_then(|n| items.get(n)),
            _ => None,
        };
        resolved.push(text);
    }
    Ok(PointerBuf::from_tokens(resolved))
}

/// `n` for a token `-n` with n > 0.
fn negative_index(token: &str) -> Option<usize> {
    let digits = token.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<usize>().ok().filter(|n| *n > 0)
}

/// Compact JSON as Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(crate) fn to_go_json<T: Serialize + ?Sized>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Karmada re-reads the object after every patch and fails when it has no `kind`.
pub(crate) fn ensure_kind(doc: &Value) -> Result<(), OverriderError> {
    match doc.get("kind") {
        Some(Value::String(kind)) if !kind.is_empty() => Ok(()),
        _ => Err(OverriderError::MissingKind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(op: OverriderOperator, path: &str, value: Option<Value>) -> PatchOp {
        PatchOp {
            op,
            path: path.to_owned(),
            value,
        }
    }

    #[test]
    fn patch_table() {
        use OverriderOperator::*;
        let doc = json!({"a": {"b": 1}, "list": [1, 2, 3]});
        let cases: Vec<(PatchOp, Option<Value>)> = vec![
            (
                op(Add, "/a/c", Some(json!(2))),
                Some(json!({"a": {"b": 1, "c": 2}, "list": [1, 2, 3]})),
            ),
            (op(Add, "/x/y", Some(json!(1))), None),
            (
                op(Add, "/a/b", None),
                Some(json!({"a": {"b": null}, "list": [1, 2, 3]})),
            ),
            (op(Replace, "/a/missing", Some(json!(1))), None),
            (op(Remove, "/a/missing", None), None),
            (
                op(Remove, "/list/-1", None),
                Some(json!({"a": {"b": 1}, "list": [1, 2]})),
            ),
            (
                op(Replace, "/list/-3", Some(json!(9))),
                Some(json!({"a": {"b": 1}, "list": [9, 2, 3]})),
            ),
            (
                op(Add, "/list/-1", Some(json!(4))),
                Some(json!({"a": {"b": 1}, "list": [1, 2, 3, 4]})),
            ),
            (
                op(Add, "/list/-", Some(json!(4))),
                Some(json!({"a": {"b": 1}, "list": [1, 2, 3, 4]})),
            ),
            (op(Replace, "/list/-4", Some(json!(9))), None),
            (op(Replace, "/list/3", Some(json!(9))), None),
            (op(Add, "no-slash", Some(json!(9))), None),
        ];
        for (patch, expected) in cases {
            let mut got = doc.clone();
            let result = apply_patch(&mut got, vec![patch.clone()]);
            match expected {
                Some(expected) => {
                    assert!(result.is_ok(), "{patch:?}: {result:?}");
                    assert_eq!(got, expected, "{patch:?}");
                }
                None => assert!(result.is_err(), "{patch:?} should fail"),
            }
        }
    }
}

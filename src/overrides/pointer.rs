//! An allocation-free JSON-pointer walker for the common patch operations.
//!
//! Every plaintext operation, and every rewritten image, used to go through the `json-patch`
//! crate, which parses the path into an owned pointer and then looks each level up through
//! `serde_json`'s pointer functions, allocating a decoded string per segment, and which clones
//! the value it inserts once more. Overrides run for every (template, cluster) pair on every
//! render, so that path dominated the cost of a small override.
//!
//! [`try_apply`] walks the path over borrowed segments instead and applies `add`, `remove` and
//! `replace` directly (a segment is copied only when it holds a `~0`/`~1` escape, or when it
//! becomes a new key). It only takes the plain, successful case: a well-formed pointer with no
//! negative or `-` array indices, whose target resolves. Anything else (a malformed escape,
//! negative indices, a missing parent, an out-of-range index, the root path) is
//! declined without touching the document, and the caller applies the operation through
//! `json-patch` as before, so the results, the errors and their messages stay exactly those of
//! `json-patch` with Karmada's negative-index reading. Within the accepted cases the semantics
//! are `json-patch`'s:
//! - `add` to an object inserts or overwrites the key (an existing key keeps its position, a
//!   new one goes last); `add` to a list inserts at an index `<= len`;
//! - `remove` takes an existing key out of an object with `serde_json::Map::remove` (the same
//!   call `json-patch` makes, so key order changes identically), or an index `< len` out of a
//!   list;
//! - `replace` swaps the value at an existing location.
//!
//! Array indices are accepted only in their canonical form (`0` or a digit string without a
//! leading zero), which both `serde_json` and `json-patch` read the same way.

use std::borrow::Cow;

use serde_json::Value;

use crate::api::OverriderOperator;

/// What [`try_apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// The operation was applied.
    Applied,
    /// The operation was not attempted and the document is untouched; apply it the general way.
    Declined,
}

/// Applies one `op` at `path`, inserting `value()` for `add` and `replace`, when the case is
/// one the walker takes (see the module docs); otherwise returns [`Walk::Declined`] without
/// calling `value` or changing `doc`.
pub(crate) fn try_apply(
    doc: &mut Value,
    op: OverriderOperator,
    path: &str,
    value: impl FnOnce() -> Value,
) -> Walk {
    let Some(rest) = path.strip_prefix('/') else {
        return Walk::Declined;
    };
    if path.contains("/-") {
        return Walk::Declined;
    }
    let (parents, last) = match rest.rfind('/') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    let mut parent = doc;
    if let Some(parents) = parents {
        for segment in parents.split('/') {
            let Some(segment) = decode(segment) else {
                return Walk::Declined;
            };
            match step_mut(parent, &segment) {
                Some(next) => parent = next,
                None => return Walk::Declined,
            }
        }
    }
    let Some(last) = decode(last) else {
        return Walk::Declined;
    };
    match (op, parent) {
        (OverriderOperator::Add, Value::Object(map)) => {
            map.insert(last.into_owned(), value());
        }
        (OverriderOperator::Add, Value::Array(items)) => match canonical_index(&last) {
            Some(i) if i <= items.len() => items.insert(i, value()),
            _ => return Walk::Declined,
        },
        (OverriderOperator::Remove, Value::Object(map)) => {
            if map.remove(last.as_ref()).is_none() {
                return Walk::Declined;
            }
        }
        (OverriderOperator::Remove, Value::Array(items)) => match canonical_index(&last) {
            Some(i) if i < items.len() => {
                items.remove(i);
            }
            _ => return Walk::Declined,
        },
        (OverriderOperator::Replace, parent) => match step_mut(parent, &last) {
            Some(target) => *target = value(),
            None => return Walk::Declined,
        },
        _ => return Walk::Declined,
    }
    Walk::Applied
}

/// A segment with `~1` read as `/` and `~0` as `~` (borrowed when it has no escape); `None`
/// when a `~` is followed by anything else, which makes the pointer malformed.
fn decode(segment: &str) -> Option<Cow<'_, str>> {
    if !segment.contains('~') {
        return Some(Cow::Borrowed(segment));
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(Cow::Owned(out))
}

/// The child of `value` named by one decoded segment.
fn step_mut<'v>(value: &'v mut Value, segment: &str) -> Option<&'v mut Value> {
    match value {
        Value::Object(map) => map.get_mut(segment),
        Value::Array(items) => canonical_index(segment).and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

/// `n` for a segment that is `0` or digits without a leading zero.
fn canonical_index(segment: &str) -> Option<usize> {
    let bytes = segment.as_bytes();
    let canonical = match bytes {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        _ => bytes.iter().all(u8::is_ascii_digit),
    };
    if canonical {
        segment.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use OverriderOperator::*;

    #[test]
    fn walker_table() {
        let doc = json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [1, 2, 3], "s": "x"});
        let cases: Vec<(OverriderOperator, &str, Option<Value>)> = vec![
            (
                Add,
                "/a/e",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3, "e": 9}, "list": [1, 2, 3], "s": "x"})),
            ),
            (
                Add,
                "/a/b",
                Some(json!({"a": {"b": 9, "c": 2, "d": 3}, "list": [1, 2, 3], "s": "x"})),
            ),
            (
                Add,
                "/list/0",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [9, 1, 2, 3], "s": "x"})),
            ),
            (
                Add,
                "/list/3",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [1, 2, 3, 9], "s": "x"})),
            ),
            (Add, "/list/4", None),
            (Add, "/list/01", None),
            (Add, "/list/-", None),
            (Add, "/x/y", None),
            (Add, "/s/y", None),
            (Add, "", None),
            (Add, "a", None),
            (Add, "/a~2b", None),
            (
                Add,
                "/a/x~1y~0",
                Some(
                    json!({"a": {"b": 1, "c": 2, "d": 3, "x/y~": 9}, "list": [1, 2, 3], "s": "x"}),
                ),
            ),
            (Replace, "/a~0/b", None),
            (
                Remove,
                "/a/b",
                Some(json!({"a": {"d": 3, "c": 2}, "list": [1, 2, 3], "s": "x"})),
            ),
            (Remove, "/a/zz", None),
            (
                Remove,
                "/list/2",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [1, 2], "s": "x"})),
            ),
            (Remove, "/list/3", None),
            (Remove, "/list/-1", None),
            (
                Remove,
                "/s",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [1, 2, 3]})),
            ),
            (
                Replace,
                "/a/c",
                Some(json!({"a": {"b": 1, "c": 9, "d": 3}, "list": [1, 2, 3], "s": "x"})),
            ),
            (
                Replace,
                "/list/1",
                Some(json!({"a": {"b": 1, "c": 2, "d": 3}, "list": [1, 9, 3], "s": "x"})),
            ),
            (Replace, "/list/3", None),
            (Replace, "/a/zz", None),
            (Replace, "/s/x", None),
        ];
        for (op, path, expected) in cases {
            let mut got = doc.clone();
            let walk = try_apply(&mut got, op, path, || json!(9));
            match expected {
                Some(expected) => {
                    assert_eq!(walk, Walk::Applied, "{op:?} {path}");
                    assert_eq!(
                        serde_json::to_string(&got).unwrap(),
                        serde_json::to_string(&expected).unwrap(),
                        "{op:?} {path}"
                    );
                }
                None => {
                    assert_eq!(walk, Walk::Declined, "{op:?} {path}");
                    assert_eq!(got, doc, "{op:?} {path} must leave the document alone");
                }
            }
        }
    }
}

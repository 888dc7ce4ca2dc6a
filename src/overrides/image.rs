//! `imageOverrider`: rewrite the registry, repository or tag of container images.
//!
//! Without a predicate only the regular containers of the kinds Karmada knows are touched
//! (`/spec/containers/<i>/image` for Pod, `/spec/template/spec/containers/<i>/image` for
//! ReplicaSet, Deployment, DaemonSet, StatefulSet and Job); init and ephemeral containers, and
//! every other kind (CronJob included), get nothing. With a predicate the image at the
//! predicate's path is rewritten. Every image yields one `replace` patch, even when unchanged.

use serde_json::Value;

use crate::api::{ImageComponent, ImageOverrider, OverriderOperator};

use super::error::OverriderError;
use super::imageparser::ImageReference;
use super::patch::{apply_patch, json_type, PatchOp};

/// Where the pod spec sits for the kinds whose containers are overridden by default: the
/// field names down to it and the JSON pointer of its container list.
pub(crate) fn pod_spec_prefix(kind: &str) -> Option<(&'static [&'static str], &'static str)> {
    match kind {
        "Pod" => Some((&["spec"], "/spec/containers")),
        "ReplicaSet" | "Deployment" | "DaemonSet" | "StatefulSet" | "Job" => Some((
            &["spec", "template", "spec"],
            "/spec/template/spec/containers",
        )),
        _ => None,
    }
}

/// The patches one image overrider produces for `object`.
///
/// ```
/// use fedplan::api::ImageOverrider;
/// use fedplan::overrides::image_patches;
/// use serde_json::json;
///
/// let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
///                  "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}});
/// let overrider: ImageOverrider = serde_json::from_value(json!(
///     {"component": "Registry", "operator": "replace", "value": "mirror.example"})).unwrap();
/// let patches = image_patches(&pod, &overrider).unwrap();
/// assert_eq!(patches[0].path, "/spec/containers/0/image");
/// assert_eq!(patches[0].value, Some(json!("mirror.example/nginx:1.25")));
/// ```
pub fn image_patches(
    object: &Value,
    overrider: &ImageOverrider,
) -> Result<Vec<PatchOp>, OverriderError> {
    match &overrider.predicate {
        Some(predicate) => {
            let image = image_at_predicate(object, &predicate.path)?;
            Ok(vec![image_patch(&predicate.path, image, overrider)?])
        }
        None => {
            let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
            let Some((prefix, base)) = pod_spec_prefix(kind) else {
                return Ok(Vec::new());
            };
            let Some(containers) = containers_at(object, prefix)? else {
                return Ok(Vec::new());
            };
            let mut patches = Vec::with_capacity(containers.len());
            for (i, container) in containers.iter().enumerate() {
                let path = format!("{base}/{i}/image");
                let image = match container {
                    Value::Object(fields) => match fields.get("image") {
                        None | Some(Value::Null) => "",
                        Some(Value::String(image)) => image.as_str(),
                        Some(other) => {
                            return Err(OverriderError::WrongType {
                                path,
                                expected: "a string",
                                found: json_type(other),
                            })
                        }
                    },
                    other => {
                        return Err(OverriderError::WrongType {
                            path: format!("{base}/{i}"),
                            expected: "an object",
                            found: json_type(other),
                        })
                    }
                };
                patches.push(image_patch(&path, image, overrider)?);
            }
            Ok(patches)
        }
    }
}

/// Applies one image overrider to `object`, rewriting each image where it stands.
///
/// The result is the one [`image_patches`] and applying its patches give; without a
/// predicate the images are rewritten in place (no patch list, no paths built unless an error
/// names one). On error the object may be partly rewritten.
pub(crate) fn apply_image_overrider(
    object: &mut Value,
    overrider: &ImageOverrider,
) -> Result<(), OverriderError> {
    if overrider.predicate.is_some() {
        let patches = image_patches(object, overrider)?;
        return apply_patch(object, patches);
    }
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some((prefix, base)) = pod_spec_prefix(kind) else {
        return Ok(());
    };
    // Checks every level's type first, so errors read as `image_patches` reports them.
    if containers_at(object, prefix)?.is_none() {
        return Ok(());
    }
    let mut current = &mut *object;
    for segment in prefix.iter().copied().chain(std::iter::once("containers")) {
        match current.get_mut(segment) {
            Some(next) => current = next,
            None => return Ok(()),
        }
    }
    let Value::Array(containers) = current else {
        return Ok(());
    };
    for (i, container) in containers.iter_mut().enumerate() {
        let slot = match container {
            Value::Object(fields) => match fields.get_mut("image") {
                Some(Value::String(image)) => image,
                Some(Value::Null) | None => {
                    // A missing image reads as "", which goes the general way.
                    let path = format!("{base}/{i}/image");
                    let patch = image_patch(&path, "", overrider)?;
                    return apply_patch(object, vec![patch]);
                }
                Some(other) => {
                    return Err(OverriderError::WrongType {
                        path: format!("{base}/{i}/image"),
                        expected: "a string",
                        found: json_type(other),
                    })
                }
            },
            other => {
                return Err(OverriderError::WrongType {
                    path: format!("{base}/{i}"),
                    expected: "an object",
                    found: json_type(other),
                })
            }
        };
        let reference = overridden_reference(slot, overrider).map_err(|source| {
            OverriderError::InvalidImage {
                path: format!("{base}/{i}/image"),
                image: slot.clone(),
                source,
            }
        })?;
        reference.write_into(slot);
    }
    Ok(())
}

/// The container list under `prefix`: `None` when a level is absent or null, an error when a
/// level has the wrong type.
pub(crate) fn containers_at<'v>(
    object: &'v Value,
    prefix: &[&str],
) -> Result<Option<&'v Vec<Value>>, OverriderError> {
    let mut current = object;
    let segments = prefix.iter().copied().chain(std::iter::once("containers"));
    for (depth, segment) in segments.enumerate() {
        let Value::Object(fields) = current else {
            return Err(OverriderError::WrongType {
                path: pointer_of(&prefix[..depth]),
                expected: "an object",
                found: json_type(current),
            });
        };
        match fields.get(segment) {
            None | Some(Value::Null) => return Ok(None),
            Some(next) => current = next,
        }
    }
    match current {
        Value::Array(items) => Ok(Some(items)),
        other => Err(OverriderError::WrongType {
            path: format!("{}/containers", pointer_of(prefix)),
            expected: "a list",
            found: json_type(other),
        }),
    }
}

/// `/a/b` for `["a", "b"]`.
fn pointer_of(segments: &[&str]) -> String {
    segments.iter().map(|s| format!("/{s}")).collect()
}

/// Reads the image at a predicate path the way Karmada walks it: the path is trimmed of `/`
/// and split on `/` (no `~1` unescaping); objects are followed by key, and a list consumes
/// the next segment as its index.
fn image_at_predicate<'v>(object: &'v Value, path: &str) -> Result<&'v str, OverriderError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some((last, parents)) = segments.split_last() else {
        return Err(OverriderError::MissingPath {
            path: path.to_owned(),
        });
    };
    let mut current = object;
    let mut i = 0;
    while i < parents.len() {
        let Value::Object(fields) = current else {
            return Err(OverriderError::WrongType {
                path: path.to_owned(),
                expected: "an object",
                found: json_type(current),
            });
        };
        match fields.get(parents[i]) {
            Some(next @ Value::Object(_)) => current = next,
            Some(Value::Array(items)) => {
                let segment = segments.get(i + 1).copied().unwrap_or("");
                let index: usize = segment.parse().map_err(|_| OverriderError::NotAnIndex {
                    segment: segment.to_owned(),
                })?;
                current = items
                    .get(index)
                    .ok_or_else(|| OverriderError::MissingPath {
                        path: path.to_owned(),
                    })?;
                i += 1;
            }
            Some(other) => {
                return Err(OverriderError::WrongType {
                    path: path.to_owned(),
                    expected: "an object or a list",
                    found: json_type(other),
                })
            }
            None => {
                return Err(OverriderError::MissingPath {
                    path: path.to_owned(),
                })
            }
        }
        i += 1;
    }
    match current.get(*last) {
        Some(Value::String(image)) => Ok(image),
        Some(other) => Err(OverriderError::WrongType {
            path: path.to_owned(),
            expected: "a string",
            found: json_type(other),
        }),
        None => Err(OverriderError::MissingPath {
            path: path.to_owned(),
        }),
    }
}

fn image_patch(
    path: &str,
    image: &str,
    overrider: &ImageOverrider,
) -> Result<PatchOp, OverriderError> {
    if !path.starts_with('/') {
        return Err(OverriderError::ImagePathNotAbsolute {
            path: path.to_owned(),
        });
    }
    let new_image =
        override_image(image, overrider).map_err(|source| OverriderError::InvalidImage {
            path: path.to_owned(),
            image: image.to_owned(),
            source,
        })?;
    Ok(PatchOp::replace(path, Value::String(new_image)))
}

/// Applies one image overrider to one image string.
///
/// ```
/// use fedplan::api::ImageOverrider;
/// use fedplan::overrides::override_image;
/// use serde_json::json;
///
/// let add: ImageOverrider = serde_json::from_value(json!(
///     {"component": "Registry", "operator": "add", "value": ".test"})).unwrap();
/// assert_eq!(override_image("a.io/app:v1", &add).unwrap(), "a.io.test/app:v1");
/// ```
pub fn override_image(
    image: &str,
    overrider: &ImageOverrider,
) -> Result<String, super::imageparser::ImageParseError> {
    let mut out = String::new();
    overridden_reference(image, overrider)?.write_into(&mut out);
    Ok(out)
}

/// `image` parsed, with the overrider's change made.
fn overridden_reference(
    image: &str,
    overrider: &ImageOverrider,
) -> Result<ImageReference, super::imageparser::ImageParseError> {
    let mut reference = ImageReference::parse(image)?;
    let value = overrider.value.as_str();
    match (overrider.component, overrider.operator) {
        (ImageComponent::Registry, OverriderOperator::Add) => {
            let joined = format!("{}{}", reference.hostname(), value);
            reference.set_hostname(joined);
        }
        (ImageComponent::Registry, OverriderOperator::Replace) => reference.set_hostname(value),
        (ImageComponent::Registry, OverriderOperator::Remove) => reference.remove_hostname(),
        (ImageComponent::Repository, OverriderOperator::Add) => {
            let joined = format!("{}{}", reference.repository(), value);
            reference.set_repository(joined);
        }
        (ImageComponent::Repository, OverriderOperator::Replace) => reference.set_repository(value),
        (ImageComponent::Repository, OverriderOperator::Remove) => reference.remove_repository(),
        (ImageComponent::Tag, OverriderOperator::Add) => {
            let joined = format!("{}{}", reference.tag_or_digest(), value);
            reference.set_tag_or_digest(&joined);
        }
        (ImageComponent::Tag, OverriderOperator::Replace) => reference.set_tag_or_digest(value),
        (ImageComponent::Tag, OverriderOperator::Remove) => reference.remove_tag_or_digest(),
    }
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overrider(v: Value) -> ImageOverrider {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn override_image_table() {
        let sha = "sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c";
        let cases = [
            (
                "nginx",
                json!({"component": "Registry", "operator": "add", "value": "r.io"}),
                "r.io/nginx".to_owned(),
            ),
            (
                "a.io/nginx:1",
                json!({"component": "Registry", "operator": "remove"}),
                "nginx:1".to_owned(),
            ),
            (
                "a.io/nginx:1",
                json!({"component": "Repository", "operator": "remove"}),
                "a.io/:1".to_owned(),
            ),
            (
                "a.io/nginx:1",
                json!({"component": "Repository", "operator": "add", "value": "-slim"}),
                "a.io/nginx-slim:1".to_owned(),
            ),
            (
                "nginx:1",
                json!({"component": "Tag", "operator": "add", "value": ".2"}),
                "nginx:1.2".to_owned(),
            ),
            (
                "nginx:1",
                json!({"component": "Tag", "operator": "replace", "value": sha}),
                format!("nginx@{sha}"),
            ),
            (
                &format!("nginx@{sha}"),
                json!({"component": "Tag", "operator": "replace", "value": "v2"}),
                "nginx:v2".to_owned(),
            ),
            (
                &format!("nginx@{sha}"),
                json!({"component": "Tag", "operator": "remove"}),
                "nginx".to_owned(),
            ),
            (
                "nginx:1",
                json!({"component": "Tag", "operator": "replace", "value": "bad tag"}),
                "nginx:1".to_owned(),
            ),
        ];
        for (image, o, expected) in cases {
            assert_eq!(
                override_image(image, &overrider(o.clone())).unwrap(),
                expected,
                "{image} {o}"
            );
        }
        assert!(override_image(
            "Nginx",
            &overrider(json!({"component": "Tag", "operator": "remove"}))
        )
        .is_err());
    }

    #[test]
    fn default_paths_by_kind() {
        let o = overrider(json!({"component": "Registry", "operator": "replace", "value": "r.io"}));
        let spec = json!({"initContainers": [{"name": "i", "image": "init"}],
                          "containers": [{"name": "c", "image": "app"}]});
        let cases = [
            (
                "Pod",
                json!({"kind": "Pod", "spec": spec.clone()}),
                vec!["/spec/containers/0/image"],
            ),
            (
                "Job",
                json!({"kind": "Job", "spec": {"template": {"spec": spec.clone()}}}),
                vec!["/spec/template/spec/containers/0/image"],
            ),
            (
                "CronJob",
                json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": spec.clone()}}}}}),
                vec![],
            ),
            (
                "Deployment without containers",
                json!({"kind": "Deployment", "spec": {}}),
                vec![],
            ),
        ];
        for (name, object, paths) in cases {
            let got: Vec<String> = image_patches(&object, &o)
                .unwrap()
                .into_iter()
                .map(|p| p.path)
                .collect();
            assert_eq!(got, paths, "{name}");
        }
        let missing_image = json!({"kind": "Pod", "spec": {"containers": [{"name": "c"}]}});
        assert!(matches!(
            image_patches(&missing_image, &o),
            Err(OverriderError::InvalidImage { .. })
        ));
        let wrong = json!({"kind": "Pod", "spec": {"containers": {"name": "c"}}});
        assert!(matches!(
            image_patches(&wrong, &o),
            Err(OverriderError::WrongType { .. })
        ));
    }

    #[test]
    fn predicate_paths() {
        let object = json!({"kind": "Foo", "spec": {"workers": [{"image": "a.io/w:1"}, {"image": 3}],
                            "single": {"image": "app"}}});
        let cases: Vec<(&str, Result<&str, ()>)> = vec![
            ("/spec/workers/0/image", Ok("r.io/w:1")),
            ("/spec/single/image", Ok("r.io/app")),
            ("/spec/workers/1/image", Err(())),
            ("/spec/workers/x/image", Err(())),
            ("/spec/workers/5/image", Err(())),
            ("/spec/missing/image", Err(())),
            ("spec/single/image", Err(())),
        ];
        for (path, expected) in cases {
            let o = overrider(json!({"predicate": {"path": path}, "component": "Registry",
                                     "operator": "replace", "value": "r.io"}));
            let got = image_patches(&object, &o);
            match expected {
                Ok(image) => {
                    let patches = got.unwrap();
                    assert_eq!(
                        patches,
                        vec![PatchOp::replace(path, json!(image))],
                        "{path}"
                    );
                }
                Err(()) => assert!(got.is_err(), "{path}"),
            }
        }
    }
}

//! Removing the fields of a template that must not travel to a member cluster, as Karmada
//! does when it builds a Work manifest.

use serde_json::{Map, Value};

const METADATA_FIELDS: &[&str] = &[
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "managedFields",
    "resourceVersion",
    "selfLink",
    "uid",
    "ownerReferences",
    "finalizers",
];

const JOB_CONTROLLER_UID_LABELS: &[&str] =
    &["controller-uid", "batch.kubernetes.io/controller-uid"];
const JOB_NAME_LABELS: &[&str] = &["job-name", "batch.kubernetes.io/job-name"];

fn object_at<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Map<String, Value>> {
    let mut cur = v;
    for key in path {
        cur = cur.as_object_mut()?.get_mut(*key)?;
    }
    cur.as_object_mut()
}

fn remove_keys(v: &mut Value, path: &[&str], keys: &[&str]) {
    if let Some(map) = object_at(v, path) {
        for k in keys {
            map.remove(*k);
        }
    }
}

/// Removes server-owned metadata, `status`, and the kind-specific fields Karmada prunes
/// (Deployment revision, Job controller labels and TTL, Service cluster IPs, service-account
/// token data, the PVC selected-node annotation).
pub fn remove_irrelevant_fields(manifest: &mut Value) {
    let kind = manifest
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let api_version = manifest
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(obj) = manifest.as_object_mut() else {
        return;
    };
    obj.remove("status");
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in METADATA_FIELDS {
            meta.remove(*f);
        }
    }
    match (api_version.as_str(), kind.as_str()) {
        ("apps/v1", "Deployment") => {
            remove_keys(
                manifest,
                &["metadata", "annotations"],
                &["deployment.kubernetes.io/revision"],
            );
        }
        ("batch/v1", "Job") => {
            let manual = manifest
                .pointer("/spec/manualSelector")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if !manual {
                remove_keys(
                    manifest,
                    &["spec", "selector", "matchLabels"],
                    JOB_CONTROLLER_UID_LABELS,
                );
                remove_keys(
                    manifest,
                    &["spec", "template", "metadata", "labels"],
                    JOB_CONTROLLER_UID_LABELS,
                );
                remove_keys(
                    manifest,
                    &["spec", "template", "metadata", "labels"],
                    JOB_NAME_LABELS,
                );
            }
            remove_keys(manifest, &["spec"], &["ttlSecondsAfterFinished"]);
        }
        ("v1", "ServiceAccount") => {
            let name = manifest
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let prefix = format!("{name}-token-");
            if let Some(secrets) = manifest.get_mut("secrets").and_then(Value::as_array_mut) {
                secrets.retain(|s| {
                    !s.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.starts_with(&prefix))
                });
            }
        }
        ("v1", "Service") => {
            let headless = manifest
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .is_some_and(|ip| ip == "None");
            if !headless {
                remove_keys(manifest, &["spec"], &["clusterIP", "clusterIPs"]);
            }
        }
        ("v1", "Secret") => {
            let token = manifest
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t == "kubernetes.io/service-account-token");
            if token {
                remove_keys(
                    manifest,
                    &["metadata", "annotations"],
                    &["kubernetes.io/service-account.uid"],
                );
                if let Some(obj) = manifest.as_object_mut() {
                    obj.remove("data");
                }
            }
        }
        ("v1", "PersistentVolumeClaim") => {
            remove_keys(
                manifest,
                &["metadata", "annotations"],
                &["volume.kubernetes.io/selected-node"],
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prunes_by_kind() {
        let cases = vec![
            (
                json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","uid":"u","generation":3,"resourceVersion":"9","annotations":{"deployment.kubernetes.io/revision":"2","keep":"x"}},"status":{"replicas":1}}),
                json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","annotations":{"keep":"x"}}}),
            ),
            (
                json!({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"ttlSecondsAfterFinished":5,"selector":{"matchLabels":{"controller-uid":"u","a":"b"}},"template":{"metadata":{"labels":{"job-name":"j","batch.kubernetes.io/controller-uid":"u","a":"b"}}}}}),
                json!({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}}}}}),
            ),
            (
                json!({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"manualSelector":true,"selector":{"matchLabels":{"controller-uid":"u"}}}}),
                json!({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"manualSelector":true,"selector":{"matchLabels":{"controller-uid":"u"}}}}),
            ),
            (
                json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"10.0.0.1","clusterIPs":["10.0.0.1"],"ports":[]}}),
                json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[]}}),
            ),
            (
                json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"None"}}),
                json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"None"}}),
            ),
            (
                json!({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa"},"secrets":[{"name":"sa-token-abc"},{"name":"other"}]}),
                json!({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa"},"secrets":[{"name":"other"}]}),
            ),
            (
                json!({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"t","annotations":{"kubernetes.io/service-account.uid":"u"}},"data":{"token":"x"}}),
                json!({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"t","annotations":{}}}),
            ),
            (
                json!({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"p","annotations":{"volume.kubernetes.io/selected-node":"n"}}}),
                json!({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"p","annotations":{}}}),
            ),
        ];
        for (mut input, want) in cases {
            remove_irrelevant_fields(&mut input);
            assert_eq!(input, want);
        }
    }
}

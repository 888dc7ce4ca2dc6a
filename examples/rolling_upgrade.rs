//! Karmada v1.11's cross-cluster rolling upgrade, driven from Rust: propagate nginx v1 to
//! three clusters, hold two of them back, update to v2, then release the held clusters one
//! by one while watching the template's `status.observedGeneration`.
//!
//! Run with `cargo run --example rolling_upgrade`.

use fedplan::controlplane::{Config, ControlPlane, ControlPlaneError, ObjectKey};
use serde_json::{json, Value};

const CLUSTERS: [&str; 3] = ["member-a", "member-b", "member-c"];

fn policy(suspended: &[&str]) -> Value {
    json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
           "metadata": {"name": "nginx-propagation", "namespace": "default"},
           "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}],
                    "placement": {"clusterAffinity": {"clusterNames": CLUSTERS}},
                    "suspension": {"dispatchingOnClusters": {"clusterNames": suspended}}}})
}

fn nginx(image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "nginx"}},
                    "template": {"metadata": {"labels": {"app": "nginx"}},
                                 "spec": {"containers": [{"name": "nginx", "image": image}]}}}})
}

/// One line per step: each member's image, then generation/observedGeneration.
fn report(cp: &ControlPlane, step: &str) -> String {
    let key = ObjectKey::new("apps/v1", "Deployment", "default", "nginx");
    let images: Vec<String> = CLUSTERS
        .iter()
        .map(|c| {
            let image = cp
                .member(c)
                .and_then(|m| m.get(&key))
                .and_then(|o| o.pointer("/spec/template/spec/containers/0/image"))
                .and_then(Value::as_str)
                .unwrap_or("-");
            format!("{c}={image}")
        })
        .collect();
    let t = cp.template(&key).cloned().unwrap_or(Value::Null);
    format!(
        "{step:<28} {} generation={} observedGeneration={}",
        images.join(" "),
        t.pointer("/metadata/generation").unwrap_or(&Value::Null),
        t.pointer("/status/observedGeneration")
            .unwrap_or(&Value::Null)
    )
}

fn run() -> Result<Vec<String>, ControlPlaneError> {
    let mut cp = ControlPlane::new(Config::default());
    for c in CLUSTERS {
        cp.apply(
            json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
                        "metadata": {"name": c}, "spec": {"syncMode": "Push"}}),
        )?;
    }
    let mut lines = Vec::new();
    // (step name, clusters held back, image to roll out)
    type Step<'a> = (&'a str, Option<&'a [&'a str]>, Option<&'a str>);
    let steps: [Step; 5] = [
        ("propagate v1", Some(&[]), Some("nginx:1.25")),
        ("suspend A and B", Some(&["member-a", "member-b"]), None),
        ("update to v2", None, Some("nginx:1.26")),
        ("release B", Some(&["member-a"]), None),
        ("release A", Some(&[]), None),
    ];
    for (name, suspended, image) in steps {
        if let Some(s) = suspended {
            cp.apply(policy(s))?;
        }
        if let Some(i) = image {
            cp.apply(nginx(i))?;
        }
        cp.run_until_quiescent()?;
        lines.push(report(&cp, name));
    }
    Ok(lines)
}

fn main() -> Result<(), ControlPlaneError> {
    for line in run()? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn observed_generation_waits_for_every_member() {
        let lines = super::run().unwrap();
        assert!(lines[2].contains("member-a=nginx:1.25 member-b=nginx:1.25 member-c=nginx:1.26"));
        assert!(
            lines[2].ends_with("generation=2 observedGeneration=1"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].ends_with("generation=2 observedGeneration=1"),
            "{}",
            lines[3]
        );
        assert!(lines[4].contains("member-a=nginx:1.26 member-b=nginx:1.26 member-c=nginx:1.26"));
        assert!(
            lines[4].ends_with("generation=2 observedGeneration=2"),
            "{}",
            lines[4]
        );
    }
}

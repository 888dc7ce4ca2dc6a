//! Golden outputs of `fedplan schedule --explain` and `fedplan render` on the bundled
//! examples and Karmada's samples, plus the CRD-schema check of everything rendered and the
//! failures of broken overrides.
//!
//! The expected bytes live in `tests/golden/`. To regenerate them after an intended change,
//! run the tests with `FEDPLAN_BLESS=1`; without it a difference fails the test.
#![cfg(feature = "cli")]

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn karmada(path: &str) -> String {
    support::karmada_fixtures().join(path).display().to_string()
}

fn example(path: &str) -> String {
    Path::new(ROOT)
        .join("examples")
        .join(path)
        .display()
        .to_string()
}

/// Runs the CLI in-process: (exit code, stdout, stderr).
fn fedplan(args: &[String]) -> (u8, String, String) {
    let mut argv = vec!["fedplan".to_string()];
    argv.extend(args.iter().cloned());
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let exit = fedplan::cli::run(argv, &mut std::io::empty(), &mut stdout, &mut stderr);
    (
        exit.code(),
        String::from_utf8(stdout).expect("UTF-8 stdout"),
        String::from_utf8(stderr).expect("UTF-8 stderr"),
    )
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/golden").join(name)
}

/// Compares `actual` with the golden file, or rewrites it under `FEDPLAN_BLESS=1`.
fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("FEDPLAN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with FEDPLAN_BLESS=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             (rerun with FEDPLAN_BLESS=1 if the change is intended)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn with_files(command: &[&str], files: &[String]) -> Vec<String> {
    let mut args: Vec<String> = command.iter().map(ToString::to_string).collect();
    for file in files {
        args.push("-f".to_string());
        args.push(file.clone());
    }
    args
}

fn three_clusters() -> String {
    example("three-clusters")
}

fn nginx_deployment_and_policy() -> Vec<String> {
    vec![
        three_clusters(),
        karmada("samples/nginx/deployment.yaml"),
        karmada("samples/nginx/propagationpolicy.yaml"),
    ]
}

/// The inputs of every schedule golden: (golden name, files).
fn schedule_cases() -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("schedule_quickstart", vec![example("quickstart")]),
        (
            "schedule_nginx",
            vec![three_clusters(), karmada("samples/nginx")],
        ),
    ]
}

/// The inputs of every render golden: (golden name, files).
fn render_cases() -> Vec<(&'static str, Vec<String>)> {
    let mut cases = vec![
        (
            "render_nginx",
            vec![three_clusters(), karmada("samples/nginx")],
        ),
        (
            "render_guestbook",
            vec![three_clusters(), karmada("samples/guestbook")],
        ),
    ];
    for name in ["command", "image", "simple"] {
        let mut files = nginx_deployment_and_policy();
        files.push(karmada(&format!("examples/overridepolicy_{name}.yaml")));
        let golden: &'static str = match name {
            "command" => "render_overridepolicy_command",
            "image" => "render_overridepolicy_image",
            _ => "render_overridepolicy_simple",
        };
        cases.push((golden, files));
    }
    cases
}

#[test]
fn schedule_explain_goldens() {
    for (name, files) in schedule_cases() {
        let (code, yaml, table) = fedplan(&with_files(&["schedule", "--explain"], &files));
        assert_eq!(code, 0, "{name}: {table}");
        check_golden(&format!("{name}.yaml"), &yaml);
        check_golden(&format!("{name}.table.txt"), &table);
        let (code, json, json_table) = fedplan(&with_files(
            &["schedule", "--explain", "-o", "json"],
            &files,
        ));
        assert_eq!(code, 0, "{name}: {json_table}");
        assert_eq!(table, json_table, "{name}: the table does not depend on -o");
        check_golden(&format!("{name}.json"), &json);
        let list: Value = serde_json::from_str(&json).expect("JSON output");
        for binding in list["items"].as_array().expect("items") {
            assert!(
                binding["status"]["schedulingDiagnosis"]["clusters"].is_array(),
                "{name}: {binding}"
            );
            let conditions = binding["status"]["conditions"]
                .as_array()
                .expect("conditions");
            assert!(conditions.iter().any(|c| c["type"] == "Scheduled"));
            if let Err(problems) = support::schema::karmada_crds_lenient().validate(binding) {
                panic!("{name}: binding violates its CRD: {problems:#?}");
            }
        }
    }
}

#[test]
fn render_goldens_validate_against_the_crds() {
    for (name, files) in render_cases() {
        let (code, yaml, stderr) = fedplan(&with_files(&["render"], &files));
        assert_eq!(code, 0, "{name}: {stderr}");
        check_golden(&format!("{name}.yaml"), &yaml);
        let (code, json, _) = fedplan(&with_files(&["render", "-o", "json"], &files));
        assert_eq!(code, 0, "{name}");
        let list: Value = serde_json::from_str(&json).expect("JSON output");
        let items = list["items"].as_array().expect("items");
        let kinds: Vec<&str> = items.iter().filter_map(|i| i["kind"].as_str()).collect();
        let first_work = kinds
            .iter()
            .position(|k| *k == "Work")
            .unwrap_or(kinds.len());
        assert!(first_work > 0, "{name}: no binding in {kinds:?}");
        assert!(
            kinds[first_work..].iter().all(|k| *k == "Work"),
            "{name}: bindings first, then Works: {kinds:?}"
        );
        assert!(first_work < kinds.len(), "{name}: no Work in {kinds:?}");
        for item in items {
            if let Err(problems) = support::schema::karmada_crds().validate(item) {
                panic!("{name}: {} violates its CRD: {problems:#?}", item["kind"]);
            }
            if item["kind"] == "Work" {
                let namespace = item["metadata"]["namespace"].as_str().unwrap_or("");
                assert!(namespace.starts_with("karmada-es-"), "{name}: {namespace}");
            }
        }
    }
}

#[test]
fn image_override_rewrites_the_registry_per_cluster() {
    let mut files = nginx_deployment_and_policy();
    files.push(karmada("examples/overridepolicy_image.yaml"));
    let (code, json, stderr) = fedplan(&with_files(&["render", "-o", "json"], &files));
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&json).expect("JSON output");
    let image_in = |cluster: &str| {
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["kind"] == "Work" && i["metadata"]["namespace"] == cluster)
            .map(|w| {
                w["spec"]["workload"]["manifests"][0]["spec"]["template"]["spec"]["containers"][0]
                    ["image"]
                    .clone()
            })
    };
    assert_eq!(
        image_in("karmada-es-member1"),
        Some(Value::from("fictional.registry.us/nginx"))
    );
    assert_eq!(
        image_in("karmada-es-member2"),
        Some(Value::from("fictional.registry.cn/nginx"))
    );
}

#[test]
fn broken_overrides_fail_the_binding_and_name_policy_rule_and_cluster() {
    let cases = [
        (
            "patch on a missing path",
            "nginx",
            "plaintext:\n          - {path: /spec/missing/deeper, operator: replace, value: 3}",
        ),
        (
            "invalid image component",
            "Nginx:latest",
            "imageOverrider:\n          - {component: Registry, operator: replace, value: registry.example}",
        ),
        (
            "unparsable YAML in a fieldOverrider",
            "nginx",
            "fieldOverrider:\n          - fieldPath: /spec/template/metadata/annotations/config\n            yaml:\n              - {subPath: /a, operator: add, value: 1}",
        ),
    ];
    let dir = std::env::temp_dir().join(format!("fedplan-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (index, (what, image, overriders)) in cases.iter().enumerate() {
        let policy = format!(
            "apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\n\
             metadata: {{name: broken, namespace: default}}\nspec:\n  \
             resourceSelectors: [{{apiVersion: apps/v1, kind: Deployment}}]\n  \
             overrideRules:\n    - targetCluster: {{clusterNames: [member1]}}\n      \
             overriders:\n        {overriders}\n"
        );
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\n  \
             namespace: default\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: nginx}}\n  \
             template:\n    metadata:\n      labels: {app: nginx}\n      \
             annotations: {config: \"a: [unclosed\"}\n    spec:\n      \
             containers: [{name: nginx, image: \"IMAGE\"}]\n"
            .replace("IMAGE", image);
        let case_dir = dir.join(index.to_string());
        std::fs::create_dir_all(&case_dir).expect("case dir");
        std::fs::write(case_dir.join("op.yaml"), policy).expect("write policy");
        std::fs::write(case_dir.join("deployment.yaml"), &deployment).expect("write template");
        let files = vec![
            three_clusters(),
            karmada("samples/nginx/propagationpolicy.yaml"),
            case_dir.display().to_string(),
        ];
        let (code, json, stderr) = fedplan(&with_files(&["render", "-o", "json"], &files));
        assert_eq!(code, 1, "{what}: {stderr}");
        for needle in ["broken", "overrideRules[0]", "member1"] {
            assert!(
                stderr.contains(needle),
                "{what}: {needle:?} not in {stderr}"
            );
        }
        let list: Value = serde_json::from_str(&json).expect("JSON output");
        let items = list["items"].as_array().expect("items");
        assert!(
            items.iter().any(|i| i["kind"] == "ResourceBinding"),
            "{what}: the binding is still printed"
        );
        assert!(
            !items.iter().any(|i| i["kind"] == "Work"),
            "{what}: no Work for the failed binding: {json}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! Argument parsing and input loading of schedule, render, interpret and simulate, through
//! the built binary: bad input exits 2 with a message naming file, document, object and field.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_fedplan");
const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");

fn fedplan(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run fedplan")
}

fn scratch(name: &str, content: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_commands");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write scratch file");
    path.to_string_lossy().into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const BAD_POLICY: &str = "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p, namespace: ns}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]\n  placement: {replicaScheduling: {replicaSchedulingType: Halved}}\n";

#[test]
fn schedule_and_render_reject_bad_input() {
    let bad = scratch("bad-policy.yaml", BAD_POLICY);
    for command in ["schedule", "render"] {
        let out = fedplan(&[command, "-f", QUICKSTART, "-f", &bad]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let message = stderr(&out);
        assert!(
            message.contains("bad-policy.yaml document 1 (PropagationPolicy ns/p): spec.placement.replicaScheduling.replicaSchedulingType: unknown variant `Halved`"),
            "{command}: {message}"
        );
    }
}

#[test]
fn schedule_flags_parse() {
    let out = fedplan(&["schedule", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--explain") && help.contains("--filename"));
    assert_eq!(fedplan(&["schedule"]).status.code(), Some(2));
    assert_eq!(
        fedplan(&["schedule", "-f", QUICKSTART, "--bogus"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn render_diff_must_be_a_directory() {
    let file = scratch("not-a-dir.yaml", "");
    let out = fedplan(&["render", "-f", QUICKSTART, "--diff", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}

#[test]
fn interpret_rejects_bad_input() {
    let deployment = format!("{QUICKSTART}/deployment.yaml");
    let bad_status = scratch(
        "status.yaml",
        "- clusterName: member1\n  applied: true\n- clusterName: member2\n  applied: maybe\n",
    );
    let two_objects = scratch(
        "two.yaml",
        "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\n",
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["interpret", "--operation", "Frobnicate", "--desired-file", &deployment],
            "unknown interpreter operation",
        ),
        (
            vec!["interpret", "--operation", "AggregateStatus", "--desired-file", &deployment, "--status-file", &bad_status],
            "status.yaml document 1 items[1] (AggregatedStatusItem member2): applied: invalid type",
        ),
        (
            vec!["interpret", "--operation", "InterpretReplica", "--desired-file", &two_objects],
            "two.yaml document 2 (ConfigMap <unnamed>): --desired-file must hold exactly one object",
        ),
        (
            vec!["interpret", "--operation", "InterpretHealth", "--observed-file", "/nonexistent.yaml"],
            "/nonexistent.yaml",
        ),
        (
            vec!["interpret", "--operation", "InterpretReplica", "--desired-file", &deployment, "--customization", &deployment],
            "--customization expects ResourceInterpreterCustomization objects",
        ),
        (
            vec!["interpret", "--operation", "ReviseReplica", "--desired-file", &deployment, "--desired-replica", "many"],
            "invalid value 'many'",
        ),
    ];
    for (args, expected) in cases {
        let out = fedplan(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn interpret_accepts_objects_without_a_name() {
    let unnamed = scratch(
        "unnamed.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 2}\n",
    );
    let out = fedplan(&[
        "interpret",
        "--operation",
        "interpretreplica",
        "--desired-file",
        &unnamed,
    ]);
    // Loading succeeded: whatever the build can answer, the input is not what failed.
    assert!(!stderr(&out).contains("metadata.name"), "{}", stderr(&out));
}

#[test]
fn simulate_rejects_bad_scenarios() {
    let cases = [
        ("scenario-steps.yaml", "steps: {a: 1}\n", "scenario-steps.yaml document 1: steps: invalid type: map"),
        (
            "scenario-object.yaml",
            "steps:\n  - name: s\n    apply:\n      - {apiVersion: apps/v1, kind: Deployment, metadata: {namespace: default}}\n",
            "(Deployment default/<unnamed>): steps[0].apply[0]: metadata.name: required field is missing",
        ),
        ("scenario-two.yaml", "steps: []\n---\nsteps: []\n", "a scenario is one YAML document"),
        ("scenario-broken.yaml", "steps: [\n", "scenario-broken.yaml document 1: "),
    ];
    for (name, content, expected) in cases {
        let path = scratch(name, content);
        let out = fedplan(&["simulate", "-f", &path]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const THREE_CLUSTERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/three-clusters");
const DECLARATIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/declarative");

#[test]
fn schedule_prints_the_bindings_and_names_unclaimed_templates() {
    let stray = scratch(
        "stray.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray, namespace: default}\n",
    );
    let out = fedplan(&["schedule", "-f", QUICKSTART, "-f", &stray, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ConfigMap default/stray"),
        "{}",
        stderr(&out)
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    let binding = &items[0];
    assert_eq!(binding["kind"], "ResourceBinding");
    assert_eq!(binding["metadata"]["name"], "nginx-deployment");
    assert_eq!(
        binding["metadata"]["annotations"]["propagationpolicy.karmada.io/name"],
        "nginx-propagation"
    );
    assert_eq!(binding["status"]["conditions"][0]["reason"], "Success");
    assert!(binding["status"].get("schedulingDiagnosis").is_none());
    let total: i64 = binding["spec"]["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["replicas"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(Some(total), binding["spec"]["replicas"].as_i64());
}

#[test]
fn unschedulable_binding_exits_1_with_its_condition() {
    let policy = scratch(
        "nowhere.yaml",
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: nowhere, namespace: default}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n  placement: {clusterAffinity: {clusterNames: [absent]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default, uid: u-1234}\nspec: {replicas: 1, template: {spec: {containers: [{name: c, image: nginx}]}}}\n",
    );
    let out = fedplan(&["schedule", "-f", THREE_CLUSTERS, "-f", &policy, "--explain"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(yaml.contains("reason: NoClusterFit"), "{yaml}");
    assert!(yaml.contains("schedulingDiagnosis:"), "{yaml}");
    assert!(yaml.contains("uid: u-1234"), "{yaml}");
    assert!(stderr(&out).contains("CLUSTER"), "{}", stderr(&out));
}

#[test]
fn an_existing_binding_is_the_previous_result() {
    let previous = scratch(
        "previous.yaml",
        "apiVersion: work.karmada.io/v1alpha2\nkind: ResourceBinding\nmetadata:\n  name: nginx-deployment\n  namespace: default\n  generation: 1\nspec:\n  resource: {apiVersion: apps/v1, kind: Deployment, namespace: default, name: nginx}\n  replicas: 6\n  clusters: [{name: member1, replicas: 6}]\nstatus:\n  schedulerObservedGeneration: 1\n  lastScheduledTime: \"2025-06-01T00:00:00Z\"\n",
    );
    let out = fedplan(&["schedule", "-f", QUICKSTART, "-f", &previous, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let binding = &list["items"][0];
    // The placement changed (the previous binding had none), so Karmada reschedules; the
    // clock is the previous binding's.
    assert_eq!(
        binding["status"]["lastScheduledTime"],
        "2025-06-01T00:00:00Z"
    );
    assert_eq!(binding["metadata"]["generation"], 2);
}

#[test]
fn render_diff_compares_with_a_previous_render() {
    let out = fedplan(&["render", "-f", QUICKSTART]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = std::env::temp_dir().join(format!("fedplan-prev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("render.yaml"), stdout(&out)).expect("write");
    let same = fedplan(&[
        "render",
        "-f",
        QUICKSTART,
        "--diff",
        &dir.display().to_string(),
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(stdout(&same), "clusters: {}\n");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let added = fedplan(&[
        "render",
        "-f",
        QUICKSTART,
        "--diff",
        &empty.display().to_string(),
    ]);
    assert!(
        stdout(&added).contains("change: added"),
        "{}",
        stdout(&added)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interpret_prints_the_contract_shapes() {
    let deployment = format!("{QUICKSTART}/deployment.yaml");
    let empty = scratch("empty-status.yaml", "[]\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "interpret",
                "--operation",
                "InterpretReplica",
                "--desired-file",
                &deployment,
                "-o",
                "json",
            ],
            "\"replicas\": 6",
        ),
        (
            vec![
                "interpret",
                "--operation",
                "InterpretHealth",
                "--observed-file",
                &deployment,
                "-o",
                "json",
            ],
            "\"healthy\"",
        ),
        (
            vec![
                "interpret",
                "--operation",
                "InterpretDependency",
                "--desired-file",
                &deployment,
                "-o",
                "json",
            ],
            "\"dependencies\"",
        ),
        (
            vec![
                "interpret",
                "--operation",
                "ReviseReplica",
                "--desired-file",
                &deployment,
                "--desired-replica",
                "2",
            ],
            "replicas: 2",
        ),
        (
            vec![
                "interpret",
                "--operation",
                "AggregateStatus",
                "--desired-file",
                &deployment,
                "--status-file",
                &empty,
            ],
            "kind: Deployment",
        ),
    ];
    for (args, expected) in cases {
        let out = fedplan(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(expected),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn interpret_uses_customizations_and_refuses_lua() {
    let widget = format!("{DECLARATIVE}/widget.yaml");
    let rules = format!("{DECLARATIVE}/widget-customization.yaml");
    let lua = format!("{DECLARATIVE}/lua-customization.yaml");
    let without = fedplan(&[
        "interpret",
        "--operation",
        "InterpretReplica",
        "--desired-file",
        &widget,
    ]);
    assert_eq!(without.status.code(), Some(1), "{}", stderr(&without));
    let with = fedplan(&[
        "interpret",
        "--operation",
        "InterpretReplica",
        "--desired-file",
        &widget,
        "--customization",
        &rules,
        "-v",
    ]);
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    assert!(stdout(&with).contains("replicas:"), "{}", stdout(&with));
    let refused = fedplan(&[
        "interpret",
        "--operation",
        "InterpretReplica",
        "--desired-file",
        &widget,
        "--customization",
        &lua,
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("luaScript"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn simulate_prints_each_step() {
    let scenario = scratch(
        "scenario.yaml",
        "steps:\n  - name: create\n    apply:\n      - {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: default}}\n  - name: wait\n    advance: 60\n",
    );
    let yaml = fedplan(&["simulate", "-f", &scenario]);
    assert_eq!(yaml.status.code(), Some(0), "{}", stderr(&yaml));
    let text = stdout(&yaml);
    assert_eq!(text.matches("\n---\n").count(), 1, "{text}");
    assert!(text.starts_with("name: create\ntemplates:\n"), "{text}");
    let json = fedplan(&["simulate", "-f", &scenario, "-o", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let steps = value["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    for key in [
        "name",
        "templates",
        "bindings",
        "works",
        "members",
        "events",
    ] {
        assert!(steps[0].get(key).is_some(), "{key}");
    }
    let again = fedplan(&["simulate", "-f", &scenario, "-o", "json"]);
    assert_eq!(stdout(&json), stdout(&again), "deterministic bytes");
}

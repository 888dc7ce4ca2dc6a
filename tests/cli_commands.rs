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

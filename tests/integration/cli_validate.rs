//! `fedplan validate` driven through the built binary: exit codes, messages, and a table of
//! invalid inputs that must each give a typed error naming file, document, object and field.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_fedplan");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/karmada");
const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");

fn fedplan(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fedplan");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for fedplan")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `content` to a file of its own under the test scratch directory.
fn scratch(name: &str, content: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_validate");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write scratch file");
    path
}

#[test]
fn every_karmada_fixture_loads_and_only_doc_fragments_fail_the_webhooks() {
    let out = fedplan(&["validate", "-f", FIXTURES], b"");
    let stderr = text(&out.stderr);
    // Some documentation snippets are fragments Karmada's validating webhook rejects (an
    // empty resourceSelectors, application failover without propagateDeps, ...): those are
    // webhook verdicts with a field path, never load or decode errors.
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    for line in &errors {
        assert!(line.contains("/docs-examples/"), "{line}");
        assert!(
            ["Required value", "Invalid value", "Forbidden"]
                .iter()
                .any(|t| line.contains(t)),
            "{line}"
        );
    }
    assert_eq!(
        out.status.code(),
        Some(if errors.is_empty() { 0 } else { 2 }),
        "{stderr}"
    );
    for dir in ["samples", "examples", "crds"] {
        let out = fedplan(&["validate", "-f", &format!("{FIXTURES}/{dir}")], b"");
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
    }
    let stdout = text(&out.stdout);
    // CRDs are resource templates, not errors.
    let crd_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("CustomResourceDefinition"))
        .collect();
    assert_eq!(crd_lines.len(), 10, "{stdout}");
    assert!(
        crd_lines.iter().all(|l| l.ends_with(": template")),
        "{crd_lines:?}"
    );
    // Kinds fedplan does not model are templates too.
    assert!(stdout.contains("WorkloadRebalancer"));
    assert!(stdout
        .lines()
        .filter(|l| l.contains("WorkloadRebalancer"))
        .all(|l| l.contains(": template")));
    assert!(stdout.contains("PropagationPolicy"));
    assert!(stdout
        .lines()
        .filter(|l| l.contains(": PropagationPolicy "))
        .all(|l| l.ends_with(": valid")));
    assert!(stdout.lines().any(|l| l.contains(": PropagationPolicy ")));
}

#[test]
fn quickstart_validates() {
    let out = fedplan(&["validate", "-f", QUICKSTART], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    assert!(stdout.contains("deployment.yaml document 1: Deployment default/nginx: template"));
    assert!(stdout.contains("clusters.yaml document 3: Cluster member3: valid"));
}

#[test]
fn defaulted_prints_a_list_in_yaml_or_json() {
    let out = fedplan(
        &["validate", "-f", QUICKSTART, "--defaulted", "-o", "json"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["kind"], "Cluster");
    // Go's omitempty: empty optional fields are left out.
    assert!(items[0]["spec"].get("taints").is_none());

    let out = fedplan(&["validate", "-f", QUICKSTART, "--defaulted"], b"");
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("apiVersion: v1\nkind: List\nitems:\n"),
        "{stdout}"
    );
}

#[test]
fn reads_standard_input() {
    let doc = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ns}\n";
    let out = fedplan(&["validate", "-f", "-"], doc);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "<stdin> document 1: ConfigMap ns/cm: template\n"
    );
}

#[test]
fn good_documents_are_reported_beside_bad_ones() {
    let path = scratch(
        "mixed.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let out = fedplan(&["validate", "-f", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("mixed.yaml document 1: ConfigMap a: template"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mixed.yaml document 3: ConfigMap c: template"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("mixed.yaml document 2: "), "{stderr}");
    assert!(stderr.contains("line 6"), "{stderr}");
}

#[test]
fn missing_file_is_bad_input() {
    let out = fedplan(&["validate", "-f", "/nonexistent/policy.yaml"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/policy.yaml"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["validate"][..],
        &["validate", "-f"],
        &["nope"],
        &["validate", "-f", QUICKSTART, "-o", "xml"],
    ] {
        let out = fedplan(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = fedplan(&["validate", "--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--defaulted"));
}

const PP: &str = "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: foo\n  namespace: default\n";
const CPP: &str = "apiVersion: policy.karmada.io/v1alpha1\nkind: ClusterPropagationPolicy\nmetadata:\n  name: foo\n";
const OP: &str = "apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata:\n  name: foo\n  namespace: default\n";
const RB: &str = "apiVersion: work.karmada.io/v1alpha2\nkind: ResourceBinding\nmetadata:\n  name: foo-deployment\n  namespace: default\n";
const CLUSTER: &str =
    "apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: member1\n";
const DEPLOY: &str =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\n";

/// One invalid input: file name, content, and the fragments the error line must hold.
struct Case {
    file: &'static str,
    content: String,
    expect: &'static [&'static str],
}

fn case(file: &'static str, content: impl Into<String>, expect: &'static [&'static str]) -> Case {
    Case {
        file,
        content: content.into(),
        expect,
    }
}

fn invalid_cases() -> Vec<Case> {
    let sel = "spec:\n  resourceSelectors:\n    - {apiVersion: apps/v1, kind: Deployment}\n";
    vec![
        case("flow.yaml", "x: [\n", &["flow.yaml document 1", "line"]),
        case("mapping.yaml", "a: b: c\n", &["mapping.yaml document 1", "line 1"]),
        case("tabs.yaml", "a:\n\tb: 1\n", &["tabs.yaml document 1", "line 2"]),
        case("second-broken.yaml", format!("{DEPLOY}---\nkind: \"x\n"), &["second-broken.yaml document 2", "line"]),
        case("duplicate.yaml", format!("{DEPLOY}spec: {{}}\nspec: {{}}\n"), &["duplicate.yaml document 1", "duplicate"]),
        case("nan.yaml", format!("{DEPLOY}spec: {{replicas: .nan}}\n"), &["nan.yaml document 1", "spec.replicas"]),
        case("bad.json", "{\"apiVersion\": \"v1\",", &["bad.json document 1", "line 1"]),
        case("two.json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}} {\"a\" 1}", &["two.json document 2"]),
        case("scalar.yaml", "just a string\n", &["scalar.yaml document 1", "expected an object, found string"]),
        case("array.yaml", "- 1\n- 2\n", &["array.yaml document 1 items[0]", "found number"]),
        case("no-kind.yaml", "apiVersion: v1\nmetadata: {name: a}\n", &["no-kind.yaml document 1", "kind: required"]),
        case("no-apiversion.yaml", "kind: ConfigMap\nmetadata: {name: a}\n", &["no-apiversion.yaml document 1", "(ConfigMap a)", "apiVersion: required"]),
        case("apiversion-type.yaml", "apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n", &["(ConfigMap a)", "apiVersion: expected string, found number"]),
        case("metadata-type.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: cm\n", &["(ConfigMap <unnamed>)", "metadata: expected object, found string"]),
        case("template-no-name.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {namespace: default}\n", &["(Deployment default/<unnamed>)", "metadata.name: required"]),
        case("policy-no-name.yaml", format!("apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {{namespace: default}}\n{sel}"), &["policy-no-name.yaml document 1", "PropagationPolicy", "metadata.name"]),
        case("label-type.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: 3}}\n", &["(ConfigMap a)", "metadata.labels.app: expected string, found number"]),
        case("annotations-type.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: [x]}\n", &["metadata.annotations: expected object, found array"]),
        case("generation-type.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, generation: two}\n", &["metadata.generation: expected integer"]),
        case("list-bad-item.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    metadata: {name: b}\n", &["list-bad-item.yaml document 1 items[1]", "kind: required"]),
        case("list-items-type.yaml", "apiVersion: v1\nkind: List\nitems: {a: 1}\n", &["list-items-type.yaml document 1", "items: expected an array, found object"]),
        case("list-bad-policy.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: policy.karmada.io/v1alpha1\n    kind: PropagationPolicy\n    metadata: {name: p, namespace: ns}\n    spec: {resourceSelectors: 3}\n", &["items[0] (PropagationPolicy ns/p)", "spec.resourceSelectors: invalid type"]),
        case("pp-no-spec.yaml", PP, &["(PropagationPolicy default/foo)", "missing field `spec`"]),
        case("pp-scheduling-type.yaml", format!("{PP}{sel}  placement:\n    replicaScheduling:\n      replicaSchedulingType: Sometimes\n"), &["pp-scheduling-type.yaml document 1 (PropagationPolicy default/foo)", "spec.placement.replicaScheduling.replicaSchedulingType: unknown variant `Sometimes`"]),
        case("pp-division.yaml", format!("{PP}{sel}  placement:\n    replicaScheduling:\n      replicaDivisionPreference: Evenly\n"), &["spec.placement.replicaScheduling.replicaDivisionPreference: unknown variant `Evenly`"]),
        case("pp-selectors-type.yaml", format!("{PP}spec:\n  resourceSelectors: Deployment\n"), &["spec.resourceSelectors: invalid type: string"]),
        case("pp-selector-kind.yaml", format!("{PP}spec:\n  resourceSelectors:\n    - {{apiVersion: apps/v1, kind: Deployment}}\n    - {{apiVersion: apps/v1, kind: 7}}\n"), &["spec.resourceSelectors[1].kind: invalid type: integer"]),
        case("pp-priority.yaml", format!("{PP}{sel}  priority: high\n"), &["spec.priority: invalid type: string"]),
        case("pp-spread.yaml", format!("{PP}{sel}  placement:\n    spreadConstraints:\n      - spreadByField: country\n        maxGroups: 2\n"), &["spec.placement.spreadConstraints[0].spreadByField: unknown variant `country`"]),
        case("pp-preemption.yaml", format!("{PP}{sel}  preemption: Sometimes\n"), &["spec.preemption: unknown variant `Sometimes`"]),
        case("pp-conflict.yaml", format!("{PP}{sel}  conflictResolution: Merge\n"), &["spec.conflictResolution: unknown variant `Merge`"]),
        case("pp-purge.yaml", format!("{PP}{sel}  failover:\n    application:\n      decisionConditions: {{tolerationSeconds: 30}}\n      purgeMode: Later\n"), &["spec.failover.application.purgeMode: unknown variant `Later`"]),
        case("pp-cluster-names.yaml", format!("{PP}{sel}  placement:\n    clusterAffinity:\n      clusterNames: member1\n"), &["spec.placement.clusterAffinity.clusterNames: invalid type: string"]),
        case("cpp-weight.yaml", format!("{CPP}{sel}  placement:\n    replicaScheduling:\n      replicaSchedulingType: Divided\n      weightPreference:\n        staticWeightList:\n          - targetCluster: {{clusterNames: [m1]}}\n            weight: heavy\n"), &["(ClusterPropagationPolicy foo)", "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight: invalid type: string"]),
        case("op-operator.yaml", format!("{OP}spec:\n  overrideRules:\n    - overriders:\n        plaintext:\n          - {{path: /spec/replicas, operator: upsert, value: 1}}\n"), &["(OverridePolicy default/foo)", "spec.overrideRules[0].overriders.plaintext[0].operator: unknown variant `upsert`"]),
        case("op-image.yaml", format!("{OP}spec:\n  overrideRules:\n    - overriders:\n        imageOverrider:\n          - {{component: Digest, operator: replace, value: x}}\n"), &["spec.overrideRules[0].overriders.imageOverrider[0].component: unknown variant `Digest`"]),
        case("rb-replicas.yaml", format!("{RB}spec:\n  resource: {{apiVersion: apps/v1, kind: Deployment, name: foo}}\n  replicas: three\n"), &["(ResourceBinding default/foo-deployment)", "spec.replicas: invalid type: string"]),
        case("rb-clusters.yaml", format!("{RB}spec:\n  resource: {{apiVersion: apps/v1, kind: Deployment, name: foo}}\n  clusters:\n    - {{name: m1, replicas: many}}\n"), &["spec.clusters[0].replicas: invalid type: string"]),
        case("cluster-taints.yaml", format!("{CLUSTER}spec:\n  taints: NoSchedule\n"), &["(Cluster member1)", "spec.taints: invalid type: string"]),
        case("cluster-spec-type.yaml", format!("{CLUSTER}spec: [1]\n"), &["(Cluster member1)", "spec: invalid type: sequence"]),
        case("pp-affinity-conflict.yaml", format!("{PP}{sel}  placement:\n    clusterAffinity: {{clusterNames: [m1]}}\n    clusterAffinities:\n      - {{affinityName: a, clusterNames: [m1]}}\n"), &["(PropagationPolicy default/foo)", "spec.placement: Invalid value", "clusterAffinities", "clusterAffinity"]),
        case("pp-spread-conflict.yaml", format!("{PP}{sel}  placement:\n    spreadConstraints:\n      - {{spreadByField: cluster, spreadByLabel: zone, maxGroups: 2}}\n"), &["(PropagationPolicy default/foo)", "spec.placement.spreadConstraints[0].spreadByLabel", "spreadByField"]),
        case("op-overriders-conflict.yaml", format!("{OP}{sel}  overriders:\n    plaintext:\n      - {{path: /spec/replicas, operator: remove}}\n  overrideRules:\n    - overriders:\n        plaintext:\n          - {{path: /spec/replicas, operator: remove}}\n"), &["(OverridePolicy default/foo)", "spec.overriders", "overrideRules"]),
        case("work-manifests.yaml", "apiVersion: work.karmada.io/v1alpha1\nkind: Work\nmetadata: {name: w, namespace: karmada-es-m1}\nspec:\n  workload:\n    manifests: {a: 1}\n", &["(Work karmada-es-m1/w)", "spec.workload.manifests: invalid type: map"]),
    ]
}

#[test]
fn invalid_inputs_give_typed_errors_with_field_paths() {
    let cases = invalid_cases();
    assert!(cases.len() >= 30, "{}", cases.len());
    for case in &cases {
        let path = scratch(case.file, case.content.as_bytes());
        let out = fedplan(&["validate", "-f", path.to_str().unwrap()], b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.file);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.file);
        let line = stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{}: no error line in {stderr}", case.file));
        assert!(line.contains(case.file), "{}: {line}", case.file);
        for fragment in case.expect {
            assert!(
                line.contains(fragment),
                "{}: expected {fragment:?} in {line}",
                case.file
            );
        }
    }
}

#[test]
fn invalid_utf8_is_bad_input() {
    let path = scratch(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    );
    let out = fedplan(&["validate", "-f", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("latin1.yaml: not UTF-8"), "{stderr}");
}

#[test]
fn other_versions_of_modelled_kinds_are_templates_with_a_note() {
    let doc = b"apiVersion: work.karmada.io/v1alpha1\nkind: ResourceBinding\nmetadata: {name: rb, namespace: ns}\n";
    let out = fedplan(&["validate", "-f", "-"], doc);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("template (fedplan models ResourceBinding as work.karmada.io/v1alpha2"),
        "{stdout}"
    );
}

#[test]
fn no_execute_taint_policies_need_the_webhook_flag() {
    let policy = scratch(
        "no-execute-taint-policy.yaml",
        b"apiVersion: policy.karmada.io/v1alpha1
kind: ClusterTaintPolicy
metadata:
  name: evict-not-ready
spec:
  addOnConditions:
  - conditionType: Ready
    operator: NotIn
    statusValues: [\"True\"]
  taints:
  - key: not-ready
    effect: NoExecute
",
    );
    let path = policy.to_str().expect("utf-8 path");
    let refused = fedplan(&["validate", "-f", path], b"");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("spec.taints[0]: Forbidden"),
        "{}",
        text(&refused.stderr)
    );
    let admitted = fedplan(
        &["validate", "--allow-no-execute-taint-policy", "-f", path],
        b"",
    );
    assert_eq!(
        admitted.status.code(),
        Some(0),
        "{}",
        text(&admitted.stderr)
    );
    assert!(text(&admitted.stdout).contains("ClusterTaintPolicy evict-not-ready: valid"));
}

//! The plugin host against real components built from source by `interpreters/build.sh`:
//! the example plugin, and hostile fixtures that must each fail with their typed error while
//! the host keeps working.
#![cfg(feature = "wasm")]

use std::path::PathBuf;
use std::time::Duration;

use fedplan::api::{AggregatedStatusItem, ResourceHealth};
use fedplan::interpreter::wasm::{CallFailure, HostConfig, LogLevel, PluginHost, WasmError};
use fedplan::interpreter::{Gvk, InterpreterError, Operation, ResourceInterpreter};
use serde_json::{json, Value};

fn dist(relative: &str) -> PathBuf {
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist")).join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `bash interpreters/build.sh` first (it builds the plugins from source)",
        path.display()
    );
    path
}

fn host_with(config: HostConfig, plugins: &[&str]) -> PluginHost {
    let mut host = PluginHost::new(config).expect("engine");
    for plugin in plugins {
        host.add_path(dist(plugin)).expect("plugin loads");
    }
    host
}

fn host(plugins: &[&str]) -> PluginHost {
    host_with(HostConfig::default(), plugins)
}

const EXAMPLE: &str = "examples/training-job.wasm";

fn training_job(workers: i64) -> Value {
    json!({
        "apiVersion": "training.example.io/v1",
        "kind": "TrainingJob",
        "metadata": {"name": "mnist", "namespace": "ml"},
        "spec": {"replicaSpecs": {
            "Master": {"replicas": 1, "template": {"spec": {"containers": [{"name": "m", "image": "trainer"}]}}},
            "Worker": {"replicas": workers, "template": {"spec": {
                "nodeSelector": {"gpu": "a100"},
                "containers": [{
                    "name": "w",
                    "env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "token", "key": "t"}}}],
                    "resources": {"requests": {"cpu": "1500m", "memory": "2Gi"}, "limits": {"nvidia.com/gpu": "1"}}
                }],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "dataset"}}]
            }}}
        }}
    })
}

fn failure(error: WasmError) -> (String, String, Operation, CallFailure) {
    match error {
        WasmError::Call {
            plugin,
            kind,
            operation,
            failure,
        } => (plugin, kind, operation, failure),
        other => panic!("expected a call failure, got {other:?}"),
    }
}

fn object(kind: &str) -> Value {
    json!({"apiVersion": "testing.fedplan.io/v1", "kind": kind, "metadata": {"name": "x"}, "spec": {"replicas": 2}})
}

/// A good call after a failure proves the host survived it.
fn assert_example_still_works(host: &PluginHost) {
    let result = host
        .call_interpret_replica(&training_job(3))
        .expect("good plugin still works");
    assert_eq!(result.replicas, 3);
}

#[test]
fn example_plugin_implements_its_operations() {
    let host = host(&[EXAMPLE]);
    let gvk = Gvk::new("training.example.io/v1", "TrainingJob");
    assert!(host.handles(&gvk, Operation::InterpretReplica));
    assert!(
        !host.handles(&gvk, Operation::Retain),
        "only the manifest's operations"
    );
    assert!(!host.handles(
        &Gvk::new("apps/v1", "Deployment"),
        Operation::InterpretReplica
    ));

    let replicas = host.interpret_replica(&training_job(4)).expect("replicas");
    assert_eq!(replicas.replicas, 4);
    let requirements = replicas.replica_requirements.expect("requirements");
    assert_eq!(requirements.namespace, "ml");
    let request: Vec<(String, String)> = requirements
        .resource_request
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().to_string()))
        .collect();
    assert_eq!(request.len(), 3, "{request:?}");
    assert_eq!(requirements.resource_request["cpu"].milli_value(), 1500);
    assert_eq!(requirements.resource_request["memory"].value(), 2 << 30);
    assert_eq!(requirements.resource_request["nvidia.com/gpu"].value(), 1);
    let claim = requirements.node_claim.expect("node claim");
    assert_eq!(
        claim.node_selector.get("gpu").map(String::as_str),
        Some("a100")
    );

    let revised = host.revise_replica(&training_job(4), 7).expect("revise");
    assert_eq!(revised["spec"]["replicaSpecs"]["Worker"]["replicas"], 7);
    assert_eq!(revised["spec"]["replicaSpecs"]["Master"]["replicas"], 1);

    let items = vec![
        AggregatedStatusItem {
            cluster_name: "a".into(),
            status: Some(json!({"active": 2, "succeeded": 1})),
            applied: true,
            health: Some(ResourceHealth::Healthy),
            ..Default::default()
        },
        AggregatedStatusItem {
            cluster_name: "b".into(),
            status: None,
            ..Default::default()
        },
        AggregatedStatusItem {
            cluster_name: "c".into(),
            status: Some(json!({"active": 3, "failed": 1})),
            applied: true,
            ..Default::default()
        },
    ];
    let aggregated = host
        .aggregate_status(&training_job(4), &items)
        .expect("aggregate");
    assert_eq!(
        aggregated["status"],
        json!({"active": 5, "succeeded": 1, "failed": 1, "phase": "Running"})
    );

    let failed = json!({"apiVersion": "training.example.io/v1", "kind": "TrainingJob",
        "status": {"conditions": [{"type": "Failed", "status": "True"}]}});
    assert!(!host.interpret_health(&failed).expect("health"));
    assert!(host.interpret_health(&training_job(1)).expect("health"));

    let deps = host
        .interpret_dependency(&training_job(1))
        .expect("dependencies");
    let names: Vec<(&str, &str, &str)> = deps
        .iter()
        .map(|d| (d.kind.as_str(), d.name.as_str(), d.namespace.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("PersistentVolumeClaim", "dataset", "ml"),
            ("Secret", "token", "ml")
        ]
    );
}

/// The example lists the fields it reads; sending it only those changes no answer.
/// The example lists no object field for AggregateStatus (world 1.2): it is sent none, and
/// of what it returns the host keeps only the status, which replaces the job's.
#[test]
fn aggregate_status_of_a_plugin_listing_fields_replaces_only_the_status() {
    let mut job = training_job(4);
    job["metadata"]["labels"] = json!({"team": "ml"});
    job["status"] = json!({"phase": "Pending", "stale": true});
    let items: Vec<AggregatedStatusItem> = (0..3)
        .map(|i| AggregatedStatusItem {
            cluster_name: format!("member-{i}"),
            status: Some(json!({"active": i, "succeeded": 1, "failed": 0,
                "conditions": [{"type": "Running", "status": "True"}]})),
            applied: true,
            ..Default::default()
        })
        .collect();
    for config in [
        HostConfig::default(),
        HostConfig::default().without_projection(),
    ] {
        let aggregated = host_with(config, &[EXAMPLE])
            .call_aggregate_status(&job, &items)
            .expect("aggregates");
        assert_eq!(
            aggregated["status"],
            json!({"active": 3, "failed": 0, "phase": "Running", "succeeded": 3})
        );
        let mut rest = aggregated.clone();
        rest["status"] = job["status"].clone();
        assert_eq!(rest, job, "everything but the status is the job's");
        assert_eq!(
            rest.to_string(),
            job.to_string(),
            "and in the job's key order"
        );
    }
}

#[test]
fn example_answers_the_same_with_and_without_projection() {
    let projected = host(&[EXAMPLE]);
    let whole = host_with(HostConfig::default().without_projection(), &[EXAMPLE]);
    let mut failed = training_job(4);
    failed["status"] = json!({"conditions": [
        {"type": "Running", "status": "True"}, {"type": "Failed", "status": "True"}]});
    let mut no_template = training_job(2);
    no_template["spec"]["replicaSpecs"]["Worker"]["template"] = json!("not an object");
    let items: Vec<AggregatedStatusItem> = (0..4)
        .map(|i| AggregatedStatusItem {
            cluster_name: format!("member-{i}"),
            status: (i != 2).then(|| {
                json!({
                    "active": i, "succeeded": 1, "failed": i % 2, "startTime": "t",
                    "conditions": [{"type": if i == 3 { "Failed" } else { "Running" },
                        "status": "True", "reason": "r"}]
                })
            }),
            applied: true,
            ..Default::default()
        })
        .collect();
    for job in [
        training_job(4),
        failed,
        no_template,
        json!({"kind": "TrainingJob"}),
    ] {
        let job = {
            let mut job = job;
            job["apiVersion"] = json!("training.example.io/v1");
            job["kind"] = json!("TrainingJob");
            job
        };
        for host_answer in [
            |h: &PluginHost, job: &Value, _: &[AggregatedStatusItem]| {
                format!("{:?}", h.call_interpret_replica(job))
            },
            |h: &PluginHost, job: &Value, _: &[AggregatedStatusItem]| {
                format!("{:?}", h.call_interpret_health(job))
            },
            |h: &PluginHost, job: &Value, _: &[AggregatedStatusItem]| {
                format!("{:?}", h.call_interpret_dependency(job))
            },
            |h: &PluginHost, job: &Value, items: &[AggregatedStatusItem]| {
                format!("{:?}", h.call_aggregate_status(job, items))
            },
        ] {
            assert_eq!(
                host_answer(&projected, &job, &items),
                host_answer(&whole, &job, &items),
                "{job}"
            );
        }
    }
}

/// A plugin built against world 1.0.0 (no `fields` export) loads on this 1.x host, works,
/// and gets whole objects.
#[test]
fn plugin_built_against_world_1_0_loads_and_gets_whole_objects() {
    let host = host(&["testing/world-1-0.wasm"]);
    let mut object = object("WorldOneZero");
    object["status"] = json!({"healthy": true, "note": "ü \"quoted\""});
    let reflected = host.call_interpret_status(&object).expect("status");
    assert_eq!(reflected, Some(object.clone()));
    assert!(host.call_interpret_health(&object).expect("health"));
    object["status"]["healthy"] = json!(false);
    assert!(!host.call_interpret_health(&object).expect("health"));
}

/// A plugin built against world 1.1.0 lists fields for InterpretHealth, which that version
/// covers, and gets only those; its answer for AggregateStatus, which 1.1.0 does not cover,
/// is never used: it gets the whole object and the whole object it returns is kept.
#[test]
fn plugin_built_against_world_1_1_gets_whole_objects_for_aggregate_status() {
    let host = host(&["testing/world-1-1.wasm"]);
    let mut object = object("WorldOneOne");
    object["status"] = json!({"healthy": true, "old": 1});
    // Healthy only when the spec was left out, as its InterpretHealth fields say.
    assert!(host.call_interpret_health(&object).expect("health"));

    let items = [AggregatedStatusItem {
        cluster_name: "a".into(),
        status: Some(json!({"ready": true})),
        applied: true,
        ..Default::default()
    }];
    let aggregated = host
        .call_aggregate_status(&object, &items)
        .expect("aggregate");
    let mut expected = object.clone();
    expected["metadata"]["labels"] = json!({"aggregated": "members-1"});
    expected["status"] = json!({ "received": object });
    assert_eq!(aggregated, expected);
}

#[test]
fn unimplemented_operation_and_unknown_kind_are_typed() {
    let host = host(&[EXAMPLE]);
    let err = host
        .call_retain(&training_job(1), &training_job(1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            WasmError::NotHandled {
                operation: Operation::Retain,
                ..
            }
        ),
        "{err:?}"
    );
    let err = host
        .interpret_replica(&json!({"apiVersion": "v1", "kind": "Pod"}))
        .unwrap_err();
    assert!(
        matches!(err, InterpreterError::Unsupported { .. }),
        "{err:?}"
    );
}

#[test]
fn infinite_loop_is_stopped_by_fuel() {
    let host = host(&["testing/infinite-loop.wasm", EXAMPLE]);
    let (plugin, kind, operation, failure) =
        failure(host.call_interpret_replica(&object("Spin")).unwrap_err());
    assert_eq!(
        (plugin.as_str(), kind.as_str(), operation),
        ("infinite-loop", "Spin", Operation::InterpretReplica)
    );
    assert!(
        matches!(failure, CallFailure::FuelExhausted { .. }),
        "{failure:?}"
    );
    assert_example_still_works(&host);
}

#[test]
fn infinite_loop_is_stopped_by_the_epoch_deadline_when_fuel_is_off() {
    let config = HostConfig::default()
        .with_fuel(None)
        .with_timeout(Duration::from_millis(50));
    let host = host_with(config, &["testing/infinite-loop.wasm", EXAMPLE]);
    let (_, _, _, failure) = failure(host.call_interpret_replica(&object("Spin")).unwrap_err());
    assert_eq!(failure, CallFailure::Timeout { millis: 50 });
    assert_example_still_works(&host);
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    let config = HostConfig::default().with_memory_limit(16 << 20);
    let host = host_with(config, &["testing/memory-bomb.wasm", EXAMPLE]);
    let (plugin, _, _, failure) =
        failure(host.call_interpret_replica(&object("Bomb")).unwrap_err());
    assert_eq!(plugin, "memory-bomb");
    assert_eq!(failure, CallFailure::MemoryLimit { limit: 16 << 20 });
    assert_example_still_works(&host);
}

#[test]
fn trap_is_a_typed_error() {
    let host = host(&["testing/trap.wasm", EXAMPLE]);
    let (_, kind, operation, failure) =
        failure(host.call_interpret_health(&object("Trap")).unwrap_err());
    assert_eq!(
        (kind.as_str(), operation),
        ("Trap", Operation::InterpretHealth)
    );
    assert!(matches!(failure, CallFailure::Trap { .. }), "{failure:?}");
    assert_example_still_works(&host);
    // The chain sees the same failure as an interpreter error naming the plugin.
    let err = host.interpret_health(&object("Trap")).unwrap_err();
    match err {
        InterpreterError::Customization {
            interpreter,
            kind,
            operation,
            ..
        } => {
            assert_eq!(
                (interpreter.as_str(), kind.as_str(), operation),
                ("trap", "Trap", Operation::InterpretHealth)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_json_output_is_a_typed_error() {
    let host = host(&["testing/invalid-json.wasm", EXAMPLE]);
    let obj = object("InvalidJson");
    for err in [
        host.call_revise_replica(&obj, 2).unwrap_err(),
        host.call_aggregate_status(&obj, &[]).unwrap_err(),
        host.call_interpret_status(&obj).map(|_| ()).unwrap_err(),
    ] {
        let (plugin, _, _, failure) = failure(err);
        assert_eq!(plugin, "invalid-json");
        assert!(
            matches!(failure, CallFailure::InvalidJson { .. }),
            "{failure:?}"
        );
    }
    assert_example_still_works(&host);
}

#[test]
fn output_of_the_wrong_shape_is_a_typed_error() {
    let host = host(&["testing/wrong-shape.wasm", EXAMPLE]);
    let obj = object("WrongShape");
    let shape = |err: WasmError| match failure(err).3 {
        CallFailure::WrongShape { field, .. } => field,
        other => panic!("expected WrongShape, got {other:?}"),
    };
    assert_eq!(
        shape(host.call_interpret_replica(&obj).unwrap_err()),
        "replicaRequirements.resourceRequest.cpu"
    );
    assert_eq!(
        shape(host.call_aggregate_status(&obj, &[]).unwrap_err()),
        "(result)"
    );
    assert_eq!(
        shape(host.call_revise_replica(&obj, 1).unwrap_err()),
        "(result)"
    );
    assert_eq!(
        shape(host.call_interpret_dependency(&obj).unwrap_err()),
        "dependencies[0].apiVersion"
    );
    assert_example_still_works(&host);
}

#[test]
fn wasi_importing_component_is_refused_at_load() {
    let mut host = host(&[EXAMPLE]);
    let err = host.add_path(dist("testing/wasi-import.wasm")).unwrap_err();
    match &err {
        WasmError::ForbiddenImport { plugin, import } => {
            assert_eq!(plugin, "wasi-import");
            assert!(import.starts_with("wasi:filesystem/"), "{import}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("no WASI"), "{err}");
    assert_eq!(host.plugins().len(), 1);
    assert_example_still_works(&host);
}

#[test]
fn other_major_version_is_refused_naming_its_version() {
    let mut host = host(&[EXAMPLE]);
    let err = host.add_path(dist("testing/other-major.wasm")).unwrap_err();
    assert_eq!(
        err,
        WasmError::IncompatibleVersion {
            plugin: "other-major".into(),
            found: "2.0.0".into(),
            supported: "1.x".into()
        }
    );
    assert!(
        err.to_string().contains("fedplan:interpreter@2.0.0"),
        "{err}"
    );
    assert_example_still_works(&host);
}

#[test]
fn calls_never_share_state() {
    let host = host(&["testing/call-counter.wasm"]);
    for _ in 0..5 {
        let result = host
            .call_interpret_replica(&object("Counter"))
            .expect("call");
        assert_eq!(result.replicas, 1, "a fresh instance per call");
    }
    let status = host
        .call_interpret_status(&object("Counter"))
        .expect("status");
    assert_eq!(status, Some(json!({"calls": 1, "replicas": 2})));
}

#[test]
fn plugin_logs_are_captured_and_bounded() {
    let config = HostConfig {
        max_log_lines: 5,
        max_log_line_bytes: 64,
        ..HostConfig::default()
    };
    let host = host_with(config, &["testing/call-counter.wasm"]);
    host.call_interpret_replica(&object("Counter"))
        .expect("call");
    let logs = host.take_logs();
    let lines: Vec<String> = logs
        .iter()
        .map(|l| format!("{} {}", l.level, l.message))
        .collect();
    assert_eq!(lines, vec!["info call 1", "debug spec.replicas=2"]);
    assert_eq!(logs[0].plugin, "call-counter");
    assert_eq!(logs[0].kind, "Counter");
    assert!(host.take_logs().is_empty(), "take_logs drains");

    let mut flood = object("Counter");
    flood["spec"]["flood"] = json!(true);
    host.call_interpret_status(&flood)
        .expect("flood call still succeeds");
    let logs = host.take_logs();
    assert_eq!(
        logs.len(),
        6,
        "5 lines kept, then one line counting the dropped"
    );
    assert!(logs[0].message.len() <= 64 + 3);
    assert_eq!(logs[5].level, LogLevel::Warn);
    assert!(
        logs[5].message.contains("9995 more log lines dropped"),
        "{}",
        logs[5].message
    );
}

#[test]
fn directory_loads_every_component_in_name_order() {
    let host = PluginHost::load_path(dist("examples")).expect("examples load");
    let names: Vec<&str> = host.plugins().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["training-job"]);
    let info = host
        .plugin_for(
            &Gvk::new("training.example.io/v1", "TrainingJob"),
            Operation::AggregateStatus,
        )
        .expect("dispatch");
    assert_eq!(info.name, "training-job");
}

#[test]
fn first_loaded_plugin_wins_an_operation() {
    // Loading the same component twice under two names: the first keeps every operation.
    let bytes = std::fs::read(dist(EXAMPLE)).expect("read");
    let mut host = PluginHost::new(HostConfig::default()).expect("engine");
    host.add_bytes("a-first", &bytes).expect("load");
    host.add_bytes("b-second", &bytes).expect("load");
    let gvk = Gvk::new("training.example.io/v1", "TrainingJob");
    assert_eq!(
        host.plugin_for(&gvk, Operation::InterpretReplica)
            .map(|p| p.name.as_str()),
        Some("a-first")
    );
}

#[test]
fn garbage_bytes_are_a_compile_error() {
    let mut host = PluginHost::new(HostConfig::default()).expect("engine");
    let err = host.add_bytes("garbage", b"not wasm at all").unwrap_err();
    assert!(
        matches!(err, WasmError::Compile { ref plugin, .. } if plugin == "garbage"),
        "{err:?}"
    );
}

#[test]
fn four_threads_give_the_same_results_as_one() {
    const CALLS: usize = 10_000;
    let host = host(&[EXAMPLE]);
    let inputs: Vec<Value> = (0..CALLS).map(|i| training_job((i % 97) as i64)).collect();
    let run = |obj: &Value| -> String {
        let replicas = host.call_interpret_replica(obj).expect("replicas");
        serde_json::to_string(&replicas).expect("json")
    };
    let sequential: Vec<String> = inputs.iter().map(run).collect();
    let mut parallel: Vec<Option<String>> = vec![None; CALLS];
    std::thread::scope(|scope| {
        for (chunk_inputs, chunk_out) in
            inputs.chunks(CALLS / 4).zip(parallel.chunks_mut(CALLS / 4))
        {
            let run = &run;
            scope.spawn(move || {
                for (input, out) in chunk_inputs.iter().zip(chunk_out.iter_mut()) {
                    *out = Some(run(input));
                }
            });
        }
    });
    let parallel: Vec<String> = parallel
        .into_iter()
        .map(|r| r.expect("every call ran"))
        .collect();
    assert_eq!(parallel, sequential);
}

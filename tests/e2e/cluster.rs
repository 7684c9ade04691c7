//! `sleuth diagnose` and `sleuth cluster` on snapshots: the demo incident, every snapshot layout
//! (sleuth's, `kubectl cluster-info dump` directory and stdout, troubleshoot support bundle),
//! redaction, and bad input.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use sleuth_e2e::{Run, Sandbox, demo, samples};

fn diagnose_json(s: &Sandbox, args: &[&str]) -> (Value, Run) {
    let run = Run::of(s.cmd().arg("diagnose").arg("--json").args(args));
    assert_eq!(run.code, 0, "{run}");
    (serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}")), run)
}

fn find<'a>(report: &'a Value, rule: &str, name: &str) -> Option<&'a Value> {
    report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule && f["name"] == name)
}

#[test]
fn the_demo_snapshot_tells_the_incident_through_its_findings() {
    let s = Sandbox::new();
    let cluster = demo().join("cluster");
    let (r, _) = diagnose_json(&s, &["--snapshot", cluster.to_str().unwrap()]);
    let top: Vec<(String, String)> = r["findings"].as_array().unwrap()[..4]
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["name"].as_str().unwrap().to_string()))
        .collect();
    let node88 = "ip-10-0-1-88.eu-west-1.compute.internal";
    // The story in rank order: the node is down, it ran out of memory, the log-alerting
    // workload without limits is the consumer, and it now starves the second ops node.
    assert_eq!(top[0], ("NODE-1".into(), node88.into()));
    assert_eq!(top[1], ("NODE-4".into(), node88.into()));
    assert_eq!(top[2], ("POD-14".into(), "log-alerter".into()));
    assert_eq!(top[3], ("NODE-2".into(), "ip-10-0-2-91.eu-west-1.compute.internal".into()));
    let oom = find(&r, "POD-9", "log-alerter").expect("the OOM kill that recovered");
    assert!(oom["message"].as_str().unwrap().contains("memory limit: none"));
    assert!(
        find(&r, "NODE-4", node88).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("prometheus, grafana, log-alerter")
    );
    // The monitoring stack is unreachable, and why.
    assert!(find(&r, "SVC-2", "grafana").is_some() && find(&r, "SVC-2", "prometheus-server").is_some());
    assert!(find(&r, "POD-1", "grafana").unwrap()["message"].as_str().unwrap().contains("untolerated taint"));
    assert!(find(&r, "STS-3", "prometheus-server").is_some());
    assert!(find(&r, "POD-3", "grafana").is_some(), "the eviction");
    let on_node = find(&r, "POD-13", "prometheus-server").unwrap();
    assert!(on_node["related"].as_array().unwrap().iter().any(|x| x.as_str().unwrap().starts_with("NODE-1")));
    // The everyday problems.
    assert!(find(&r, "POD-6", "notifications").unwrap()["message"].as_str().unwrap().contains("2.4.l"));
    assert!(find(&r, "DEP-3", "notifications").is_some());
    assert!(
        find(&r, "SVC-1", "payments-internal").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("no pod matches")
    );
    let pvc = find(&r, "PVC-1", "orders-export").unwrap();
    assert_eq!(pvc["also"], json!(["STO-6"]));
    // RBAC gaps are stated, not mistaken for absence.
    assert!(
        r["summary"]["unverifiable"]["validatingwebhookconfigurations"]
            .as_str()
            .unwrap()
            .contains("forbidden")
    );
    // Every finding carries the contract's fields.
    for f in r["findings"].as_array().unwrap() {
        for key in ["rule", "severity", "kind", "namespace", "name", "message", "evidence", "pods", "hint"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
}

#[test]
fn text_output_reads_like_a_report_and_filters_by_severity() {
    let s = Sandbox::new();
    let run = Run::of(
        s.cmd().args(["diagnose", "--min-severity", "error", "--snapshot"]).arg(demo().join("cluster")),
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("demo snapshot of pinecart-prod"), "{run}");
    assert!(run.stdout.contains("CRITICAL NODE-1 Node/ip-10-0-1-88"), "{run}");
    assert!(run.stdout.contains("  next: kubectl describe node ip-10-0-1-88"), "{run}");
    assert!(!run.stdout.contains("INFO "), "{run}");
    assert!(run.stdout.contains("below the severity shown"), "{run}");
    // Suppressing a known issue is counted.
    let run = Run::of(
        s.cmd().args(["diagnose", "--suppress", "SVC-1:shop/*", "--snapshot"]).arg(demo().join("cluster")),
    );
    assert!(
        !run.stdout.contains("SVC-1 Service/shop/payments-internal") && run.stdout.contains("1 suppressed"),
        "{run}"
    );
}

#[test]
fn with_no_kubeconfig_diagnose_uses_the_demo_snapshot_and_says_so() {
    let s = Sandbox::new();
    let run = Run::of(s.cmd().args(["diagnose", "--min-severity", "critical"]));
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.contains("using the bundled demo snapshot"), "{run}");
    assert!(run.stdout.contains("NODE-1"), "{run}");
}

#[test]
fn cluster_queries_answer_from_a_snapshot() {
    let s = Sandbox::new();
    let snap = demo().join("cluster");
    let q = |args: &[&str]| {
        let run = Run::of(s.cmd().arg("cluster").args(args).arg("--snapshot").arg(&snap));
        assert_eq!(run.code, 0, "{args:?}: {run}");
        run.stdout
    };
    let pods = q(&["list", "pods", "-n", "monitoring"]);
    assert!(pods.starts_with("NAME"), "{pods}");
    assert!(
        pods.lines().any(|l| l.starts_with("grafana-6d8f7b9c4d-t5vnb") && l.contains("Pending")),
        "{pods}"
    );
    let describe = q(&["describe", "pod", "prometheus-server-0"]);
    assert!(describe.contains("Last State:     Terminated: OOMKilled (exit code 137)"), "{describe}");
    assert!(describe.contains("Limits:         memory=2Gi"), "{describe}");
    assert!(describe.contains("TaintManagerEviction"), "its own events: {describe}");
    assert!(
        !describe.contains("RecreatingFailedPod"),
        "the StatefulSet's events are not the pod's: {describe}"
    );
    let history = q(&["history", "log-alerter"]);
    assert!(
        history.contains("image ghcr.io/pinecart/log-alerter:2.14.0 → ghcr.io/pinecart/log-alerter:2.15.0"),
        "{history}"
    );
    assert!(history.contains("env QUERY_MAX_LINES \"5000\" → \"0\""), "{history}");
    assert!(history.contains("now uses ConfigMap/log-alerter-rules-v7"), "{history}");
    let related = q(&["related", "ingress", "grafana"]);
    assert!(related.contains("Service/grafana") && related.contains("(NotReady)"), "{related}");
    let logs = q(&["logs", "log-alerter-7c9f8d6b54-x2k8q", "--previous", "--grep", "heap", "--tail", "5"]);
    assert!(logs.lines().count() <= 5 && logs.contains("heap_mib"), "{logs}");
    let events = q(&["events", "--warnings", "--object", "node/ip-10-0-1-88.eu-west-1.compute.internal"]);
    assert!(events.contains("SystemOOM") && !events.contains("NodeNotReady"), "{events}");
    let yaml = q(&["get", "secret", "grafana-admin", "-n", "monitoring"]);
    assert!(yaml.contains("name: grafana-admin") && !yaml.contains("\ndata:"), "{yaml}");
    let missing =
        Run::of(s.cmd().args(["cluster", "get", "pod", "nope", "-n", "shop", "--snapshot"]).arg(&snap));
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("Pod nope not found in namespace shop"), "{missing}");
}

/// A `kubectl cluster-info dump --output-directory` tree built from the real sample lists.
fn dump_dir(root: &Path) -> std::path::PathBuf {
    let d = root.join("dump");
    let pods: Value =
        serde_json::from_str(&fs::read_to_string(samples().join("k8s/dump/pods.json")).unwrap()).unwrap();
    fs::create_dir_all(&d).unwrap();
    fs::copy(samples().join("k8s/dump/nodes.json"), d.join("nodes.json")).unwrap();
    let mut by_ns: std::collections::BTreeMap<String, Vec<Value>> = std::collections::BTreeMap::new();
    for p in pods["items"].as_array().unwrap() {
        by_ns.entry(p["metadata"]["namespace"].as_str().unwrap().to_string()).or_default().push(p.clone());
    }
    for (ns, items) in &by_ns {
        fs::create_dir_all(d.join(ns)).unwrap();
        fs::write(
            d.join(ns).join("pods.json"),
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}).to_string(),
        )
        .unwrap();
        fs::write(
            d.join(ns).join("events.json"),
            r#"{"kind":"EventList","apiVersion":"v1","metadata":{},"items":[]}"#,
        )
        .unwrap();
        fs::write(
            d.join(ns).join("replication-controllers.json"),
            r#"{"kind":"ReplicationControllerList","apiVersion":"v1","metadata":{},"items":[]}"#,
        )
        .unwrap();
        let first = items[0]["metadata"]["name"].as_str().unwrap();
        let container = items[0]["spec"]["containers"][0]["name"].as_str().unwrap();
        fs::create_dir_all(d.join(ns).join(first)).unwrap();
        fs::write(
            d.join(ns).join(first).join("logs.txt"),
            format!("==== START logs for container {container} of pod {ns}/{first} ====\nAuthorization: Bearer 9f8a7b6c5d4e3f2a1b0c9d8e7f6a\nERROR upstream failed\n==== END logs for container {container} of pod {ns}/{first} ====\n"),
        )
        .unwrap();
    }
    d
}

#[test]
fn a_kubectl_cluster_info_dump_is_read_in_both_forms() {
    let s = Sandbox::new();
    let d = dump_dir(s.path());
    let (r, _) = diagnose_json(&s, &["--snapshot", d.to_str().unwrap()]);
    assert!(r["summary"]["objects"]["pods"].as_u64().unwrap() >= 10, "{}", r["summary"]);
    assert!(r["summary"]["objects"]["nodes"].as_u64().unwrap() >= 1);
    // Kinds a dump does not hold are unverifiable, never missing.
    assert_eq!(r["summary"]["unverifiable"]["ingresses"], "cannot verify: not in snapshot");
    assert!(r["summary"]["skipped"].as_array().unwrap().is_empty(), "{}", r["summary"]["skipped"]);

    // The stdout form: the same lists as consecutive documents with the log sections between.
    let mut stdout = fs::read_to_string(d.join("nodes.json")).unwrap();
    for ns in fs::read_dir(&d).unwrap().flatten().filter(|e| e.path().is_dir()) {
        for f in ["events.json", "replication-controllers.json", "pods.json"] {
            stdout.push('\n');
            stdout.push_str(&fs::read_to_string(ns.path().join(f)).unwrap());
        }
        for pod in fs::read_dir(ns.path()).unwrap().flatten().filter(|e| e.path().is_dir()) {
            stdout.push('\n');
            stdout.push_str(&fs::read_to_string(pod.path().join("logs.txt")).unwrap());
        }
    }
    let file = s.path().join("dump.txt");
    fs::write(&file, &stdout).unwrap();
    let (r2, _) = diagnose_json(&s, &["--snapshot", file.to_str().unwrap()]);
    assert_eq!(r2["summary"]["objects"], r["summary"]["objects"]);
    assert_eq!(r2["findings"], r["findings"]);

    // Logs came through, redacted.
    let pods: Value =
        serde_json::from_str(&fs::read_to_string(samples().join("k8s/dump/pods.json")).unwrap()).unwrap();
    let p = &pods["items"][0];
    let run = Run::of(
        s.cmd()
            .args([
                "cluster",
                "logs",
                p["metadata"]["name"].as_str().unwrap(),
                "-n",
                p["metadata"]["namespace"].as_str().unwrap(),
                "--snapshot",
            ])
            .arg(&file),
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("ERROR upstream failed") && !run.stdout.contains("9f8a7b6c5d4e"), "{run}");
}

#[test]
fn a_support_bundle_archive_is_read_as_is() {
    let s = Sandbox::new();
    let bundle = samples().join("k8s/support-bundle/support-bundle.tar.gz");
    let (r, _) = diagnose_json(&s, &["--snapshot", bundle.to_str().unwrap()]);
    let sm = &r["summary"];
    assert!(sm["objects"]["pods"].as_u64().unwrap() > 5, "{sm}");
    assert!(sm["objects"]["deployments"].as_u64().unwrap() > 0, "{sm}");
    assert!(sm["objects"]["nodes"].as_u64().unwrap() > 0, "{sm}");
    assert!(sm["source"].as_str().unwrap().starts_with("support bundle"), "{sm}");
    let run =
        Run::of(s.cmd().args(["cluster", "list", "pods", "-n", "kube-system", "--snapshot"]).arg(&bundle));
    assert!(run.stdout.contains("coredns-"), "{run}");
}

#[test]
fn bad_snapshots_give_precise_messages_and_partial_results() {
    let s = Sandbox::new();
    let d = s.path().join("broken");
    fs::create_dir_all(d.join("resources")).unwrap();
    fs::write(
        d.join("snapshot.json"),
        r#"{"format": "sleuth-snapshot/v1", "source": "hand-made", "captured_at": "2026-01-01T01:00:00Z"}"#,
    )
    .unwrap();
    // Truncated JSON.
    fs::write(d.join("resources/services.json"), "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"metadata\": {\"name\": \"a\",\n \"namespace\"").unwrap();
    // An unknown kind.
    fs::write(d.join("resources/widgets.json"), r#"{"items": []}"#).unwrap();
    // One item that does not parse, next to a good one.
    fs::write(d.join("resources/pods.json"), json!({"items": [
        {"metadata": {"name": "ok", "namespace": "shop"}, "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes are available: 1 Insufficient cpu."}]}},
        {"metadata": {"name": "bad", "namespace": "shop"}, "spec": {"containers": "not a list"}}
    ]}).to_string()).unwrap();
    // Events with null timestamps everywhere.
    fs::write(d.join("resources/events.json"), json!({"items": [
        {"metadata": {"name": "e1", "namespace": "shop"}, "involvedObject": {"kind": "Pod", "name": "ok", "namespace": "shop"}, "reason": "FailedScheduling", "type": "Warning", "message": "0/1 nodes", "firstTimestamp": null, "lastTimestamp": null, "eventTime": null}
    ]}).to_string()).unwrap();
    let (r, run) = diagnose_json(&s, &["--snapshot", d.to_str().unwrap()]);
    let skipped: Vec<&str> =
        r["summary"]["skipped"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(
        skipped.iter().any(|p| p.starts_with("resources/services.json:2: truncated JSON")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|p| p.starts_with("resources/widgets.json") && p.contains("unknown kind \"widgets\"")),
        "{skipped:?}"
    );
    assert!(skipped.iter().any(|p| p.contains("skipped Pod shop/bad")), "{skipped:?}");
    assert!(find(&r, "POD-1", "ok").is_some(), "the good pod was still analyzed: {}", run.stdout);
    // Missing folders: nothing about nodes or logs, and no false "missing" findings.
    assert_eq!(r["summary"]["unverifiable"]["nodes"], "cannot verify: not in snapshot");
    assert!(!run.stdout.contains("panicked") && !run.stderr.contains("panicked"));

    // Not a snapshot at all: one line, exit 1.
    let empty = s.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let run = Run::of(s.cmd().args(["diagnose", "--snapshot"]).arg(&empty));
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("not a cluster snapshot"), "{run}");
    // A snapshot format from the future is refused by name.
    fs::write(empty.join("snapshot.json"), r#"{"format": "sleuth-snapshot/v9", "source": "x"}"#).unwrap();
    let run = Run::of(s.cmd().args(["diagnose", "--snapshot"]).arg(&empty));
    assert!(run.stderr.contains("sleuth-snapshot/v9"), "{run}");
}

#[test]
fn secrets_from_a_raw_dump_never_come_out() {
    let s = Sandbox::new();
    let d = s.path().join("dump");
    fs::create_dir_all(d.join("shop")).unwrap();
    fs::write(d.join("nodes.json"), r#"{"kind":"NodeList","items":[]}"#).unwrap();
    fs::write(d.join("shop/pods.json"), json!({"kind": "PodList", "items": [{
        "metadata": {"name": "api", "namespace": "shop", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"stringData\":{\"password\":\"hunter2-hunter2\"}}"}},
        "spec": {"containers": [{"name": "api", "image": "api:1", "args": ["--api-token", "tok_51HxQ2eZvKYlo2C9"],
            "env": [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"}, {"name": "GITHUB", "value": "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}]}]},
        "status": {"phase": "Running"}}]}).to_string()).unwrap();
    fs::write(d.join("shop/secrets.json"), json!({"kind": "SecretList", "items": [{"metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "aHVudGVyMi1odW50ZXIy"}}]}).to_string()).unwrap();
    let out = s.path().join("converted");
    let run = Run::of(s.cmd().args(["snapshot", "-A", "--snapshot"]).arg(&d).arg("-o").arg(&out));
    assert_eq!(run.code, 0, "{run}");
    let mut everything = String::new();
    for e in walk(&out) {
        everything.push_str(&fs::read_to_string(e).unwrap());
    }
    for q in [["get", "pod", "api"], ["get", "secret", "db"]] {
        let run = Run::of(s.cmd().arg("cluster").args(q).args(["-n", "shop", "--snapshot"]).arg(&d));
        assert_eq!(run.code, 0, "{run}");
        everything.push_str(&run.stdout);
    }
    for secret in ["hunter2", "aHVudGVyMi1odW50ZXIy", "tok_51HxQ2eZvKYlo2C9", "ghp_abcdefghij"] {
        assert!(!everything.contains(secret), "{secret} leaked:\n{everything}");
    }
    assert!(everything.contains("DB_PASSWORD") && everything.contains("[REDACTED]"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

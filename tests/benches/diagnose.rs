//! `cargo bench -p sleuth-e2e --bench diagnose`
//!
//! Issue 3's targets: `diagnose` on a generated snapshot of 500 nodes, 10,000 pods and 50,000
//! events in under 1 s and 500 MB RSS, and the number of API requests a live `diagnose` makes.
//!
//! The snapshot is generated, written in sleuth's layout, then loaded and analyzed in a fresh
//! child process (this binary re-executed with `--child DIR`) so that its peak RSS (`VmHWM`) is
//! the diagnose run's alone. The live run goes through kube's real client against the fake API
//! server (which stands in for kube-apiserver) serving the same objects, counting requests.

use std::process::Command;
use std::time::Instant;

use analyzers::{Options, analyze};
use cluster::source::NoProgress;
use cluster::{ClusterData, ClusterSource, Kind, Scope};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sleuth_e2e::apiserver::FakeApiServer;

const NODES: usize = 500;
const PODS: usize = 10_000;
const EVENTS: usize = 50_000;
const PODS_PER_DEPLOYMENT: usize = 10;
const NAMESPACES: usize = 20;

fn ts(minutes_before: usize) -> String {
    let t: jiff::Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
    (t - jiff::SignedDuration::from_secs(i64::try_from(minutes_before * 60).unwrap())).to_string()
}

fn generate() -> ClusterData {
    let mut items: Vec<(Kind, Value)> = Vec::new();
    for n in 0..NODES {
        let ready = if n % 97 == 5 { "Unknown" } else { "True" };
        let pressure = if n % 89 == 3 { "True" } else { "False" };
        items.push((Kind::Node, json!({"metadata": {"name": format!("node-{n}"), "labels": {"kubernetes.io/hostname": format!("node-{n}")}, "creationTimestamp": ts(10_000)},
            "spec": {"taints": if n % 50 == 0 { json!([{"key": "dedicated", "value": "ops", "effect": "NoSchedule"}]) } else { json!([]) }},
            "status": {"conditions": [{"type": "Ready", "status": ready, "reason": "KubeletReady"}, {"type": "MemoryPressure", "status": pressure}, {"type": "DiskPressure", "status": "False"}, {"type": "KernelReady", "status": "True"}],
                "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}, "nodeInfo": {"kubeletVersion": "v1.30.4"}}})));
    }
    for d in 0..PODS / PODS_PER_DEPLOYMENT {
        let ns = format!("team-{}", d % NAMESPACES);
        let name = format!("svc-{d}");
        let rs = format!("{name}-7d9f8c6b5");
        let labels = json!({"app": name});
        items.push((Kind::Deployment, json!({"metadata": {"name": name, "namespace": ns, "creationTimestamp": ts(5000)},
            "spec": {"replicas": PODS_PER_DEPLOYMENT, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": format!("registry/{name}:1.0.{d}")}]}}},
            "status": {"replicas": PODS_PER_DEPLOYMENT, "readyReplicas": if d % 23 == 0 { PODS_PER_DEPLOYMENT - 1 } else { PODS_PER_DEPLOYMENT }}})));
        items.push((Kind::ReplicaSet, json!({"metadata": {"name": rs, "namespace": ns, "annotations": {"deployment.kubernetes.io/revision": "3"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": format!("d{d}"), "controller": true}]},
            "spec": {"replicas": PODS_PER_DEPLOYMENT, "selector": {"matchLabels": labels}}, "status": {"replicas": PODS_PER_DEPLOYMENT}})));
        items.push((Kind::Service, json!({"metadata": {"name": name, "namespace": ns}, "spec": {"selector": if d % 41 == 0 { json!({"app": "typo"}) } else { labels.clone() }, "ports": [{"port": 80, "targetPort": 8080}]}})));
        let mut endpoints = Vec::new();
        for i in 0..PODS_PER_DEPLOYMENT {
            let pod = format!("{rs}-{i:05}");
            let node = format!("node-{}", (d * PODS_PER_DEPLOYMENT + i) % NODES);
            let crashing = (d * PODS_PER_DEPLOYMENT + i).is_multiple_of(53);
            let oom = (d * PODS_PER_DEPLOYMENT + i).is_multiple_of(71);
            let state = if crashing {
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}})
            } else {
                json!({"running": {"startedAt": ts(100)}})
            };
            let last = if crashing || oom {
                json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ts(30)}})
            } else {
                json!({})
            };
            items.push((Kind::Pod, json!({"metadata": {"name": pod, "namespace": ns, "labels": labels, "creationTimestamp": ts(200), "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": format!("r{d}"), "controller": true}]},
                "spec": {"nodeName": node, "serviceAccountName": "app", "containers": [{"name": "app", "image": format!("registry/{name}:1.0.{d}"), "ports": [{"containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": if i % 2 == 0 { json!({"memory": "256Mi"}) } else { json!({}) }},
                    "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "value": "generated-secret-value"}]}]},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if crashing { "False" } else { "True" }}, {"type": "PodScheduled", "status": "True"}],
                    "containerStatuses": [{"name": "app", "image": "x", "imageID": "", "ready": !crashing, "restartCount": if crashing || oom { 5 } else { 0 }, "state": state, "lastState": last}]}})));
            endpoints.push(json!({"addresses": [format!("10.{}.{}.{}", d % 250, i, d % 200)], "conditions": {"ready": !crashing}, "targetRef": {"kind": "Pod", "name": pod, "namespace": ns}}));
        }
        items.push((Kind::EndpointSlice, json!({"metadata": {"name": format!("{name}-abc"), "namespace": ns, "labels": {"kubernetes.io/service-name": name}}, "addressType": "IPv4", "endpoints": endpoints})));
    }
    let reasons = [
        ("Normal", "Pulled"),
        ("Normal", "Started"),
        ("Warning", "BackOff"),
        ("Warning", "Unhealthy"),
        ("Normal", "Scheduled"),
    ];
    for e in 0..EVENTS {
        let pod_index = e % PODS;
        let d = pod_index / PODS_PER_DEPLOYMENT;
        let (ty, reason) = reasons[e % reasons.len()];
        let null_times = e % 7 == 0;
        let mut ev = json!({"metadata": {"name": format!("ev-{e}"), "namespace": format!("team-{}", d % NAMESPACES), "uid": format!("u{e}"), "creationTimestamp": ts(e % 600)},
            "involvedObject": {"kind": "Pod", "namespace": format!("team-{}", d % NAMESPACES), "name": format!("svc-{d}-7d9f8c6b5-{:05}", pod_index % PODS_PER_DEPLOYMENT)},
            "reason": reason, "type": ty, "message": format!("{reason} for container app (attempt {e})"), "count": 1 + e % 9});
        if null_times {
            ev["eventTime"] = json!(ts(e % 600).replace('Z', ".000000Z"));
            ev["lastTimestamp"] = Value::Null;
        } else {
            ev["lastTimestamp"] = json!(ts(e % 600));
            ev["firstTimestamp"] = json!(ts(e % 600 + 5));
        }
        items.push((Kind::Event, ev));
    }
    for n in (0..NODES).filter(|n| n % 89 == 3) {
        items.push((Kind::Event, json!({"metadata": {"name": format!("oom-{n}"), "namespace": "default"}, "involvedObject": {"kind": "Node", "name": format!("node-{n}")}, "reason": "SystemOOM", "type": "Warning", "message": "System OOM encountered, victim process: java, pid: 1", "lastTimestamp": ts(20)})));
    }
    let mut data = ClusterData::default();
    for &k in Kind::ALL {
        let raws: Vec<Box<RawValue>> = items
            .iter()
            .filter(|(kind, _)| *kind == k)
            .map(|(_, v)| RawValue::from_string(v.to_string()).unwrap())
            .collect();
        let refs: Vec<&RawValue> = raws.iter().map(AsRef::as_ref).collect();
        data.insert_raw(k, &refs, "generated");
    }
    data.info.captured_at = Some("2026-01-01T12:00:00Z".parse().unwrap());
    data.info.source = "generated benchmark cluster".into();
    data.finish();
    data
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// In the child: load the snapshot and analyze it, as `sleuth diagnose --snapshot` does.
fn child(dir: &str, runs: usize) {
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let data = cluster::snapshot::load(std::path::Path::new(dir)).expect("load");
        let loaded = t.elapsed();
        let report = analyze(&data, &Options::default());
        findings = report.findings.len();
        times.push((t.elapsed().as_secs_f64(), loaded.as_secs_f64()));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, load) = times[times.len() / 2];
    // `sleuth graph` on the same capture: the causal graph from every event and finding.
    let data = cluster::snapshot::load(std::path::Path::new(dir)).expect("load");
    let report = analyze(&data, &Options::default());
    let t = Instant::now();
    let opts = analyzers::graph::Options {
        since: jiff::SignedDuration::from_hours(24 * 30),
        namespaces: Vec::new(),
    };
    let graph = analyzers::graph::build(&data, &report, &opts);
    let built = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let ranked = rcagraph::analyze(&graph);
    let explained = t.elapsed().as_secs_f64();
    // The root-cause engine on one crash-looping workload (timeline, graph, ranking, hypotheses).
    let t = Instant::now();
    let subject = analyzers::engine::Subject { names: vec!["svc-53".into()], namespace: None };
    let inv = analyzers::engine::investigate(&data, &report, &subject);
    let engine = t.elapsed().as_secs_f64();
    println!(
        "{{\"median_s\": {median:.3}, \"load_s\": {load:.3}, \"min_s\": {:.3}, \"max_s\": {:.3}, \"findings\": {findings}, \"peak_rss_mb\": {:.0}, \"graph_build_s\": {built:.3}, \"graph_nodes\": {}, \"graph_edges\": {}, \"graph_rank_s\": {explained:.3}, \"root_causes\": {}, \"engine_s\": {engine:.3}, \"engine_top\": {:?}}}",
        times[0].0,
        times[times.len() - 1].0,
        peak_rss_mb(),
        graph.nodes.len(),
        graph.edges.len(),
        ranked.root_causes.len(),
        inv.top().map(|h| format!("{} {}", h.cause, h.object)).unwrap_or_default()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], 5);
        return;
    }
    let t = Instant::now();
    let data = generate();
    let dir = tempfile::tempdir().unwrap();
    cluster::snapshot::own::write(&data, dir.path()).unwrap();
    let bytes: u64 = walk_size(dir.path());
    println!(
        "generated {} nodes, {} pods, {} events ({:.1} MB on disk) in {:.1} s",
        data.objects.nodes.len(),
        data.objects.pods.len(),
        data.objects.events.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let out = Command::new(std::env::current_exe().unwrap()).arg("--child").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    println!("snapshot diagnose (load + analyze, 5 runs): {}", String::from_utf8_lossy(&out.stdout).trim());

    // An offline answer end to end: the real binary, the snapshot, no model, no index.
    let sandbox = sleuth_e2e::Sandbox::new();
    let ask = || {
        let t = Instant::now();
        let out = sandbox
            .cmd()
            .args(["ask", "--snapshot"])
            .arg(dir.path())
            .arg("why is svc-53 failing?")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (t.elapsed().as_secs_f64(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let _ = ask();
    let mut runs: Vec<(f64, String)> = (0..3).map(|_| ask()).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "offline ask end to end (median of 3): {:.2} s; answer starts: {:?}",
        runs[1].0,
        runs[1].1.lines().next().unwrap_or("")
    );

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let server = FakeApiServer::start(data, &[]).await;
        let config = kube::Config::new(server.url().parse().unwrap());
        let live = ClusterSource::Live(cluster::live::from_config(config, None, None).unwrap());
        let t = Instant::now();
        let (report, _) = analyzers::diagnose::diagnose(&live, &Scope::default(), &Options::default(), &NoProgress).await.unwrap();
        let elapsed = t.elapsed();
        let reqs = server.requests();
        let first_pages = reqs.iter().filter(|r| r.uri.contains("limit=") && !r.uri.contains("continue=")).count();
        let next_pages = reqs.iter().filter(|r| r.uri.contains("continue=")).count();
        let logs = reqs.iter().filter(|r| r.uri.contains("/log?")).count();
        println!(
            "live diagnose: {} requests = {first_pages} lists (one per kind, {} kinds) + {next_pages} continuation pages ({} objects per page) + {logs} log tails (implicated containers, capped at {}) + {} other; {} findings in {:.2} s",
            reqs.len(),
            Kind::ALL.len(),
            cluster::live::PAGE_SIZE,
            analyzers::diagnose::DIAGNOSE_LOG_LIMIT,
            reqs.len() - first_pages - next_pages - logs,
            report.findings.len(),
            elapsed.as_secs_f64()
        );
    });
}

fn walk_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| if e.path().is_dir() { walk_size(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) })
        .sum()
}

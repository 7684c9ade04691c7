//! Live clusters through kube's real client, against the fake API server (which stands in for
//! kube-apiserver: none can run here), cross-checked with the real `kubectl`.

use std::collections::BTreeSet;
use std::process::Command;

use analyzers::Options;
use assistant::cli::{At, ClusterCommand, ClusterFlags};
use cluster::source::NoProgress;
use cluster::{ClusterData, ClusterSource, Kind, Scope};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::Value;
use sleuth_e2e::apiserver::FakeApiServer;
use sleuth_e2e::{Run, Sandbox, demo};

fn demo_data() -> ClusterData {
    cluster::snapshot::load(&demo().join("cluster")).expect("demo snapshot loads")
}

fn live(server: &FakeApiServer) -> ClusterSource {
    let config = kube::Config::new(server.url().parse().expect("url"));
    ClusterSource::Live(cluster::live::from_config(config, Some("fake".into()), None).expect("client"))
}

/// The name of a pod of the demo's `shop` namespace.
fn shop_pod(data: &ClusterData) -> String {
    data.objects
        .pods
        .iter()
        .find(|p| p.metadata.namespace.as_deref() == Some("shop"))
        .and_then(|p| p.metadata.name.clone())
        .expect("a shop pod")
}

/// The agent's tools on `cluster` alone (no index), as one person's machine has them.
fn tools_on(cluster: ClusterSource, namespace: Option<&str>) -> assistant::agent::ToolBox {
    assistant::agent::ToolBox {
        searcher: None,
        cluster: Some(cluster),
        namespace: namespace.map(String::from),
        demo: assistant::agent::DemoParts::default(),
        mode: assistant::agent::Mode::Local,
    }
}

fn kubectl(server: &FakeApiServer, sandbox: &Sandbox, args: &[&str]) -> Value {
    let empty = sandbox.path().join("empty-kubeconfig");
    std::fs::write(&empty, "apiVersion: v1\nkind: Config\n").unwrap();
    let out = Command::new("kubectl")
        .env("KUBECONFIG", &empty)
        .env("HOME", sandbox.path())
        .arg(format!("--server={}", server.url()))
        .arg(format!("--cache-dir={}", sandbox.path().join("kubectl-cache").display()))
        .args(args)
        .output()
        .expect("kubectl is installed (.ci/run installs it)");
    assert!(out.status.success(), "kubectl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("kubectl prints JSON")
}

fn names(list: &Value) -> BTreeSet<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reads_the_snapshot_through_the_fake_server() {
    let data = demo_data();
    let want: BTreeSet<String> = data
        .objects
        .pods
        .iter()
        .map(|p| {
            format!("{}/{}", p.metadata.namespace.as_deref().unwrap(), p.metadata.name.as_deref().unwrap())
        })
        .collect();
    let server = FakeApiServer::start(data, &[]).await;
    let s = Sandbox::new();
    let (server, s) = tokio::task::spawn_blocking(move || {
        let all = kubectl(&server, &s, &["get", "pods", "-A", "-o", "json"]);
        assert_eq!(names(&all), want, "kubectl sees exactly the snapshot's pods");
        let checkout =
            kubectl(&server, &s, &["get", "pods", "-n", "shop", "-l", "app=checkout", "-o", "json"]);
        assert_eq!(names(&checkout).len(), 2);
        assert!(names(&checkout).iter().all(|n| n.starts_with("shop/checkout-")));
        let node =
            kubectl(&server, &s, &["get", "node", "ip-10-0-1-88.eu-west-1.compute.internal", "-o", "json"]);
        assert_eq!(node["kind"], "Node");
        (server, s)
    })
    .await
    .unwrap();
    // kubectl pages through lists like any client: small pages still return everything.
    let paged = tokio::task::spawn_blocking(move || {
        kubectl(&server, &s, &["get", "pods", "-A", "--chunk-size=4", "-o", "json"])
    })
    .await
    .unwrap();
    assert_eq!(names(&paged).len(), 35);
}

fn at(ns: Option<&str>) -> At {
    At { cluster: ClusterFlags::default(), namespace: ns.map(String::from), json: false }
}

fn queries() -> Vec<(ClusterCommand, At)> {
    let mut q = Vec::new();
    for kind in [
        "pods",
        "deploy",
        "rs",
        "sts",
        "ds",
        "svc",
        "nodes",
        "jobs",
        "cronjobs",
        "pvc",
        "ingress",
        "configmaps",
        "secrets",
        "hpa",
        "pdb",
        "netpol",
        "ns",
        "sc",
        "pv",
        "endpointslices",
        "events",
    ] {
        q.push((ClusterCommand::List { kind: kind.into(), selector: None, at: at(None) }, at(None)));
        q.push((
            ClusterCommand::List { kind: kind.into(), selector: None, at: at(Some("monitoring")) },
            at(Some("monitoring")),
        ));
    }
    q.push((
        ClusterCommand::List {
            kind: "pods".into(),
            selector: Some("app in (grafana,loki),team!=shop".into()),
            at: at(Some("monitoring")),
        },
        at(Some("monitoring")),
    ));
    for (kind, name, ns) in [
        ("pod", "prometheus-server-0", "monitoring"),
        ("deployment", "grafana", "monitoring"),
        ("deployment", "notifications", "shop"),
        ("service", "payments-internal", "shop"),
        ("service", "grafana", "monitoring"),
        ("node", "ip-10-0-1-88.eu-west-1.compute.internal", "default"),
        ("pvc", "orders-export", "shop"),
        ("statefulset", "prometheus-server", "monitoring"),
        ("ingress", "grafana", "monitoring"),
        ("secret", "grafana-admin", "monitoring"),
        ("configmap", "log-alerter-rules-v7", "monitoring"),
    ] {
        let a = at(Some(ns));
        q.push((ClusterCommand::Get { kind: kind.into(), name: name.into(), at: a.clone() }, a.clone()));
        q.push((ClusterCommand::Describe { kind: kind.into(), name: name.into(), at: a.clone() }, a.clone()));
        q.push((ClusterCommand::Related { kind: kind.into(), name: name.into(), at: a.clone() }, a.clone()));
    }
    q.push((ClusterCommand::Events { object: None, since: None, warnings: false, at: at(None) }, at(None)));
    q.push((
        ClusterCommand::Events {
            object: Some("pod/prometheus-server-0".into()),
            since: Some("30m".into()),
            warnings: true,
            at: at(Some("monitoring")),
        },
        at(Some("monitoring")),
    ));
    for (pod, container, previous) in [
        ("log-alerter-7c9f8d6b54-x2k8q", "log-alerter", true),
        ("log-alerter-7c9f8d6b54-r8n2v", "log-alerter", false),
        ("loki-0", "loki", false),
    ] {
        let a = at(Some("monitoring"));
        q.push((
            ClusterCommand::Logs {
                pod: pod.into(),
                container: Some(container.into()),
                previous,
                tail: 50,
                grep: Some("heap".into()),
                at: a.clone(),
            },
            a,
        ));
    }
    q.push((
        ClusterCommand::History { deployment: "log-alerter".into(), at: at(Some("monitoring")) },
        at(Some("monitoring")),
    ));
    q
}

async fn run(src: &ClusterSource, cmd: &ClusterCommand, at: &At) -> String {
    let ns = at.namespace.clone();
    match assistant::commands::cluster::run_query(src, cmd, at, ns.as_deref()).await {
        Ok(text) => text,
        Err(e) => format!("error: {e:#}"),
    }
}

/// Equal reports, or a readable account of the first difference.
fn assert_same(a: &Value, b: &Value) {
    if a == b {
        return;
    }
    let (fa, fb) = (a["findings"].as_array().unwrap(), b["findings"].as_array().unwrap());
    for i in 0..fa.len().max(fb.len()) {
        assert!(
            fa.get(i) == fb.get(i),
            "finding {i} differs:\nlive     {}\nsnapshot {}",
            serde_json::to_string_pretty(&fa.get(i)).unwrap(),
            serde_json::to_string_pretty(&fb.get(i)).unwrap()
        );
    }
    panic!("summaries differ:\nlive     {}\nsnapshot {}", a["summary"], b["summary"]);
}

fn comparable(report: &analyzers::Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap();
    let summary = v["summary"].as_object_mut().unwrap();
    summary.remove("timings_us");
    summary.remove("source");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_and_snapshot_answer_every_query_and_diagnose_identically() {
    let server = FakeApiServer::start(demo_data(), &[]).await;
    let live = live(&server);
    // A snapshot of the live cluster, written and read back as any user would.
    let dir = tempfile::tempdir().unwrap();
    let captured = cluster::capture::capture(&live, &Scope::default(), &NoProgress).await.unwrap();
    cluster::snapshot::own::write(&captured, dir.path()).unwrap();
    let snap = ClusterSource::snapshot(dir.path()).unwrap();

    let mut checked = 0;
    for (cmd, at) in queries() {
        let (a, b) = (run(&live, &cmd, &at).await, run(&snap, &cmd, &at).await);
        assert_eq!(a, b, "live and snapshot differ for {cmd:?}");
        assert!(!a.starts_with("error:"), "{cmd:?} failed: {a}");
        checked += 1;
    }
    assert!(checked > 70);

    let (live_report, _) =
        analyzers::diagnose::diagnose(&live, &Scope::default(), &Options::default(), &NoProgress)
            .await
            .unwrap();
    let (snap_report, _) =
        analyzers::diagnose::diagnose(&snap, &Scope::default(), &Options::default(), &NoProgress)
            .await
            .unwrap();
    assert_same(&comparable(&live_report), &comparable(&snap_report));
    assert!(live_report.findings.len() > 20);

    // Scoped to a namespace, too.
    let scope = Scope::namespace(Some("monitoring"));
    let (a, _) =
        analyzers::diagnose::diagnose(&live, &scope, &Options::default(), &NoProgress).await.unwrap();
    let (b, _) =
        analyzers::diagnose::diagnose(&snap, &scope, &Options::default(), &NoProgress).await.unwrap();
    assert_same(&comparable(&a), &comparable(&b));
    assert!(a.findings.iter().all(|f| f.namespace.as_deref().is_none_or(|n| n == "monitoring")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_the_client_never_reaches_the_server() {
    let server = FakeApiServer::start(demo_data(), &[]).await;
    let ClusterSource::Live(l) = live(&server) else { unreachable!() };
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(l.client().clone(), "shop");
    let deploys: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(l.client().clone(), "shop");

    let err = pods.delete("checkout-0", &DeleteParams::default()).await.expect_err("delete is refused");
    assert!(err.to_string().contains("read-only") || format!("{err:?}").contains("WriteRefused"), "{err:?}");
    let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(
        serde_json::json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "x", "image": "x"}]}}),
    )
    .unwrap();
    assert!(pods.create(&PostParams::default(), &pod).await.is_err());
    assert!(
        deploys
            .patch(
                "notifications",
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({"spec": {"replicas": 0}}))
            )
            .await
            .is_err()
    );
    assert!(pods.replace("x", &PostParams::default(), &pod).await.is_err());
    assert!(server.requests().is_empty(), "no request reached the server: {:?}", server.requests());

    // Reads still work through the same client.
    assert!(pods.list(&kube::api::ListParams::default()).await.unwrap().items.len() > 10);
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_diagnose_lists_each_kind_once_whatever_the_number_of_objects() {
    let count = |server: &FakeApiServer| {
        let reqs = server.requests();
        let lists = reqs.iter().filter(|r| !r.uri.contains("/log?") && r.uri.contains("limit=")).count();
        let logs = reqs.iter().filter(|r| r.uri.contains("/log?")).count();
        (lists, logs, reqs.len())
    };
    let small = FakeApiServer::start(demo_data(), &[]).await;
    analyzers::diagnose::diagnose(&live(&small), &Scope::default(), &Options::default(), &NoProgress)
        .await
        .unwrap();
    let (lists, logs, _) = count(&small);
    assert_eq!(lists, Kind::ALL.len(), "one list per kind");
    assert!(
        logs > 0 && logs <= analyzers::diagnose::DIAGNOSE_LOG_LIMIT,
        "logs only for implicated containers: {logs}"
    );

    // Ten times the healthy shop pods: still one list per kind, and no more log requests.
    let mut big = demo_data();
    let template = big
        .objects
        .pods
        .iter()
        .find(|p| p.metadata.name.as_deref().is_some_and(|n| n.starts_with("storefront-")))
        .unwrap()
        .clone();
    for i in 0..300 {
        let mut p = template.clone();
        p.metadata.name = Some(format!("storefront-extra-{i}"));
        big.objects.pods.push(p);
    }
    big.finish();
    let large = FakeApiServer::start(big, &[]).await;
    analyzers::diagnose::diagnose(&live(&large), &Scope::default(), &Options::default(), &NoProgress)
        .await
        .unwrap();
    let (lists2, logs2, _) = count(&large);
    assert_eq!((lists2, logs2), (lists, logs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_kinds_are_unverifiable_not_missing() {
    let server = FakeApiServer::start(demo_data(), &[Kind::Secret, Kind::Service]).await;
    let (report, data) =
        analyzers::diagnose::diagnose(&live(&server), &Scope::default(), &Options::default(), &NoProgress)
            .await
            .unwrap();
    assert!(data.unreadable[&Kind::Secret].starts_with("forbidden"), "{:?}", data.unreadable);
    assert!(report.summary.unverifiable["services"].contains("forbidden"));
    for rule in ["ING-3", "ING-4", "STS-1", "SVC-1"] {
        assert!(!report.findings.iter().any(|f| f.rule == rule), "{rule} must not assert absence from a 403");
    }
    // The rest of the analysis still ran.
    assert!(report.findings.iter().any(|f| f.rule == "NODE-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleuth_snapshot_and_diagnose_run_against_a_kubeconfig_context() {
    let server = FakeApiServer::start(demo_data(), &[Kind::Role]).await;
    let s = Sandbox::new();
    let kubeconfig = server.kubeconfig(s.path(), "monitoring");
    let out = s.path().join("snap");
    let (s, runs) = tokio::task::spawn_blocking(move || {
        let snap = Run::of(
            s.cmd().env("KUBECONFIG", &kubeconfig).args(["snapshot", "-A", "-o"]).arg(&out).arg("--json"),
        );
        let live =
            Run::of(s.cmd().env("KUBECONFIG", &kubeconfig).args(["diagnose", "--context", "fake", "--json"]));
        let offline =
            Run::of(s.cmd().args(["diagnose", "-n", "monitoring", "--json", "--snapshot"]).arg(&out));
        (s, [snap, live, offline])
    })
    .await
    .unwrap();
    let [snap, live, offline] = runs;
    assert_eq!(snap.code, 0, "{snap}");
    let summary: Value = serde_json::from_str(&snap.stdout).unwrap();
    assert_eq!(summary["objects"]["pods"], 35);
    assert!(summary["unreadable"]["roles"].as_str().unwrap().starts_with("forbidden"));
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path().join("snap/snapshot.json")).unwrap()).unwrap();
    assert_eq!(info["format"], "sleuth-snapshot/v1");
    assert_eq!(info["context"], "fake");
    assert_eq!(info["server_version"], "v1.30.4-eks-a737599");
    assert!(
        s.path().join("snap/logs/monitoring/log-alerter-7c9f8d6b54-x2k8q/log-alerter.previous.log").is_file()
    );
    let secrets = std::fs::read_to_string(s.path().join("snap/resources/secrets.json")).unwrap();
    assert!(!secrets.contains("\"data\""), "a snapshot never holds Secret data");

    // The context's namespace (monitoring) scopes the live run, as -n does offline.
    assert_eq!(live.code, 0, "{live}");
    assert_eq!(offline.code, 0, "{offline}");
    let strip = |t: &str| {
        let mut v: Value = serde_json::from_str(t).unwrap();
        v["summary"].as_object_mut().unwrap().retain(|k, _| k != "timings_us" && k != "source");
        v
    };
    assert_eq!(strip(&live.stdout)["findings"], strip(&offline.stdout)["findings"]);
}

#[test]
fn a_kubeconfig_pointing_nowhere_is_one_clear_error() {
    let s = Sandbox::new();
    let cfg = s.path().join("kubeconfig");
    std::fs::write(&cfg, "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:9\ncontexts:\n- name: gone\n  context: {cluster: gone, user: u}\ncurrent-context: gone\nusers:\n- name: u\n  user: {token: t}\n").unwrap();
    let run = Run::of(s.cmd().env("KUBECONFIG", &cfg).args(["diagnose"]));
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("cannot reach the API server at https://127.0.0.1:9"), "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    let run = Run::of(s.cmd().env("KUBECONFIG", &cfg).args(["diagnose", "--context", "nope"]));
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("context \"nope\""), "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_tools_ask_the_cluster_only_for_what_they_need() {
    let data = demo_data();
    // A pod with events of its own, so that narrowing the events is seen to keep them.
    let (pod, reason) = data
        .objects
        .events
        .iter()
        .find(|e| {
            e.involved_object.kind.as_deref() == Some("Pod")
                && e.metadata.namespace.as_deref() == Some("shop")
        })
        .map(|e| (e.involved_object.name.clone().unwrap(), e.reason.clone().unwrap()))
        .expect("a shop pod with events");
    let server = FakeApiServer::start(data.clone(), &[]).await;
    let tools = tools_on(live(&server), Some("shop"));
    let described = tools.call("describe", &serde_json::json!({"kind": "pod", "name": pod})).await;
    assert!(described.text.contains(&reason), "{}", described.text);
    assert_eq!(described.text, cluster::query::describe(&data, Kind::Pod, Some("shop"), &pod).unwrap());
    // What the same calls answer from the snapshot: field selectors must change the bytes
    // read, never the answer.
    let whole = tools_on(ClusterSource::snapshot(&demo().join("cluster")).unwrap(), Some("shop"));
    let mut report = Vec::new();
    for (tool, args, at_most) in [
        ("describe", serde_json::json!({"kind": "pod", "name": pod, "namespace": "shop"}), 4),
        ("describe", serde_json::json!({"kind": "service", "name": "checkout", "namespace": "shop"}), 7),
        ("related", serde_json::json!({"kind": "pod", "name": pod, "namespace": "shop"}), 16),
        (
            "get_resource",
            serde_json::json!({"kind": "deployment", "name": "checkout", "namespace": "shop"}),
            2,
        ),
        ("events", serde_json::json!({"namespace": "shop"}), 3),
        ("events", serde_json::json!({"namespace": "shop", "object": format!("pod/{pod}")}), 3),
        ("logs", serde_json::json!({"pod": "loki-0", "namespace": "monitoring"}), 3),
        ("rollout_history", serde_json::json!({"deployment": "checkout", "namespace": "shop"}), 3),
    ] {
        // Each call as a turn of its own: what one call costs, with nothing remembered.
        tools.cluster.as_ref().unwrap().new_turn();
        server.reset();
        let out = tools.call(tool, &args).await;
        assert!(out.ok, "{tool} {args}: {}", out.text);
        let expected = whole.call(tool, &args).await;
        assert_eq!(out.text, expected.text, "{tool} {args}: the live answer differs from the capture's");
        let seen: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| !r.uri.starts_with("/api?") && !r.uri.starts_with("/apis?"))
            .collect();
        let bytes: usize = seen.iter().map(|r| r.bytes).sum();
        let reqs: Vec<String> = seen.into_iter().map(|r| r.uri).collect();
        assert!(reqs.len() <= at_most, "{tool} {args}: {} requests: {reqs:#?}", reqs.len());
        for r in &reqs {
            for private in ["/secrets", "/configmaps", "rbac.authorization.k8s.io"] {
                assert!(!r.contains(private), "{tool} read {private}: {r}");
            }
        }
        // One object's tools ask for that object and its events, not for the namespace.
        let own = match (tool, args["kind"].as_str()) {
            ("related", _) => None,
            ("logs", _) => Some("pods"),
            ("rollout_history", _) => Some("deployments"),
            (_, Some(k)) => Some(k.parse::<Kind>().unwrap().info().plural),
            _ => args.get("object").map(|_| "events"),
        };
        let selected = |r: &&String| {
            own.is_some_and(|plural| r.contains(&format!("/{plural}?")) || r.contains("/events?"))
        };
        for r in reqs.iter().filter(selected) {
            assert!(r.contains("fieldSelector="), "{tool} {args} listed without a field selector: {r}");
        }
        let what = args["kind"].as_str().map_or(tool.to_string(), |k| format!("{tool} {k}"));
        report.push(format!("{what}: {} requests, {bytes} bytes", reqs.len()));
    }
    // The baseline, same run: what describe read before (every kind of the namespace).
    let src = tools.cluster.as_ref().unwrap();
    src.new_turn();
    server.reset();
    let every: Vec<Kind> =
        Kind::ALL.iter().copied().filter(|k| !matches!(k, Kind::PodMetrics | Kind::NodeMetrics)).collect();
    src.load(Some(&every), &Scope::namespace(Some("shop")), &NoProgress).await.unwrap();
    let before = server.requests();
    report.push(format!(
        "before (every kind): {} requests, {} bytes",
        before.iter().filter(|r| !r.uri.starts_with("/api?") && !r.uri.starts_with("/apis?")).count(),
        before.iter().map(|r| r.bytes).sum::<usize>()
    ));
    println!("API requests per tool call: {}", report.join("; "));
}

/// The kinds `deploy/clusterrole.yaml` lets sleuth list.
fn kinds_the_role_allows() -> BTreeSet<Kind> {
    let role: Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(sleuth_e2e::root().join("deploy/clusterrole.yaml")).unwrap(),
    )
    .unwrap();
    let mut allowed = BTreeSet::new();
    for rule in role["rules"].as_array().unwrap() {
        let has = |key: &str, v: &str| rule[key].as_array().unwrap().iter().any(|x| x.as_str() == Some(v));
        assert!(
            !has("verbs", "create")
                && !has("verbs", "update")
                && !has("verbs", "delete")
                && !has("verbs", "patch")
        );
        for &k in Kind::ALL {
            let i = k.info();
            if has("apiGroups", i.group) && has("resources", i.plural) && has("verbs", "list") {
                allowed.insert(k);
            }
        }
    }
    allowed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_works_under_the_minimal_cluster_role() {
    let allowed = kinds_the_role_allows();
    assert!(!allowed.contains(&Kind::Secret) && !allowed.contains(&Kind::ClusterRole), "{allowed:?}");
    let forbidden: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| !allowed.contains(k)).collect();
    let data = demo_data();
    let pod = shop_pod(&data);
    let server = FakeApiServer::start(data, &forbidden).await;
    let tools = tools_on(live(&server), Some("shop"));
    for (tool, args) in [
        ("list_resources", serde_json::json!({"kind": "pods", "namespace": "shop"})),
        ("get_resource", serde_json::json!({"kind": "deployment", "name": "checkout", "namespace": "shop"})),
        ("describe", serde_json::json!({"kind": "pod", "name": pod, "namespace": "shop"})),
        ("related", serde_json::json!({"kind": "pod", "name": pod, "namespace": "shop"})),
        ("events", serde_json::json!({"namespace": "shop"})),
        ("logs", serde_json::json!({"pod": "loki-0", "namespace": "monitoring"})),
        ("rollout_history", serde_json::json!({"deployment": "checkout", "namespace": "shop"})),
        ("diagnose", serde_json::json!({"namespace": "shop"})),
        ("investigate", serde_json::json!({"names": ["checkout"]})),
        ("changes", serde_json::json!({"since": "30d"})),
        ("build_graph", serde_json::json!({"namespace": "shop"})),
    ] {
        let out = tools.call(tool, &args).await;
        assert!(out.ok, "{tool} {args}: {}", out.text);
    }
    // Nothing outside the role was even asked for by the object tools; what the whole-cluster
    // tools asked for and were refused is reported, not fatal.
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_turn_never_lists_a_kind_twice() {
    let server = FakeApiServer::start(demo_data(), &[]).await;
    let src = live(&server);
    let lists =
        |server: &FakeApiServer| server.requests().iter().filter(|r| r.uri.contains("limit=")).count();
    let everything = src.load(None, &Scope::default(), &NoProgress).await.unwrap();
    let first = lists(&server);
    assert!(first > 20, "{first}");
    // Later calls of the same turn are answered from the first capture, restricted.
    let shop = src
        .load(Some(&[Kind::Pod, Kind::Event]), &Scope::namespace(Some("shop")), &NoProgress)
        .await
        .unwrap();
    assert_eq!(lists(&server), first, "no second list in the same turn");
    assert!(!shop.objects.pods.is_empty());
    assert!(shop.objects.pods.iter().all(|p| p.metadata.namespace.as_deref() == Some("shop")));
    assert!(shop.objects.pods.len() < everything.objects.pods.len());
    // One object, field-selected, from the wider capture: no list, and only that object.
    let pod = shop.objects.pods[0].metadata.name.clone().unwrap();
    let one = src
        .load(Some(&[Kind::Pod]), &Scope::namespace(Some("shop")).about(Kind::Pod, &pod), &NoProgress)
        .await
        .unwrap();
    assert_eq!(lists(&server), first);
    assert_eq!(one.objects.pods.len(), 1);
    // A new turn sees the cluster as it is then.
    src.new_turn();
    src.load(Some(&[Kind::Pod]), &Scope::namespace(Some("shop")).about(Kind::Pod, &pod), &NoProgress)
        .await
        .unwrap();
    assert_eq!(lists(&server), first + 1);
    // What was listed for one object cannot answer for the whole kind.
    let all = src.load(Some(&[Kind::Pod]), &Scope::namespace(Some("shop")), &NoProgress).await.unwrap();
    assert_eq!(lists(&server), first + 2);
    assert_eq!(all.objects.pods.len(), shop.objects.pods.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_the_api_server_cannot_select_by_is_its_error() {
    let server = FakeApiServer::start(demo_data(), &[]).await;
    let scope = Scope::default().with_field(Kind::Deployment, "spec.paused=true");
    let err = live(&server).load(Some(&[Kind::Deployment]), &scope, &NoProgress).await.unwrap_err();
    assert!(err.to_string().contains("field label not supported: spec.paused"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_that_does_not_exist_is_named_as_the_reason() {
    let server = FakeApiServer::start(demo_data(), &[]).await;
    for cluster in [ClusterSource::snapshot(&demo().join("cluster")).unwrap(), live(&server)] {
        let tools = tools_on(cluster, None);
        let out = tools
            .call("describe", &serde_json::json!({"kind": "pod", "name": "web-1", "namespace": "shpo"}))
            .await;
        assert!(!out.ok);
        assert!(
            out.text.contains("namespace \"shpo\" does not exist") && out.text.contains("shop"),
            "{}",
            out.text
        );
        // The namespace exists: the object is what is missing, and nothing is said of namespaces.
        let out = tools
            .call("describe", &serde_json::json!({"kind": "pod", "name": "web-1", "namespace": "shop"}))
            .await;
        assert!(!out.ok && !out.text.contains("does not exist;"), "{}", out.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_read_from_a_live_cluster_are_redacted_before_anyone_sees_them() {
    let mut data = demo_data();
    let key = cluster::LogKey {
        namespace: "monitoring".into(),
        pod: "loki-0".into(),
        container: "loki".into(),
        previous: false,
    };
    // Straight into the served data: a real container prints what it likes.
    data.logs.insert(
        key,
        cluster::LogText::Text(
            "level=info msg=\"connecting\" password=hunter2-very-secret\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig\n".into(),
        ),
    );
    let server = FakeApiServer::start(data, &[]).await;
    let out = tools_on(live(&server), None)
        .call("logs", &serde_json::json!({"pod": "loki-0", "namespace": "monitoring", "container": "loki"}))
        .await;
    assert!(out.ok, "{}", out.text);
    assert!(out.text.contains("connecting"), "{}", out.text);
    for secret in ["hunter2-very-secret", "eyJhbGciOiJIUzI1NiJ9"] {
        assert!(!out.text.contains(secret), "{secret} reached the tool's output: {}", out.text);
    }
}

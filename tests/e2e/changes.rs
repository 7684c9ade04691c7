//! `sleuth changes`: the change timeline of a snapshot and of a live cluster (the fake API
//! server), with StatefulSet rollouts read from ControllerRevisions, and `sleuth snapshot`
//! keeping those revisions.

use cluster::data::ClusterData;
use cluster::kind::Kind;
use serde_json::{Value, json};
use sleuth_e2e::apiserver::FakeApiServer;
use sleuth_e2e::captures;
use sleuth_e2e::{Run, Sandbox, root};

fn scenario(name: &str) -> captures::Scenario {
    captures::all(&root().join("tests/scenarios/clusters"))
        .into_iter()
        .find_map(|(n, s)| (n == name).then_some(s))
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

#[test]
fn a_snapshot_timeline_shows_the_rollout_and_its_diff() {
    let s = Sandbox::new();
    let snap = s.path().join("snap");
    scenario("rollout-bad-image-tag").write_snapshot(&snap);
    let text = Run::of(s.cmd().arg("changes").arg("--snapshot").arg(&snap).args(["--since", "1h"]));
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains("Deployment/shop/checkout"), "{text}");
    assert!(
        text.stdout.contains(
            "revision 2: image of checkout ghcr.io/acme/checkout:3.2.0 → ghcr.io/acme/checkout:3.3.O"
        ),
        "{text}"
    );
    // The first revision is a month old: outside the window.
    assert!(!text.stdout.contains("first revision"), "{text}");
    let json = Run::of(s.cmd().arg("changes").arg("--snapshot").arg(&snap).args(["--since", "1h", "--json"]));
    assert_eq!(json.code, 0, "{json}");
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    let c = &v["changes"][0];
    assert_eq!(c["what"], "rollout");
    assert_eq!(c["object"], json!({"kind": "Deployment", "namespace": "shop", "name": "checkout"}));
    assert_eq!(c["revision"], 2);
    assert_eq!(c["images"][0]["after"], "ghcr.io/acme/checkout:3.3.O");
    // A namespace with nothing in it says so.
    let none = Run::of(s.cmd().arg("changes").arg("--snapshot").arg(&snap).args([
        "-n",
        "kube-system",
        "--since",
        "1h",
    ]));
    assert_eq!(none.code, 0, "{none}");
    assert!(none.stdout.starts_with("No changes from"), "{none}");
    // A bad duration is one clear error.
    let bad = Run::of(s.cmd().arg("changes").arg("--snapshot").arg(&snap).args(["--since", "soon"]));
    assert_eq!(bad.code, 2, "{bad}");
    assert!(bad.stderr.contains("is not a duration"), "{bad}");
}

#[test]
fn an_in_place_config_edit_names_its_editor_and_readers() {
    let s = Sandbox::new();
    let snap = s.path().join("snap");
    scenario("configmap-edit-crash").write_snapshot(&snap);
    let run = Run::of(s.cmd().arg("changes").arg("--snapshot").arg(&snap).args(["--since", "1h"]));
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("ConfigMap/finance/ledger-config"), "{run}");
    assert!(run.stdout.contains("kubectl-edit"), "{run}");
    assert!(run.stdout.contains("read by Deployment finance/ledger"), "{run}");
}

/// A cluster with a StatefulSet whose image changed in its second ControllerRevision.
fn statefulset_cluster() -> ClusterData {
    let tmpl = |image: &str| {
        json!({"spec": {"template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": image,
        "env": [{"name": "POSTGRES_PASSWORD", "value": "hunter2-not-for-you"}]}]}}}})
    };
    let owner = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s-db", "controller": true}]);
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "data", "uid": "s-db"},
            "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": tmpl("postgres:16.4")["spec"]["template"]}}),
        json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-5d4f", "namespace": "data",
            "creationTimestamp": "2026-01-01T00:00:00Z", "ownerReferences": owner}, "revision": 1, "data": tmpl("postgres:16.3")}),
        json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-7a8b", "namespace": "data",
            "creationTimestamp": "2026-01-01T00:50:00Z", "ownerReferences": owner}, "revision": 2, "data": tmpl("postgres:16.4")}),
    ];
    let mut data = ClusterData::default();
    for &k in Kind::ALL {
        data.insert_raw(k, &[], "test");
    }
    data.insert_objects(&objects, "test");
    data.info.captured_at = Some(captures::CAPTURED_AT.parse().unwrap());
    data.finish();
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_cluster_timeline_reads_controller_revisions_and_snapshots_keep_them() {
    let server = FakeApiServer::start(statefulset_cluster(), &[]).await;
    let s = Sandbox::new();
    let kubeconfig = server.kubeconfig(s.path(), "data");
    let out = s.path().join("snap");
    let (s, runs) = tokio::task::spawn_blocking(move || {
        let live = Run::of(s.cmd().env("KUBECONFIG", &kubeconfig).args([
            "changes",
            "--context",
            "fake",
            "--since",
            "3650d",
            "--json",
        ]));
        let snap = Run::of(s.cmd().env("KUBECONFIG", &kubeconfig).args(["snapshot", "-A", "-o"]).arg(&out));
        let offline =
            Run::of(s.cmd().args(["changes", "--since", "3650d", "--json", "--snapshot"]).arg(&out));
        (s, [live, snap, offline])
    })
    .await
    .unwrap();
    let [live, snap, offline] = runs;
    assert_eq!(live.code, 0, "{live}");
    assert_eq!(snap.code, 0, "{snap}");
    assert_eq!(offline.code, 0, "{offline}");
    for run in [&live, &offline] {
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        let rollout = v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["revision"] == 2)
            .unwrap_or_else(|| panic!("{}", run.stdout));
        assert_eq!(rollout["object"]["kind"], "StatefulSet");
        assert_eq!(rollout["images"][0]["before"], "postgres:16.3");
        assert_eq!(rollout["evidence"], "ControllerRevision/db-7a8b");
        assert!(!run.stdout.contains("hunter2"), "env values never leave the cluster boundary");
    }
    let revisions =
        std::fs::read_to_string(s.path().join("snap/resources/controllerrevisions.json")).unwrap();
    assert!(revisions.contains("db-7a8b") && !revisions.contains("hunter2"), "{revisions}");
}

#[test]
fn what_changed_is_drawn_with_the_first_symptom() {
    let s = Sandbox::new();
    let demo = sleuth_e2e::demo().join("cluster");
    let run = Run::of(s.cmd().args(["changes", "--since", "6h", "--format", "svg", "--snapshot"]).arg(&demo));
    assert_eq!(run.code, 0, "{run}");
    let svg = &run.stdout;
    // One lane per workload, one for the ConfigMaps; a mark per change.
    for lane in [">ConfigMaps<", ">Deployment monitoring/log-alerter<", ">Deployment shop/notifications<"] {
        assert!(svg.contains(lane), "{lane}: {svg}");
    }
    assert_eq!(svg.matches("<circle").count(), 3);
    // The incident began with the SystemOOM on the top cause's story, after both rollouts.
    assert!(
        svg.contains("first symptom 14:05: node ip-10-0-1-88.eu-west-1.compute.internal ran out of memory"),
        "{svg}"
    );
    let png = s.path().join("changes.png");
    let run = Run::of(
        s.cmd()
            .args(["changes", "--since", "30d", "--format", "png", "-o"])
            .arg(&png)
            .arg("--snapshot")
            .arg(&demo),
    );
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    // A month of the demo's changes fits the twelve lanes (folding more is the unit tests'):
    // every change is there, on its lane or in a merged mark's count.
    let month =
        Run::of(s.cmd().args(["changes", "--since", "30d", "--format", "svg", "--snapshot"]).arg(&demo));
    assert!(!month.stdout.contains("more lanes with"), "{month}");
    let marks = month.stdout.matches("<circle").count();
    let merged: usize = month
        .stdout
        .split("×")
        .skip(1)
        .filter_map(|r| r.split(' ').next()?.parse::<usize>().ok())
        .map(|n| n - 1)
        .sum();
    let json = Run::of(s.cmd().args(["changes", "--since", "30d", "--json", "--snapshot"]).arg(&demo));
    let all: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(marks + merged, all["changes"].as_array().unwrap().len(), "{month}");
}

//! Cluster scenarios (`tests/scenarios/clusters/*.yaml`): a fault planted in a small cluster,
//! written out the two ways sleuth meets captures of other people's clusters — a sleuth
//! snapshot and a `kubectl cluster-info dump --output-directory` tree — with what `diagnose`
//! must say about it.
//!
//! A dump holds only nodes, events, services, daemonsets, deployments, replicasets and pods (and
//! current logs), and no capture time: what it lacks is dropped here exactly as kubectl would
//! drop it, so a scenario checks that sleuth still finds the cause from what remains.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cluster::data::{ClusterData, LogKey, LogText};
use cluster::kind::Kind;
use serde::Deserialize;
use serde_json::Value;

/// One planted fault (or two) and what must be found.
#[derive(Debug, Deserialize)]
pub struct Scenario {
    /// What happened, in a sentence.
    pub description: String,
    /// Where the fault and its messages come from (a public incident write-up, the Kubernetes
    /// documentation page that shows the message).
    pub source: String,
    /// The expected findings: the first finding above `info` must be one of them, and every one
    /// must be among the first three.
    pub expect: Vec<Expect>,
    /// The forms to check (`snapshot`, `dump`); both unless the fault lives in a kind a dump
    /// does not hold.
    #[serde(default = "both")]
    pub forms: Vec<String>,
    /// The objects, each with `kind` (and `apiVersion` where the kind is ambiguous).
    pub objects: Vec<Value>,
    /// Container logs.
    #[serde(default)]
    pub logs: Vec<Log>,
}

fn both() -> Vec<String> {
    vec!["snapshot".into(), "dump".into()]
}

/// One expected finding.
#[derive(Debug, Deserialize)]
pub struct Expect {
    /// Kind of the root object.
    pub kind: String,
    /// Its namespace (empty for cluster-scoped objects).
    #[serde(default)]
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The cause tag.
    pub cause: String,
    /// Words the finding (message, evidence or detail) must contain: the proving fact.
    #[serde(default)]
    pub facts: Vec<String>,
}

/// A container log.
#[derive(Debug, Deserialize)]
pub struct Log {
    /// Namespace.
    pub namespace: String,
    /// Pod.
    pub pod: String,
    /// Container.
    pub container: String,
    /// The previous instance's log.
    #[serde(default)]
    pub previous: bool,
    /// Its text.
    pub text: String,
}

/// When every scenario's snapshot was taken.
pub const CAPTURED_AT: &str = "2026-01-01T01:00:00Z";

/// Every scenario, by file stem.
pub fn all(dir: &Path) -> Vec<(String, Scenario)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenario folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read scenario");
            let s: Scenario =
                serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_stem().unwrap().to_string_lossy().into_owned(), s)
        })
        .collect()
}

impl Scenario {
    /// Writes the scenario as a sleuth snapshot in `dir`.
    pub fn write_snapshot(&self, dir: &Path) {
        let mut data = ClusterData::default();
        for &k in Kind::ALL {
            data.insert_raw(k, &[], "scenario");
        }
        data.insert_objects(&self.objects, "scenario");
        assert!(data.problems.is_empty(), "scenario objects must parse: {:?}", data.problems);
        for l in &self.logs {
            let key = LogKey {
                namespace: l.namespace.clone(),
                pod: l.pod.clone(),
                container: l.container.clone(),
                previous: l.previous,
            };
            data.insert_log(key, LogText::Text(l.text.clone()));
        }
        data.info.captured_at = Some(CAPTURED_AT.parse().unwrap());
        data.info.source = "scenario".into();
        data.finish();
        cluster::snapshot::own::write(&data, dir).expect("write snapshot");
    }

    /// Writes the scenario as `kubectl cluster-info dump --output-directory dir` would.
    pub fn write_dump(&self, dir: &Path) {
        let mut lists: BTreeMap<PathBuf, (String, Vec<Value>)> = BTreeMap::new();
        for o in &self.objects {
            let kind = Kind::of(o["kind"].as_str().unwrap_or(""), o["apiVersion"].as_str().unwrap_or(""))
                .expect("scenario objects name a known kind");
            let Some(stem) = kind.info().dump else { continue };
            let path = if kind.info().namespaced {
                let ns = o["metadata"]["namespace"].as_str().unwrap_or("default");
                dir.join(ns).join(format!("{stem}.json"))
            } else {
                dir.join(format!("{stem}.json"))
            };
            let list = lists.entry(path).or_insert_with(|| (format!("{}List", kind.info().kind), Vec::new()));
            list.1.push(o.clone());
        }
        for (path, (list_kind, items)) in lists {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let doc =
                serde_json::json!({"kind": list_kind, "apiVersion": "v1", "metadata": {}, "items": items});
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        }
        // kubectl writes the current container's log only.
        for l in self.logs.iter().filter(|l| !l.previous) {
            let pod_dir = dir.join(&l.namespace).join(&l.pod);
            std::fs::create_dir_all(&pod_dir).unwrap();
            let path = pod_dir.join("logs.txt");
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!(
                "==== START logs for container {} of pod {}/{} ====\n{}\n==== END logs for container {} of pod {}/{} ====\n",
                l.container,
                l.namespace,
                l.pod,
                l.text.trim_end(),
                l.container,
                l.namespace,
                l.pod
            ));
            std::fs::write(&path, text).unwrap();
        }
    }
}

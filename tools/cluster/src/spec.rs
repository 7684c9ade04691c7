//! What a pod spec says that several layers need: the objects it reads (ConfigMaps, Secrets,
//! claims), what changed between two templates, its containers' memory requests and limits, and
//! the bytes of a quantity.
//!
//! One walker for the references and one diff, so that "which pods use this ConfigMap", "what
//! changed between two revisions" (rollout history, the graph's change events) and "what did
//! this edit affect" agree.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, EnvVarSource, PodSpec, ResourceRequirements};

/// The kind of object a pod spec refers to by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    /// A ConfigMap (volume, projected source, `envFrom`, `valueFrom`).
    ConfigMap,
    /// A PersistentVolumeClaim (volume).
    PersistentVolumeClaim,
    /// A Secret (volume, projected source, `envFrom`, `valueFrom`).
    Secret,
}

impl RefKind {
    /// The kind's API name.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::PersistentVolumeClaim => "PersistentVolumeClaim",
            RefKind::Secret => "Secret",
        }
    }
}

/// One object a pod spec refers to, in the pod's namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecRef {
    /// What kind of object.
    pub kind: RefKind,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for SpecRef {
    /// `ConfigMap/name`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.name(), self.name)
    }
}

/// Every object the spec refers to: volumes (ConfigMap, Secret, claim, projected sources) and
/// the `envFrom` and `valueFrom` references of every container, init and ephemeral ones included.
pub fn references(spec: &PodSpec) -> BTreeSet<SpecRef> {
    let mut out = BTreeSet::new();
    let mut add = |kind, name: &str| {
        out.insert(SpecRef { kind, name: name.to_string() });
    };
    for v in spec.volumes.iter().flatten() {
        if let Some(c) = &v.config_map {
            add(RefKind::ConfigMap, &c.name);
        }
        if let Some(n) = v.secret.as_ref().and_then(|s| s.secret_name.as_deref()) {
            add(RefKind::Secret, n);
        }
        if let Some(p) = &v.persistent_volume_claim {
            add(RefKind::PersistentVolumeClaim, &p.claim_name);
        }
        for src in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(c) = &src.config_map {
                add(RefKind::ConfigMap, &c.name);
            }
            if let Some(s) = &src.secret {
                add(RefKind::Secret, &s.name);
            }
        }
    }
    let envs = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .map(|c| (&c.env, &c.env_from))
        .chain(spec.ephemeral_containers.iter().flatten().map(|c| (&c.env, &c.env_from)));
    for (env, env_from) in envs {
        for e in env_from.iter().flatten() {
            if let Some(c) = &e.config_map_ref {
                add(RefKind::ConfigMap, &c.name);
            }
            if let Some(s) = &e.secret_ref {
                add(RefKind::Secret, &s.name);
            }
        }
        for v in env.iter().flatten().filter_map(|e| e.value_from.as_ref()) {
            if let Some(k) = &v.config_map_key_ref {
                add(RefKind::ConfigMap, &k.name);
            }
            if let Some(k) = &v.secret_key_ref {
                add(RefKind::Secret, &k.name);
            }
        }
    }
    out
}

/// An environment variable's value in a template: literal, or read from somewhere.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    /// `value:` (already redacted when it looked secret).
    Literal(String),
    /// `valueFrom:` (a ConfigMap or Secret key, a field, a resource).
    From(Box<EnvVarSource>),
}

/// One difference between two pod templates, per container where it applies.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecChange {
    /// A container only the new template has.
    ContainerAdded(String),
    /// A container only the old template has.
    ContainerRemoved(String),
    /// A container's image.
    Image {
        /// Container name.
        container: String,
        /// Old image.
        before: String,
        /// New image.
        after: String,
    },
    /// An environment variable added, removed or changed.
    Env {
        /// Container name.
        container: String,
        /// Variable name.
        key: String,
        /// Old value; `None` when added.
        before: Option<EnvValue>,
        /// New value; `None` when removed.
        after: Option<EnvValue>,
    },
    /// Requests or limits.
    Resources {
        /// Container name.
        container: String,
        /// Old requirements.
        before: Option<ResourceRequirements>,
        /// New requirements.
        after: Option<ResourceRequirements>,
    },
    /// Command or args.
    Args {
        /// Container name.
        container: String,
        /// Old args.
        before: Option<Vec<String>>,
        /// New args.
        after: Option<Vec<String>>,
    },
    /// The command (entrypoint).
    Command {
        /// Container name.
        container: String,
        /// Old command.
        before: Option<Vec<String>>,
        /// New command.
        after: Option<Vec<String>>,
    },
    /// Liveness or readiness probe.
    Probes {
        /// Container name.
        container: String,
    },
    /// Objects the template reads (ConfigMaps, Secrets, claims) now and no longer.
    References {
        /// Read by the new template only.
        added: Vec<SpecRef>,
        /// Read by the old template only.
        removed: Vec<SpecRef>,
    },
}

/// What changed from template `old` to template `new`, container by container (in the new
/// template's order, environment variables by name), then removed containers, then references.
pub fn diff(old: &PodSpec, new: &PodSpec) -> Vec<SpecChange> {
    let mut out = Vec::new();
    for n in &new.containers {
        let container = n.name.clone();
        let Some(o) = old.containers.iter().find(|c| c.name == n.name) else {
            out.push(SpecChange::ContainerAdded(container));
            continue;
        };
        if o.image != n.image {
            out.push(SpecChange::Image {
                container: container.clone(),
                before: o.image.clone().unwrap_or_default(),
                after: n.image.clone().unwrap_or_default(),
            });
        }
        let (eo, en) = (env(o), env(n));
        for key in eo.keys().chain(en.keys()).collect::<BTreeSet<_>>() {
            let (before, after) = (eo.get(key).cloned(), en.get(key).cloned());
            if before != after {
                out.push(SpecChange::Env { container: container.clone(), key: key.clone(), before, after });
            }
        }
        if o.resources != n.resources {
            out.push(SpecChange::Resources {
                container: container.clone(),
                before: o.resources.clone(),
                after: n.resources.clone(),
            });
        }
        if o.args != n.args {
            out.push(SpecChange::Args {
                container: container.clone(),
                before: o.args.clone(),
                after: n.args.clone(),
            });
        }
        if o.command != n.command {
            out.push(SpecChange::Command {
                container: container.clone(),
                before: o.command.clone(),
                after: n.command.clone(),
            });
        }
        if o.liveness_probe != n.liveness_probe || o.readiness_probe != n.readiness_probe {
            out.push(SpecChange::Probes { container });
        }
    }
    for o in &old.containers {
        if !new.containers.iter().any(|c| c.name == o.name) {
            out.push(SpecChange::ContainerRemoved(o.name.clone()));
        }
    }
    let (ro, rn) = (references(old), references(new));
    if ro != rn {
        out.push(SpecChange::References {
            added: rn.difference(&ro).cloned().collect(),
            removed: ro.difference(&rn).cloned().collect(),
        });
    }
    out
}

fn env(c: &Container) -> BTreeMap<String, EnvValue> {
    c.env
        .iter()
        .flatten()
        .map(|e| {
            let v = match (&e.value, &e.value_from) {
                (Some(v), _) => EnvValue::Literal(v.clone()),
                (None, Some(f)) => EnvValue::From(Box::new(f.clone())),
                (None, None) => EnvValue::Literal(String::new()),
            };
            (e.name.clone(), v)
        })
        .collect()
}

/// The container's memory limit as written (`512Mi`), if it has one.
pub fn memory_limit(c: &Container) -> Option<String> {
    c.resources.as_ref()?.limits.as_ref()?.get("memory").map(|q| q.0.clone())
}

/// The container's memory request as written, if it has one.
pub fn memory_request(c: &Container) -> Option<String> {
    c.resources.as_ref()?.requests.as_ref()?.get("memory").map(|q| q.0.clone())
}

/// Bytes of a Kubernetes quantity (`500Mi`, `1G`, `1.5Gi`, `2e9`); `None` if it does not parse.
pub fn quantity_bytes(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q.find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E').unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "m" => 1e-3,
        _ => return None,
    };
    Some(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity_bytes("1Gi"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(quantity_bytes("500M"), Some(5e8));
        assert_eq!(quantity_bytes("2e3"), Some(2000.0));
        assert_eq!(quantity_bytes("100m"), Some(0.1));
        assert_eq!(quantity_bytes("lots"), None);
    }

    #[test]
    fn template_differences_are_typed() {
        let spec = |v: serde_json::Value| -> PodSpec { serde_json::from_value(v).unwrap() };
        let old = spec(serde_json::json!({
            "containers": [
                {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "GONE", "value": "x"}],
                 "envFrom": [{"configMapRef": {"name": "cfg-v1"}}]},
                {"name": "old-sidecar", "image": "side:1"}
            ]
        }));
        let new = spec(serde_json::json!({
            "containers": [
                {"name": "app", "image": "app:2", "env": [{"name": "A", "value": "2"}, {"name": "NEW", "value": "y"}],
                 "envFrom": [{"configMapRef": {"name": "cfg-v2"}}],
                 "livenessProbe": {"httpGet": {"port": 8080, "path": "/healthz"}}},
                {"name": "new-sidecar", "image": "side:2"}
            ]
        }));
        let lit = |s: &str| Some(EnvValue::Literal(s.into()));
        let env = |key: &str, before, after| SpecChange::Env {
            container: "app".into(),
            key: key.into(),
            before,
            after,
        };
        let cm = |n: &str| SpecRef { kind: RefKind::ConfigMap, name: n.into() };
        assert_eq!(
            diff(&old, &new),
            vec![
                SpecChange::Image { container: "app".into(), before: "app:1".into(), after: "app:2".into() },
                env("A", lit("1"), lit("2")),
                env("GONE", lit("x"), None),
                env("NEW", None, lit("y")),
                SpecChange::Probes { container: "app".into() },
                SpecChange::ContainerAdded("new-sidecar".into()),
                SpecChange::ContainerRemoved("old-sidecar".into()),
                SpecChange::References { added: vec![cm("cfg-v2")], removed: vec![cm("cfg-v1")] },
            ]
        );
        assert!(diff(&new, &new).is_empty());
        // A changed entrypoint is a command change, not an args change.
        let cmd =
            |c: &str| spec(serde_json::json!({"containers": [{"name": "app", "command": ["sh", "-c", c]}]}));
        assert_eq!(
            diff(&cmd("a"), &cmd("b")),
            vec![SpecChange::Command {
                container: "app".into(),
                before: Some(vec!["sh".into(), "-c".into(), "a".into()]),
                after: Some(vec!["sh".into(), "-c".into(), "b".into()]),
            }]
        );
    }

    #[test]
    fn every_kind_of_reference_is_found_once() {
        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "volumes": [
                {"name": "a", "configMap": {"name": "cm-vol"}},
                {"name": "b", "secret": {"secretName": "sec-vol"}},
                {"name": "c", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "d", "projected": {"sources": [{"configMap": {"name": "cm-proj"}}, {"secret": {"name": "sec-proj"}}]}}
            ],
            "initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "cm-vol"}}]}],
            "containers": [{"name": "app",
                "envFrom": [{"secretRef": {"name": "sec-env"}}],
                "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cm-key", "key": "x"}}},
                        {"name": "Y", "valueFrom": {"secretKeyRef": {"name": "sec-key", "key": "y"}}}]}],
            "ephemeralContainers": [{"name": "debug", "envFrom": [{"configMapRef": {"name": "cm-debug"}}]}]
        }))
        .unwrap();
        let got: Vec<String> = references(&spec).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "ConfigMap/cm-debug",
                "ConfigMap/cm-key",
                "ConfigMap/cm-proj",
                "ConfigMap/cm-vol",
                "PersistentVolumeClaim/data",
                "Secret/sec-env",
                "Secret/sec-key",
                "Secret/sec-proj",
                "Secret/sec-vol"
            ]
        );
    }
}

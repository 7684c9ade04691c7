//! Symptoms: the `diagnose` findings that describe effects, one per root object, linked from the
//! evidence about that object.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rcagraph::schema::{Node, NodeKind, Relation, Severity, Source};
use serde_json::{Value, json};

use crate::rules::{ObjRef, Report, Severity as FindingSeverity};

use super::builder::{Builder, Class, entity_of, first_line, slug};

/// Rules that describe causes rather than what people notice; their findings enrich the
/// graph's cause nodes instead of becoming symptoms.
pub(super) const CAUSE_RULES: &[&str] = &["POD-14", "POD-9", "NODE-4", "NODE-2", "NODE-5"];
pub(super) const CAUSE_FAMILIES: &[&str] = &["SEC", "LOG", "CM", "NP"];

impl Builder<'_> {
    /// The names a client reaches a Service by: its name, its DNS names and its cluster IP.
    fn reachable_as(&self, root: &ObjRef) -> Vec<String> {
        if root.kind != "Service" {
            return Vec::new();
        }
        let (ns, name) = (&root.namespace, &root.name);
        let mut names = vec![name.clone(), format!("{name}.{ns}"), format!("{name}.{ns}.svc")];
        let ip = self
            .data
            .objects
            .services
            .iter()
            .find(|s| {
                s.metadata.namespace.as_deref() == Some(ns.as_str())
                    && s.metadata.name.as_deref() == Some(name.as_str())
            })
            .and_then(|s| s.spec.as_ref()?.cluster_ip.clone())
            .filter(|ip| ip != "None" && !ip.is_empty());
        names.extend(ip);
        names
    }

    /// One symptom per root object of the findings that describe effects, linked from the
    /// evidence about that object, its pods, the nodes they ran on, and the workloads behind a
    /// Service.
    pub(super) fn symptoms(&mut self, report: &Report) -> Vec<String> {
        let mut by_root: BTreeMap<ObjRef, Vec<&crate::rules::Finding>> = BTreeMap::new();
        for f in &report.findings {
            let family = f.rule.split('-').next().unwrap_or("");
            if !self.in_scope(f.namespace.as_deref().unwrap_or("")) {
                continue;
            }
            // A symptom another finding explains was stepped down in `diagnose`'s list, but it
            // is still what people see: the graph keeps it, linked to its cause.
            if (f.severity < FindingSeverity::Warning && f.explained_by.is_empty())
                || CAUSE_RULES.contains(&f.rule.as_str())
                || CAUSE_FAMILIES.contains(&family)
            {
                continue;
            }
            by_root.entry(f.root()).or_default().push(f);
        }
        let mut ids = Vec::new();
        let mut symptom_facts: Vec<(usize, ObjRef)> = Vec::new();
        for (root, findings) in &by_root {
            let worst = findings.iter().max_by_key(|f| f.severity).expect("non-empty");
            let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            let mut n = Node::new("", NodeKind::Symptom);
            // Seen at capture time; when it began is not known.
            n.time = Some(self.now);
            n.time_inferred = true;
            n.entity = Some(entity_of(root));
            n.description = Some(format!(
                "{} {}: {} ({})",
                root.kind,
                if root.namespace.is_empty() {
                    root.name.clone()
                } else {
                    format!("{}/{}", root.namespace, root.name)
                },
                first_line(&worst.message),
                rules.join(", ")
            ));
            n.severity = Some(match worst.severity {
                FindingSeverity::Critical => Severity::Critical,
                FindingSeverity::Error => Severity::Error,
                _ => Severity::Warning,
            });
            n.source = Some(Source {
                system: Some("sleuth diagnose".into()),
                reference: Some(rules.join(",")),
                actor: None,
            });
            let i = self.add(&format!("symptom-{}-{}", slug(&root.kind), slug(&root.name)), n);
            ids.push(self.nodes[i].id.clone());
            // What its findings say, log lines included: what a dependency rule reads.
            let mut text: Vec<String> = Vec::new();
            for f in findings {
                text.push(f.message.clone());
                text.extend(f.evidence.iter().cloned());
                if let Some(line) = f.detail.get("log_line").and_then(serde_json::Value::as_str) {
                    text.push(line.to_string());
                }
            }
            self.fact(i, Class::Symptom, root.clone(), root.clone(), None, text.join("\n"));
            let names = self.reachable_as(root);
            let affects: Vec<ObjRef> = findings
                .iter()
                .filter(|f| f.cause == "network/dns-failure")
                .flat_map(|f| f.objects.iter().filter(|o| o.kind == "Pod"))
                .map(|o| self.pod_root(&o.namespace, &o.name))
                .collect();
            let fact = self.facts.last_mut().expect("just pushed");
            fact.names = names;
            fact.affects = affects;
            symptom_facts.push((self.facts.len() - 1, root.clone()));
        }
        let event_like = |c: Class| {
            matches!(
                c,
                Class::OomKill
                    | Class::Evict
                    | Class::Crash
                    | Class::ImagePull
                    | Class::Sched
                    | Class::Workload
                    | Class::NotReady
                    | Class::Resched
                    | Class::Other
            )
        };
        // Symptoms that cause others (a dead DNS, a dependency its callers cannot reach): the
        // table's rows between symptoms, from those that name who they break or how they are
        // reached.
        for &(a, _) in &symptom_facts {
            if self.facts[a].names.is_empty() && self.facts[a].affects.is_empty() {
                continue;
            }
            for &(b, _) in &symptom_facts {
                super::rules::apply(self, a, b);
            }
        }
        // Index the evidence once: by root and object, NotReady by node, and which facts are
        // symptoms, so linking is linear in the facts rather than symptoms × facts.
        let is_symptom: HashSet<usize> = symptom_facts.iter().map(|(k, _)| *k).collect();
        let mut about: HashMap<&ObjRef, Vec<usize>> = HashMap::new();
        let mut not_ready: HashMap<&str, Vec<usize>> = HashMap::new();
        for (k, f) in self.facts.iter().enumerate() {
            if is_symptom.contains(&k) {
                continue;
            }
            about.entry(&f.root).or_default().push(k);
            if f.object != f.root {
                about.entry(&f.object).or_default().push(k);
            }
            if let (Class::NotReady, Some(h)) = (f.class, &f.host) {
                not_ready.entry(h.as_str()).or_default().push(k);
            }
        }
        let mut hosts_of: HashMap<ObjRef, BTreeSet<String>> = HashMap::new();
        for p in &self.data.objects.pods {
            if let Some(h) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
                hosts_of.entry(self.idx.root("Pod", &p.metadata)).or_default().insert(h);
            }
        }
        let mut links: Vec<(usize, usize, Relation, f64, &'static str, Value)> = Vec::new();
        let mut by_table: Vec<(usize, usize)> = Vec::new();
        for (s, root) in &symptom_facts {
            let mut seen = HashSet::new();
            for &k in about.get(root).into_iter().flatten() {
                if !seen.insert(k) {
                    continue;
                }
                let f = &self.facts[k];
                if f.class == Class::Policy {
                    // The table's row says how a policy change reaches what people see.
                    by_table.push((k, *s));
                } else if event_like(f.class) {
                    let conf = if f.class == Class::NotReady { 0.95 } else { 0.8 };
                    let kind = if f.object == *root { "same_entity" } else { "owner_chain" };
                    links.push((
                        k,
                        *s,
                        Relation::Caused,
                        conf,
                        "evidence-about-the-object",
                        json!({"kind": kind}),
                    ));
                }
            }
            for h in hosts_of.get(root).into_iter().flatten() {
                for &k in not_ready.get(h.as_str()).into_iter().flatten() {
                    if seen.insert(k) {
                        links.push((
                            k,
                            *s,
                            Relation::Caused,
                            0.8,
                            "pods-on-not-ready-node",
                            json!({"kind": "same_node"}),
                        ));
                    }
                }
            }
            // A Service is down when the workloads behind it are.
            if root.kind == "Service" {
                let backends: BTreeSet<ObjRef> =
                    cluster::query::service_pods(self.data, &root.namespace, &root.name)
                        .iter()
                        .map(|p| self.idx.root("Pod", &p.metadata))
                        .collect();
                for (t, other) in &symptom_facts {
                    if backends.contains(other) {
                        links.push((
                            *t,
                            *s,
                            Relation::Caused,
                            0.9,
                            "service-backends-down",
                            json!({"kind": "dependency"}),
                        ));
                    }
                }
            }
        }
        for (from, to, relation, confidence, rule, evidence) in links {
            self.link(from, to, relation, confidence, rule, vec![evidence]);
        }
        for (from, to) in by_table {
            super::rules::apply(self, from, to);
        }
        ids
    }
}

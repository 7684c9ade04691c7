//! From symptoms to ranked hypotheses: trace each symptom to the findings that explain it,
//! lift each through the causal graph to an upstream cause, score by how complete the evidence
//! is, and group into problems.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rcagraph::analyze::Analysis;
use rcagraph::schema::{Graph, Node, NodeKind};

use super::checks::checks;
use super::subject::notable;
use super::{Hypothesis, Problem, Step, Symptom};
use crate::changes::Timeline;
use crate::rules::{Finding, ObjRef, Report, Severity};
use cluster::data::ClusterData;

/// What the engine reasons over, with the lookups every candidate needs built once: findings by
/// root object (in `diagnose`'s order), graph nodes by id and by the root object they are about.
pub(super) struct Context<'a> {
    pub(super) data: &'a ClusterData,
    pub(super) report: &'a Report,
    pub(super) roots: &'a HashMap<String, ObjRef>,
    pub(super) analysis: &'a Analysis,
    pub(super) timeline: &'a Timeline,
    findings_by_root: HashMap<ObjRef, Vec<&'a Finding>>,
    nodes_by_id: HashMap<&'a str, &'a Node>,
    nodes_by_root: HashMap<ObjRef, BTreeSet<&'a str>>,
}

impl<'a> Context<'a> {
    pub(super) fn new(
        data: &'a ClusterData,
        report: &'a Report,
        graph: &'a Graph,
        roots: &'a HashMap<String, ObjRef>,
        analysis: &'a Analysis,
        timeline: &'a Timeline,
    ) -> Context<'a> {
        let mut findings_by_root: HashMap<ObjRef, Vec<&Finding>> = HashMap::new();
        for f in &report.findings {
            findings_by_root.entry(f.root()).or_default().push(f);
        }
        let nodes_by_id = graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        // A node is about the root object of its facts, and about the object it names.
        let mut nodes_by_root: HashMap<ObjRef, BTreeSet<&str>> = HashMap::new();
        for n in &graph.nodes {
            if let Some(r) = roots.get(&n.id) {
                nodes_by_root.entry(r.clone()).or_default().insert(n.id.as_str());
            }
            if let Some(e) = &n.entity {
                let o = ObjRef::new(&e.kind, e.namespace.as_deref().unwrap_or(""), &e.name);
                nodes_by_root.entry(o).or_default().insert(n.id.as_str());
            }
        }
        Context { data, report, roots, analysis, timeline, findings_by_root, nodes_by_id, nodes_by_root }
    }

    fn findings_on(&self, object: &ObjRef) -> &[&'a Finding] {
        self.findings_by_root.get(object).map_or(&[], Vec::as_slice)
    }
}

/// A cause finding, the graph path that leads through it (root first), and what it explains.
struct Candidate<'a> {
    finding: &'a Finding,
    path: Vec<String>,
    path_confidence: f64,
    explains: BTreeSet<ObjRef>,
    /// The objects of the findings it was traced through (a node that went NotReady).
    via: BTreeSet<ObjRef>,
    /// Reached through `explained_by` or the graph, not only by being about the subject.
    linked: bool,
}

/// The findings that explain `f`, followed to the ones nothing explains (`f` itself if none).
fn trace<'a>(
    ctx: &Context<'a>,
    f: &'a Finding,
    depth: usize,
    seen: &mut BTreeSet<(String, ObjRef)>,
) -> Vec<&'a Finding> {
    if f.explained_by.is_empty() || depth > 4 {
        return vec![f];
    }
    let mut out = Vec::new();
    for b in &f.explained_by {
        for &g in ctx.findings_on(&b.object).iter().filter(|g| g.rule == b.rule) {
            if seen.insert((g.rule.clone(), b.object.clone())) {
                out.extend(trace(ctx, g, depth + 1, seen));
            }
        }
    }
    if out.is_empty() { vec![f] } else { out }
}

/// Rules that report a consequence, never a cause on their own.
fn symptom_rule(f: &Finding) -> bool {
    matches!(f.rule.as_str(), "DEP-1" | "DEP-2" | "DEP-3" | "STS-3" | "DS-1" | "POD-13" | "SVC-2")
}

impl<'a> Context<'a> {
    /// Graph nodes about a finding's root object.
    fn nodes_about(&self, f: &Finding) -> BTreeSet<&str> {
        self.nodes_by_root.get(&f.root()).cloned().unwrap_or_default()
    }

    /// The strongest ranked root cause whose path runs through one of `about`: its path cut
    /// after the last node about the finding, and the path's confidence.
    fn upstream(&self, about: &BTreeSet<&str>) -> Option<(Vec<String>, f64)> {
        let mut best: Option<(Vec<String>, f64)> = None;
        for rc in &self.analysis.root_causes {
            for p in &rc.paths {
                let Some(last) = p.node_ids.iter().rposition(|id| about.contains(id.as_str())) else {
                    continue;
                };
                if best.as_ref().is_none_or(|(_, c)| p.confidence > *c) {
                    best = Some((p.node_ids[..=last].to_vec(), p.confidence));
                }
            }
        }
        best
    }

    /// The finding that names the cause on `object`: the first (diagnose's ranking) that is
    /// about it, is not a mere consequence, and names a specific cause.
    fn cause_on(&self, object: &ObjRef) -> Option<&'a Finding> {
        self.findings_on(object).iter().copied().find(|f| {
            f.severity >= Severity::Warning
                && !symptom_rule(f)
                && !f.cause.starts_with("unknown/")
                && !f.cause.starts_with("hygiene/")
        })
    }

    fn root_of(&self, id: &str) -> Option<&ObjRef> {
        self.roots.get(id)
    }
}

/// The problems behind `symptoms`, each with its ranked hypotheses.
pub(super) fn problems(ctx: &Context, symptoms: &[&Finding]) -> Vec<Problem> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for s in symptoms {
        let mut seen = BTreeSet::new();
        for c in trace(ctx, s, 0, &mut seen) {
            let mut cand = Candidate {
                finding: c,
                path: Vec::new(),
                path_confidence: 0.0,
                explains: BTreeSet::from([s.root()]),
                via: BTreeSet::from([c.root()]),
                linked: c.root() != s.root() || !std::ptr::eq(c, *s),
            };
            if let Some((path, conf)) = ctx.upstream(&ctx.nodes_about(c)) {
                // Upstream on another object: the cause is there when a finding there names it.
                let up = path.first().and_then(|id| ctx.root_of(id)).filter(|r| **r != c.root());
                if let Some(u) = up.and_then(|r| ctx.cause_on(r)) {
                    cand.finding = u;
                    cand.linked = true;
                }
                cand.path = path;
                cand.path_confidence = conf;
            }
            candidates.push(cand);
        }
    }
    // One hypothesis per (cause, object): merge what each explains, keep the strongest path.
    let mut merged: BTreeMap<(String, ObjRef), Candidate> = BTreeMap::new();
    for c in candidates {
        let key = (c.finding.cause.clone(), c.finding.root());
        match merged.get_mut(&key) {
            Some(m) => {
                m.explains.extend(c.explains);
                m.via.extend(c.via);
                m.linked |= c.linked;
                if c.path_confidence > m.path_confidence {
                    m.path = c.path;
                    m.path_confidence = c.path_confidence;
                }
            }
            None => {
                merged.insert(key, c);
            }
        }
    }
    let order: HashMap<*const Finding, usize> =
        ctx.report.findings.iter().enumerate().map(|(i, f)| (std::ptr::from_ref(f), i)).collect();
    let mut hyps: Vec<(f64, usize, Hypothesis)> = merged
        .into_values()
        .map(|c| {
            let rank = order.get(&std::ptr::from_ref(c.finding)).copied().unwrap_or(usize::MAX);
            let h = hypothesis(ctx, &c);
            let score = h.confidence + 0.03 * c.explains.len().min(4) as f64;
            (score, rank, h)
        })
        .collect();
    hyps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut problems = group(symptoms, hyps.into_iter().map(|(_, _, h)| h).collect());
    // What changed competes too: a rollout of an object involved, before the symptoms.
    for p in &mut problems {
        let extra = super::alternatives::rollouts(ctx, p);
        for h in extra {
            if p.hypotheses.len() >= 4 {
                break;
            }
            // Never ahead of the cause a finding proves: a change is a lead, the finding a fact.
            let at = p
                .hypotheses
                .iter()
                .position(|o| o.confidence < h.confidence)
                .unwrap_or(p.hypotheses.len())
                .max(1);
            p.hypotheses.insert(at, h);
        }
    }
    problems
}

/// Hypotheses that explain overlapping symptoms compete in one problem; others are separate.
fn group(symptoms: &[&Finding], hyps: Vec<Hypothesis>) -> Vec<Problem> {
    let mut problems: Vec<Problem> = Vec::new();
    for h in hyps {
        let home = problems
            .iter_mut()
            .find(|p| p.hypotheses.iter().any(|o| o.explains.iter().any(|e| h.explains.contains(e))));
        match home {
            Some(p) if p.hypotheses.len() < 4 => p.hypotheses.push(h),
            Some(_) => {}
            None => problems.push(Problem { symptoms: Vec::new(), hypotheses: vec![h] }),
        }
    }
    for p in &mut problems {
        let objects: BTreeSet<&ObjRef> = p.hypotheses.iter().flat_map(|h| h.explains.iter()).collect();
        let mut seen = BTreeSet::new();
        for s in symptoms.iter().filter(|s| objects.contains(&s.root())) {
            if seen.insert((s.rule.clone(), s.root())) {
                p.symptoms.push(Symptom {
                    rule: s.rule.clone(),
                    object: s.root(),
                    cause: s.cause.clone(),
                    message: s.message.clone(),
                    severity: s.severity,
                });
            }
        }
    }
    problems
}

fn words(confidence: f64) -> &'static str {
    if confidence >= 0.8 {
        "high"
    } else if confidence >= 0.55 {
        "medium"
    } else {
        "low"
    }
}

/// A hypothesis from a candidate: its confidence from the evidence it has, and its chain.
fn hypothesis(ctx: &Context, c: &Candidate) -> Hypothesis {
    let f = c.finding;
    let mut basis = Vec::new();
    let mut confidence: f64 = 0.3;
    if f.cause.starts_with("unknown/") {
        basis.push("no specific cause could be named from the evidence".to_string());
    } else {
        confidence += 0.25;
        basis.push(format!("{} names the cause {}", f.rule, f.cause));
    }
    if f.evidence.is_empty() {
        basis.push("no evidence line proves it".into());
    } else {
        confidence += 0.15;
        basis.push(format!("proved by: {}", prompts::ellipsis(&f.evidence[0], 140)));
    }
    if c.linked {
        confidence += 0.15;
        basis.push("linked to the symptoms by the findings or the causal graph".into());
    } else {
        confidence += 0.1;
        basis.push("found on the object asked about".into());
    }
    let chain = chain(ctx, c);
    if chain.iter().any(|s| !s.time_inferred && s.time.is_some()) {
        confidence += 0.1;
        basis.push("the timeline orders cause before effect".into());
    } else {
        basis.push("no recorded time orders cause and effect".into());
    }
    confidence *= match f.severity {
        Severity::Critical | Severity::Error => 1.0,
        Severity::Warning => 0.92,
        Severity::Info => 0.85,
    };
    if f.cause.starts_with("unknown/") {
        confidence = confidence.min(0.35);
    }
    if !notable(f) && f.severity < Severity::Warning {
        confidence = confidence.min(0.5);
    }
    let confidence = (confidence.min(0.95) * 100.0).round() / 100.0;
    let (confirm, refute) = checks(f);
    Hypothesis {
        cause: f.cause.clone(),
        object: f.root(),
        rule: f.rule.clone(),
        fact: f.message.clone(),
        evidence: f.evidence.iter().take(6).cloned().collect(),
        detail: f.detail.clone(),
        node: f.node.clone(),
        pods: f.pods.iter().take(5).cloned().collect(),
        confidence,
        confidence_words: words(confidence).into(),
        basis,
        chain,
        explains: c.explains.iter().cloned().collect(),
        confirm,
        refute,
    }
}

/// How it unfolded: the changes on the cause's object before the graph path, the path itself
/// (oldest first; states seen only at capture time last, marked as such), and the proving fact
/// when the path does not already hold it.
fn chain(ctx: &Context, c: &Candidate) -> Vec<Step> {
    let object = c.finding.root();
    let mut steps: Vec<Step> = Vec::new();
    // The chosen path, and the root's other paths to the symptoms it explains: an outage
    // usually spreads along more than one (evictions and a NotReady node both take a pod down).
    let mut ids: Vec<&String> = c.path.iter().collect();
    if let Some(rc) = c.path.first().and_then(|r| ctx.analysis.root_causes.iter().find(|rc| &rc.node_id == r))
    {
        for p in &rc.paths {
            let ends_at_symptom = p
                .node_ids
                .last()
                .and_then(|l| ctx.root_of(l))
                .is_some_and(|r| c.explains.contains(r) || c.via.contains(r));
            if ends_at_symptom {
                ids.extend(p.node_ids.iter());
            }
        }
    }
    let mut seen = BTreeSet::new();
    ids.retain(|id| seen.insert(id.as_str()));
    ids.truncate(12);
    for id in ids {
        let Some(n) = ctx.nodes_by_id.get(id.as_str()) else { continue };
        let obj = ctx
            .root_of(id)
            .cloned()
            .or_else(|| {
                n.entity.as_ref().map(|e| ObjRef::new(&e.kind, e.namespace.as_deref().unwrap_or(""), &e.name))
            })
            .unwrap_or_else(|| object.clone());
        steps.push(Step {
            time: n.time,
            time_inferred: n.kind == NodeKind::Symptom,
            object: obj,
            what: n.description.clone().unwrap_or_else(|| match (&n.event, &n.entity) {
                (Some(e), Some(ent)) => format!(
                    "{} {} on {}: {}",
                    e.type_,
                    e.reason,
                    ent.display(),
                    prompts::ellipsis(e.message.as_deref().unwrap_or(""), 160)
                ),
                _ => n.id.clone(),
            }),
        });
    }
    let first = steps.iter().filter(|s| !s.time_inferred).filter_map(|s| s.time).min();
    for ch in ctx.timeline.real().filter(|ch| ch.object == object || ch.readers.contains(&object)) {
        let before_first = first.is_none_or(|t| ch.time <= t);
        let shown = steps.iter().any(|s| s.time == Some(ch.time) && s.object == ch.object);
        if before_first && !shown {
            steps.push(Step {
                time: Some(ch.time),
                time_inferred: false,
                object: ch.object.clone(),
                what: if ch.summary.starts_with(&ch.object.kind) {
                    ch.summary.clone()
                } else {
                    format!("{} {}: {}", ch.object.kind, ch.object.name, ch.summary)
                },
            });
        }
    }
    if steps.is_empty() {
        steps.push(Step {
            time: Some(ctx.data.now()),
            time_inferred: true,
            object: object.clone(),
            what: format!("{}: {}", object, prompts::ellipsis(&c.finding.message, 200)),
        });
    }
    steps.sort_by_key(|s| (s.time_inferred, s.time));
    steps
}

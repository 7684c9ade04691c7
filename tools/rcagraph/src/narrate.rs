//! Plain-language explanation of an analysed graph (issue 5 §3, `reference/rcagraph-v1.md` §8).
//!
//! [`narrate`] turns an [`Analysis`] into a [`Narrative`]: a one-sentence verdict, the causal
//! chain in time order with relative times, confidence in words (never numbers), what only
//! correlates, side branches, alternatives, gaps and read-only next steps. The words come from
//! the `causal/explain.md` template in `prompts`, so the text is reviewed and snapshot-tested
//! like every other prompt. [`check_rewrite`] guards a model's rewrite of it.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::analyze::{Analysis, WEAK, confidence_word};
use crate::schema::{AnomalyType, ChangeType, Direction, Graph, Node, NodeKind, Relation};

/// One step of the chain.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Node id.
    pub id: String,
    /// Wall-clock time (`12:38:55 UTC`), when known.
    pub when: Option<String>,
    /// Relative to the previous step (`45 s later`), when both times are known.
    pub after: Option<String>,
    /// What happened.
    pub text: String,
    /// How it links to the previous step (`high confidence that the image change caused it`).
    pub link: Option<String>,
}

/// A suggested read-only command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStep {
    /// Why to run it.
    pub purpose: String,
    /// The command.
    pub code: String,
}

/// Everything the explanation says, structured (what a model may rewrite from).
#[derive(Debug, Clone, Serialize)]
pub struct Narrative {
    /// One sentence.
    pub verdict: String,
    /// Top root cause's strongest path, in time order.
    pub chain: Vec<Step>,
    /// Where the chain stands against detection.
    pub detection: Option<String>,
    /// Other symptoms the top cause explains.
    pub also_explains: Vec<String>,
    /// Weaker routes from the top cause to the symptoms, off its strongest paths.
    pub other_routes: Vec<String>,
    /// Consequences of the top cause that reach no symptom.
    pub side_branches: Vec<String>,
    /// Correlated pairs: evidence, not causes.
    pub correlations: Vec<String>,
    /// Runner-up hypotheses.
    pub alternatives: Vec<String>,
    /// How sleuth's ranking compares with the producer's (agreement, or why it differs).
    pub comparison: Vec<String>,
    /// What the graph does not show.
    pub gaps: Vec<String>,
    /// Read-only commands to check the story.
    pub next_steps: Vec<NextStep>,
}

/// The node's label: its description, else a phrase made from its fields.
pub fn label(n: &Node) -> String {
    n.description.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| phrase(n))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn entity_text(n: &Node) -> String {
    n.entity.as_ref().map(crate::schema::Entity::display).unwrap_or_default()
}

fn entity_name(n: &Node) -> String {
    n.entity.as_ref().map(|e| e.name.clone()).unwrap_or_default()
}

fn values(before: Option<&Value>, after: Option<&Value>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!(" ({} → {})", value_text(b), value_text(a)),
        (None, Some(a)) => format!(" (now {})", value_text(a)),
        _ => String::new(),
    }
}

fn metric_verb(n: &Node) -> &'static str {
    let a = n.anomaly.as_ref();
    let dir = a.and_then(|a| a.direction);
    match (a.and_then(|a| a.type_), dir) {
        (Some(AnomalyType::Inflection), Some(Direction::Down)) => "started falling",
        (Some(AnomalyType::Inflection), _) => "started rising",
        (Some(AnomalyType::LevelShift), Some(Direction::Down)) => "dropped to a new level",
        (Some(AnomalyType::LevelShift), _) => "jumped to a new level",
        (Some(AnomalyType::Spike), _) => "spiked",
        (Some(AnomalyType::Drop), _) => "dropped",
        (Some(AnomalyType::Trend), Some(Direction::Down)) => "kept falling",
        (Some(AnomalyType::Trend), _) => "kept rising",
        (None, Some(Direction::Up)) => "rose abnormally",
        (None, Some(Direction::Down)) => "fell abnormally",
        (None, None) => "behaved abnormally",
    }
}

fn number(f: f64) -> String {
    if f.abs() >= 1e9 {
        format!("{:.1}G", f / 1e9)
    } else if f.abs() >= 1e6 {
        format!("{:.1}M", f / 1e6)
    } else if f.abs() >= 1e3 {
        format!("{:.1}k", f / 1e3)
    } else if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f:.2}").trim_end_matches('0').to_string()
    }
}

/// A sentence fragment made from the node's fields (used when it has no description).
pub fn phrase(n: &Node) -> String {
    let ent = entity_text(n);
    match n.kind {
        NodeKind::ChangeEvent | NodeKind::TopologyChange => {
            let Some(c) = &n.change else { return format!("a change to {ent}") };
            let vals = values(c.before.as_ref(), c.after.as_ref());
            let field = c.field.as_deref().map(|f| format!(" {f}")).unwrap_or_default();
            let list = |v: &[String]| {
                let shown: Vec<&str> = v.iter().take(3).map(String::as_str).collect();
                let more = v.len().saturating_sub(3);
                format!(
                    "{}{}",
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                )
            };
            match c.type_ {
                ChangeType::ImageChange => format!("the image of {ent} changed{vals}"),
                ChangeType::ConfigChange => format!("the configuration of {ent} changed{field}{vals}"),
                ChangeType::Scale => format!("{ent} was scaled{vals}"),
                ChangeType::Deploy => format!("{ent} was rolled out{vals}"),
                ChangeType::Rollback => format!("{ent} was rolled back{vals}"),
                ChangeType::TerraformApply => format!("Terraform changed {}{field}", entity_name(n)),
                ChangeType::FeatureFlag => format!("feature flag{field} of {ent} changed{vals}"),
                ChangeType::PodsRescheduled if !c.added.is_empty() => {
                    format!("pods were rescheduled onto {ent} ({})", list(&c.added))
                }
                ChangeType::PodsRescheduled => {
                    format!("pods were rescheduled away from {ent} ({})", list(&c.removed))
                }
                ChangeType::NodeAdded => format!("node {} joined the cluster", entity_name(n)),
                ChangeType::NodeRemoved => format!("node {} left the cluster", entity_name(n)),
                ChangeType::EdgeAdded => format!("a new dependency of {ent} appeared ({})", list(&c.added)),
                ChangeType::EdgeRemoved => format!("a dependency of {ent} went away ({})", list(&c.removed)),
            }
        }
        NodeKind::MetricAnomaly => {
            let m = n.metric.as_ref().map_or("a metric", |m| m.name.as_str());
            let of = if ent.is_empty() { String::new() } else { format!(" of {ent}") };
            let unit =
                n.metric.as_ref().and_then(|m| m.unit.clone()).map(|u| format!(" {u}")).unwrap_or_default();
            let vals = match n.anomaly.as_ref().map(|a| (a.baseline, a.observed)) {
                Some((Some(b), Some(o))) => format!(" ({} → {}{unit})", number(b), number(o)),
                Some((None, Some(o))) => format!(" (to {}{unit})", number(o)),
                _ => String::new(),
            };
            format!("{m}{of} {}{vals}", metric_verb(n))
        }
        NodeKind::K8sEvent => {
            let e = n.event.as_ref();
            let reason = e.map_or("event", |e| e.reason.as_str());
            let count =
                e.and_then(|e| e.count).filter(|c| *c > 1).map(|c| format!(" ×{c}")).unwrap_or_default();
            let msg = e
                .and_then(|e| e.message.as_deref())
                .map(|m| format!(": {}", truncate(m, 140)))
                .unwrap_or_default();
            format!("{reason}{count} on {ent}{msg}")
        }
        NodeKind::Symptom => n.description.clone().unwrap_or_else(|| format!("a symptom on {ent}")),
    }
}

/// A noun phrase for "no evidence links {noun} to …".
pub fn noun(n: &Node) -> String {
    let name = n.entity.as_ref().map_or("", |e| e.name.as_str());
    match (n.kind, n.change.as_ref().map(|c| c.type_)) {
        (NodeKind::ChangeEvent, Some(ChangeType::ImageChange)) => format!("the image change of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::ConfigChange)) => {
            format!("the configuration change of {name}")
        }
        (NodeKind::ChangeEvent, Some(ChangeType::Scale)) => format!("the scaling of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::Rollback)) => format!("the rollback of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::TerraformApply)) => format!("the Terraform apply of {name}"),
        (NodeKind::ChangeEvent, Some(ChangeType::FeatureFlag)) => format!("the flag change on {name}"),
        (NodeKind::ChangeEvent, _) => format!("the rollout of {name}"),
        (NodeKind::TopologyChange, Some(ChangeType::PodsRescheduled)) => {
            format!("the rescheduling onto {name}")
        }
        (NodeKind::TopologyChange, Some(ChangeType::NodeAdded)) => format!("node {name} joining"),
        (NodeKind::TopologyChange, Some(ChangeType::NodeRemoved)) => format!("node {name} leaving"),
        (NodeKind::TopologyChange, _) => format!("the dependency change of {name}"),
        (NodeKind::MetricAnomaly, _) => {
            let a = n.anomaly.as_ref();
            let what = match (a.and_then(|a| a.type_), a.and_then(|a| a.direction)) {
                (Some(AnomalyType::Spike), _) => "spike",
                (Some(AnomalyType::Drop), _) | (_, Some(Direction::Down)) => "fall",
                (Some(AnomalyType::LevelShift), _) => "level shift",
                (Some(_), _) | (None, Some(Direction::Up)) => "rise",
                (None, None) => "anomaly",
            };
            format!("the {} {what}{}", metric_name(n), of(name))
        }
        (NodeKind::K8sEvent, _) => {
            format!("the {} event on {name}", n.event.as_ref().map_or("Kubernetes", |e| e.reason.as_str()))
        }
        (NodeKind::Symptom, _) => truncate(&label(n), 60),
    }
}

/// A short clause for "45 s after {short}".
pub fn short(n: &Node) -> String {
    let name = n.entity.as_ref().map_or("", |e| e.name.as_str());
    match (n.kind, n.change.as_ref().map(|c| c.type_)) {
        (NodeKind::ChangeEvent, Some(ChangeType::ImageChange)) => format!("the image of {name} changed"),
        (NodeKind::ChangeEvent, Some(ChangeType::ConfigChange)) => {
            format!("the configuration of {name} changed")
        }
        (NodeKind::ChangeEvent, Some(ChangeType::Scale)) => format!("{name} was scaled"),
        (NodeKind::ChangeEvent, Some(ChangeType::Rollback)) => format!("{name} was rolled back"),
        (NodeKind::ChangeEvent, Some(ChangeType::TerraformApply)) => format!("the Terraform apply of {name}"),
        (NodeKind::ChangeEvent, _) => format!("{name} was rolled out"),
        (NodeKind::TopologyChange, Some(ChangeType::PodsRescheduled)) => {
            format!("pods were rescheduled onto {name}")
        }
        (NodeKind::TopologyChange, _) => format!("the topology of {name} changed"),
        (NodeKind::MetricAnomaly, _) => format!("{}{} {}", metric_name(n), of(name), metric_verb(n)),
        // Events and symptoms read the same as a clause and as a noun.
        (NodeKind::K8sEvent | NodeKind::Symptom, _) => noun(n),
    }
}

fn metric_name(n: &Node) -> &str {
    n.metric.as_ref().map_or("the metric", |m| m.name.as_str())
}

fn of(name: &str) -> String {
    if name.is_empty() { String::new() } else { format!(" of {name}") }
}

fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    }
}

/// `45 s`, `2 min 15 s`, `25 min`, `1 h 5 min`, `2 d 3 h`.
pub fn duration(secs: f64) -> String {
    let s = secs.abs().round() as i64;
    if s < 120 {
        format!("{s} s")
    } else if s < 600 {
        if s % 60 == 0 { format!("{} min", s / 60) } else { format!("{} min {} s", s / 60, s % 60) }
    } else if s < 3600 {
        format!("{} min", (s + 30) / 60)
    } else if s < 172_800 {
        let m = (s + 30) / 60;
        if m % 60 == 0 { format!("{} h", m / 60) } else { format!("{} h {} min", m / 60, m % 60) }
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3600)
    }
}

fn clock(t: Timestamp, reference: Option<Timestamp>) -> String {
    let z = t.to_zoned(jiff::tz::TimeZone::UTC);
    let same_day = reference.is_some_and(|r| r.to_zoned(jiff::tz::TimeZone::UTC).date() == z.date());
    if same_day {
        z.strftime("%H:%M:%S UTC").to_string()
    } else {
        z.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

fn secs(a: Timestamp, b: Timestamp) -> f64 {
    (b - a).total(jiff::Unit::Second).unwrap_or(0.0)
}

/// Ids of the nodes from which a causal path (as ranked) leads to a symptom.
fn reaching_symptoms<'g>(g: &'g Graph, a: &Analysis) -> HashSet<&'g str> {
    let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
    for &ei in &a.causal_edges {
        parents.entry(g.edges[ei].to.as_str()).or_default().push(g.edges[ei].from.as_str());
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> =
        g.nodes.iter().filter(|n| a.symptoms.contains(&n.id)).map(|n| n.id.as_str()).collect();
    while let Some(x) = stack.pop() {
        if seen.insert(x) {
            stack.extend(parents.get(x).into_iter().flatten().copied());
        }
    }
    seen
}

fn severity_rank(n: &Node) -> u8 {
    match n.severity {
        Some(crate::schema::Severity::Critical) => 0,
        Some(crate::schema::Severity::Error) | None => 1,
        Some(crate::schema::Severity::Warning) => 2,
        Some(crate::schema::Severity::Info) => 3,
    }
}

/// The path the story follows: to the most severe symptom the cause reaches, strongest first.
pub fn story_path<'a>(g: &Graph, top: &'a crate::analyze::RootCause) -> &'a crate::analyze::CausePath {
    top.paths
        .iter()
        .min_by(|x, y| {
            let sev = |p: &crate::analyze::CausePath| {
                p.node_ids.last().and_then(|s| g.nodes.iter().find(|n| &n.id == s)).map_or(1, severity_rank)
            };
            sev(x).cmp(&sev(y)).then(y.strength.total_cmp(&x.strength))
        })
        .expect("a ranked cause has a path")
}

/// Builds the narrative.
pub fn narrate(g: &Graph, a: &Analysis) -> Narrative {
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let node = |id: &str| &g.nodes[index[id]];
    let time = |id: &str| g.node_time(node(id));
    let causal_edge = |from: &str, to: &str| {
        a.causal_edges.iter().map(|&i| &g.edges[i]).find(|e| e.from == from && e.to == to)
    };
    let symptom_labels = |ids: &[String]| ids.iter().map(|s| label(node(s))).collect::<Vec<_>>();

    let mut n = Narrative {
        verdict: String::new(),
        chain: Vec::new(),
        detection: None,
        also_explains: Vec::new(),
        other_routes: Vec::new(),
        side_branches: Vec::new(),
        correlations: Vec::new(),
        alternatives: Vec::new(),
        comparison: a.comparison.as_ref().map(|c| c.reasons.clone()).unwrap_or_default(),
        gaps: Vec::new(),
        next_steps: Vec::new(),
    };
    if let Some(c) = a.comparison.as_ref().filter(|c| c.agrees) {
        let who = c.producer.clone().unwrap_or_else(|| "the producer".into());
        n.comparison.push(format!("sleuth agrees with the ranking {who} supplied"));
    }

    let Some(top) = a.top() else {
        let names = symptom_labels(&a.symptoms);
        n.verdict = if names.is_empty() {
            "This graph has no causal edge leading to a symptom, so it names no root cause.".into()
        } else {
            format!(
                "Nothing in this graph explains {}: no causal edge leads to {}.",
                join_and(&names),
                if names.len() == 1 { "it" } else { "them" }
            )
        };
        gaps(g, a, &mut n, &index);
        return n;
    };
    let best = story_path(g, top);
    let root = node(&top.node_id);
    let word = confidence_word(top.confidence);
    let target = label(node(best.node_ids.last().expect("a path has nodes")));
    let steps = best.node_ids.len() - 1;
    n.verdict = if top.confidence < WEAK {
        format!(
            "No strong explanation: the best candidate is {} ({word} evidence), which leads to {target} through {steps} step(s).",
            label(root)
        )
    } else {
        let reach = if a.symptoms.len() > 1 {
            format!(" It explains {} of the {} symptoms.", top.symptoms.len(), a.symptoms.len())
        } else {
            String::new()
        };
        format!(
            "Most likely root cause ({word} confidence): {} — it leads to {target} in {steps} step{}.{reach}",
            label(root),
            if steps == 1 { "" } else { "s" }
        )
    };

    // The chain, in path order (which is time order for consistent graphs).
    let mut prev: Option<&str> = None;
    for id in &best.node_ids {
        let nd = node(id);
        let t = time(id);
        let (after, link) = match prev {
            None => (None, None),
            Some(p) => {
                let pt = time(p);
                let after = match (pt, t) {
                    (Some(a0), Some(b0)) => {
                        let d = secs(a0, b0);
                        Some(if d.abs() < 0.5 {
                            format!("at the same time as {}", short(node(p)))
                        } else if d > 0.0 {
                            format!("{} after {}", duration(d), short(node(p)))
                        } else {
                            format!("{} before {} (within the clock skew)", duration(d), short(node(p)))
                        })
                    }
                    _ => None,
                };
                let e = causal_edge(p, id);
                let link = e.map(|e| {
                    let w = match confidence_word(e.confidence_or_default()) {
                        "high" => "high-confidence",
                        other => other,
                    };
                    match e.relation {
                        Relation::ContributesTo => format!("{w} contributing factor"),
                        _ => format!("{w} causal link"),
                    }
                });
                (after, link)
            }
        };
        n.chain.push(Step {
            id: id.clone(),
            when: t.map(|t| clock(t, time(&best.node_ids[0]))),
            after,
            text: label(nd),
            link,
        });
        prev = Some(id);
    }
    let detected = g.incident.as_ref().and_then(|i| i.detected_at);
    if let (Some(d), Some(t0)) = (detected, time(&top.node_id)) {
        let lead = secs(t0, d);
        n.detection = Some(if lead >= 0.0 {
            format!(
                "The chain started {} before the incident was detected ({}).",
                duration(lead),
                clock(d, Some(t0))
            )
        } else {
            format!(
                "The chain started {} after the incident was detected ({}).",
                duration(lead),
                clock(d, Some(t0))
            )
        });
    }
    let others: Vec<_> = top.paths.iter().filter(|p| !std::ptr::eq(*p, best)).collect();
    for p in others.iter().take(6) {
        let s = p.node_ids.last().expect("non-empty");
        n.also_explains.push(format!(
            "{} ({}, via {} step(s))",
            label(node(s)),
            confidence_word(p.confidence),
            p.node_ids.len() - 1
        ));
    }
    if others.len() > 6 {
        n.also_explains.push(format!("and {} more", others.len() - 6));
    }

    // Other routes: edges from the top cause's paths into nodes that also lead to a symptom
    // but lie on none of its strongest paths, followed until they rejoin one.
    let reaching = reaching_symptoms(g, a);
    let on_any: HashSet<&str> =
        top.paths.iter().flat_map(|p| p.node_ids.iter().map(String::as_str)).collect();
    let mut used: HashSet<&str> = HashSet::new();
    'routes: for start in top.paths.iter().flat_map(|p| p.node_ids.iter()) {
        for &ei in &a.causal_edges {
            if n.other_routes.len() >= 5 {
                break 'routes;
            }
            let e = &g.edges[ei];
            if e.from != *start
                || on_any.contains(e.to.as_str())
                || !reaching.contains(e.to.as_str())
                || !used.insert(e.to.as_str())
            {
                continue;
            }
            let mut parts =
                vec![format!("{} ({})", label(node(&e.to)), confidence_word(e.confidence_or_default()))];
            let mut at = e.to.as_str();
            let mut rejoin = None;
            for _ in 0..6 {
                let next = a
                    .causal_edges
                    .iter()
                    .map(|&i| &g.edges[i])
                    .filter(|x| x.from == at && reaching.contains(x.to.as_str()))
                    .max_by(|x, y| x.confidence_or_default().total_cmp(&y.confidence_or_default()));
                let Some(next) = next else { break };
                if on_any.contains(next.to.as_str()) {
                    rejoin = Some((next.to.as_str(), confidence_word(next.confidence_or_default())));
                    break;
                }
                if !used.insert(next.to.as_str()) {
                    break;
                }
                parts.push(format!(
                    "{} ({})",
                    label(node(&next.to)),
                    confidence_word(next.confidence_or_default())
                ));
                at = next.to.as_str();
            }
            let tail =
                rejoin.map(|(r, w)| format!(", which leads to {} ({w})", short(node(r)))).unwrap_or_default();
            n.other_routes.push(format!("after {}: {}{tail}", noun(node(start)), parts.join(", then ")));
        }
    }

    // Side branches: consequences of the top chain that reach no symptom.
    let on_paths: HashSet<&str> =
        top.paths.iter().flat_map(|p| p.node_ids.iter().map(String::as_str)).collect();
    let reaches_symptom = reaching_symptoms(g, a);
    let mut seen_side = HashSet::new();
    for start in &best.node_ids {
        for &ei in &a.causal_edges {
            let e = &g.edges[ei];
            if e.from != *start || on_paths.contains(e.to.as_str()) || reaches_symptom.contains(e.to.as_str())
            {
                continue;
            }
            if !seen_side.insert(e.to.as_str()) {
                continue;
            }
            let mut parts =
                vec![format!("{} ({})", label(node(&e.to)), confidence_word(e.confidence_or_default()))];
            let mut at = e.to.as_str();
            for _ in 0..3 {
                let Some(next) = a
                    .causal_edges
                    .iter()
                    .map(|&i| &g.edges[i])
                    .find(|x| x.from == at && seen_side.insert(x.to.as_str()))
                else {
                    break;
                };
                parts.push(format!(
                    "{} ({})",
                    label(node(&next.to)),
                    confidence_word(next.confidence_or_default())
                ));
                at = next.to.as_str();
            }
            n.side_branches.push(format!(
                "after {}: {} — this does not reach a symptom",
                noun(node(start)),
                parts.join(", then ")
            ));
        }
    }

    // Correlations.
    for e in g.edges.iter().filter(|e| e.relation == Relation::Correlated) {
        let (Some(_), Some(_)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        let order = match (time(&e.from), time(&e.to)) {
            (Some(x), Some(y)) if secs(x, y).abs() >= 0.5 => {
                let d = secs(x, y);
                let (first, second) = if d > 0.0 { (&e.from, &e.to) } else { (&e.to, &e.from) };
                format!("; {} came {} before {}", noun(node(first)), duration(d), noun(node(second)))
            }
            _ => String::new(),
        };
        n.correlations.push(format!(
            "{} and {} only correlate ({}{order}): evidence, not a cause",
            label(node(&e.from)),
            label(node(&e.to)),
            confidence_word(e.confidence_or_default())
        ));
    }

    // Alternatives.
    for (rank, rc) in a
        .root_causes
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, rc)| !top.weak_parents.contains(&rc.node_id))
        .take(4)
    {
        let first = &rc.paths[0];
        let why = if rc.symptoms.len() < top.symptoms.len() && rc.confidence >= top.confidence {
            format!("explains fewer symptoms ({} of {})", rc.symptoms.len(), a.symptoms.len())
        } else {
            format!("its strongest path is {}", confidence_word(rc.confidence))
        };
        n.alternatives.push(format!(
            "#{} {} — leads to {} in {} step(s); ranked lower: {why}",
            rank + 1,
            label(node(&rc.node_id)),
            label(node(first.node_ids.last().expect("non-empty"))),
            first.node_ids.len() - 1
        ));
    }
    if !top.weak_parents.is_empty() {
        n.alternatives.push(format!(
            "Earlier causes with only weak evidence: {} — if confirmed, they would come before {}.",
            join_and(&top.weak_parents.iter().map(|p| label(node(p))).collect::<Vec<_>>()),
            noun(root)
        ));
    }

    gaps(g, a, &mut n, &index);
    n.next_steps = next_steps(g, a, &index);
    n
}

fn gaps(g: &Graph, a: &Analysis, n: &mut Narrative, index: &HashMap<&str, usize>) {
    let node = |id: &str| &g.nodes[index[id]];
    for s in &a.unexplained {
        n.gaps.push(format!("Nothing in the graph explains {}.", label(node(s))));
    }
    if let Some(top) = a.top() {
        for w in story_path(g, top).node_ids.windows(2) {
            if let Some(e) =
                a.causal_edges.iter().map(|&i| &g.edges[i]).find(|e| e.from == w[0] && e.to == w[1])
            {
                let c = e.confidence_or_default();
                if c < 0.6 {
                    n.gaps.push(format!(
                        "The link from {} to {} is only {} — it is the weakest part of the story.",
                        noun(node(&w[0])),
                        noun(node(&w[1])),
                        confidence_word(c)
                    ));
                }
            }
        }
    }
    // Changes that nothing ties to a symptom: the classic "it changed, but is it related?".
    let explained = reaching_symptoms(g, a);
    let first_symptom = a.symptoms.first().map(|s| noun(node(s)));
    for nd in g.nodes.iter().filter(|nd| matches!(nd.kind, NodeKind::ChangeEvent | NodeKind::TopologyChange))
    {
        if explained.contains(nd.id.as_str()) {
            continue;
        }
        if let Some(s) = &first_symptom {
            n.gaps.push(format!("No evidence links {} to {s}.", noun(nd)));
        }
        if n.gaps.len() > 12 {
            break;
        }
    }
    let untimed = g.nodes.iter().filter(|nd| g.node_time(nd).is_none()).count();
    if untimed > 0 {
        n.gaps.push(format!("{untimed} node(s) have no time, so the order of their events is unverified."));
    }
    for d in &a.dropped {
        n.gaps.push(format!(
            "The graph has a causal cycle ({}); the weakest edge, {}→{}, was ignored for ranking.",
            d.cycle.join(", "),
            d.from,
            d.to
        ));
    }
    if !a.symptoms_declared && !a.symptoms.is_empty() {
        n.gaps.push("No symptom is declared: the nodes nothing else depends on stand in for them.".into());
    }
}

fn kubectl_for(n: &Node) -> Vec<NextStep> {
    let Some(e) = &n.entity else {
        return n
            .metric
            .as_ref()
            .and_then(|m| m.query.clone())
            .map(|q| {
                vec![NextStep {
                    purpose: format!(
                        "re-run the query behind {}",
                        n.metric.as_ref().map_or("", |m| m.name.as_str())
                    ),
                    code: format!("# in your metrics UI: {q}"),
                }]
            })
            .unwrap_or_default();
    };
    let sys = e.system.as_deref().unwrap_or("kubernetes");
    if sys == "terraform" {
        return vec![NextStep {
            purpose: format!("see what Terraform manages for {}", e.name),
            code: format!("terraform state show '{}'", e.name),
        }];
    }
    if sys != "kubernetes" {
        return Vec::new();
    }
    let ns = e.namespace.as_deref().map(|n| format!(" -n {n}")).unwrap_or_default();
    let kind = e.kind.to_lowercase();
    let name = &e.name;
    let mut v = Vec::new();
    match e.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" => {
            if n.kind == NodeKind::ChangeEvent {
                v.push(NextStep {
                    purpose: format!("compare the revisions of {name}"),
                    code: format!("kubectl rollout history {kind}/{name}{ns}"),
                });
            }
            v.push(NextStep {
                purpose: format!("see the state and events of {name}"),
                code: format!("kubectl describe {kind} {name}{ns}"),
            });
        }
        "Pod" => {
            v.push(NextStep {
                purpose: format!("see why {name} restarted or failed"),
                code: format!("kubectl describe pod {name}{ns}"),
            });
            if n.event.as_ref().is_some_and(|e| {
                matches!(e.reason.as_str(), "BackOff" | "OOMKilling" | "OOMKilled" | "Unhealthy")
            }) {
                v.push(NextStep {
                    purpose: format!("read the logs of the previous {name} container"),
                    code: format!("kubectl logs {name}{ns} --previous --tail=100"),
                });
            }
        }
        "Node" => {
            v.push(NextStep {
                purpose: format!("check conditions and pressure on {name}"),
                code: format!("kubectl describe node {name}"),
            });
            v.push(NextStep {
                purpose: format!("list what runs on {name}"),
                code: format!("kubectl get pods -A -o wide --field-selector spec.nodeName={name}"),
            });
        }
        "Service" => v.push(NextStep {
            purpose: format!("check which pods back Service {name}"),
            code: format!("kubectl get endpointslices{ns} -l kubernetes.io/service-name={name}"),
        }),
        _ => v.push(NextStep {
            purpose: format!("inspect {} {name}", e.kind),
            code: format!("kubectl describe {kind} {name}{ns}"),
        }),
    }
    v
}

fn next_steps(g: &Graph, a: &Analysis, index: &HashMap<&str, usize>) -> Vec<NextStep> {
    let Some(top) = a.top() else { return Vec::new() };
    let mut out: Vec<NextStep> = Vec::new();
    let mut seen = BTreeSet::new();
    for id in &story_path(g, top).node_ids {
        for s in kubectl_for(&g.nodes[index[id.as_str()]]) {
            if seen.insert(s.code.clone()) {
                out.push(s);
            }
        }
    }
    let root = &g.nodes[index[top.node_id.as_str()]];
    if let Some(e) =
        root.entity.as_ref().filter(|e| e.system.as_deref().unwrap_or("kubernetes") == "kubernetes")
    {
        let ns = e.namespace.as_deref().map_or_else(|| " -A".to_string(), |n| format!(" -n {n}"));
        let code = format!(
            "kubectl get events{ns} --field-selector involvedObject.name={} --sort-by=.lastTimestamp",
            e.name
        );
        if seen.insert(code.clone()) {
            out.push(NextStep { purpose: format!("read the events recorded for {}", e.name), code });
        }
    }
    out.truncate(6);
    out
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The narrative as Markdown, from the `causal/explain.md` template.
pub fn markdown(n: &Narrative) -> String {
    prompts::render("causal/explain.md", n)
        .unwrap_or_else(|e| format!("{}\n\n(template error: {e})", n.verdict))
}

/// Checks a rewritten narrative (by a model) against the graph: it must name the top root
/// cause and must not name objects that are not in the graph. `Err` says why it is refused.
pub fn check_rewrite(g: &Graph, a: &Analysis, text: &str) -> Result<(), String> {
    let lower = text.to_lowercase();
    if let Some(top) = a.top() {
        let root = g.nodes.iter().find(|n| n.id == top.node_id).expect("ranked nodes exist");
        let mut names = vec![root.id.to_lowercase()];
        if let Some(e) = &root.entity {
            names.push(e.name.to_lowercase());
        }
        if let Some(m) = &root.metric {
            names.push(m.name.to_lowercase());
        }
        if let Some(d) = &root.description {
            names.push(d.to_lowercase());
        }
        if !names.iter().any(|n| !n.is_empty() && lower.contains(n.as_str())) {
            return Err(format!("it does not name the top root cause ({})", label(root)));
        }
    }
    let known = known_text(g);
    for token in entity_tokens(text) {
        if !known.contains(&token.to_lowercase()) {
            return Err(format!("it names {token:?}, which is not in the graph"));
        }
    }
    Ok(())
}

fn known_text(g: &Graph) -> String {
    let mut s = serde_json::to_string(g).unwrap_or_default().to_lowercase();
    for n in &g.nodes {
        s.push(' ');
        s.push_str(&label(n).to_lowercase());
    }
    s
}

const KINDS: &[&str] = &[
    "deployment",
    "pod",
    "node",
    "service",
    "statefulset",
    "daemonset",
    "replicaset",
    "configmap",
    "ingress",
    "job",
    "cronjob",
    "namespace",
    "persistentvolumeclaim",
    "pvc",
    "secret",
    "hpa",
];

/// Words in a text that look like object names: backticked spans, `a/b` references,
/// hyphenated names with digits, and the word after a Kubernetes kind.
fn entity_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        let span = after[..end].trim();
        if !span.is_empty() && !span.contains(' ') && span.len() < 80 {
            out.push(span.to_string());
        }
        rest = &after[end + 1..];
    }
    let clean = |w: &str| {
        w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/' || c == '.' || c == '_'))
            .trim_end_matches('.')
            .to_string()
    };
    let words: Vec<String> = text.split_whitespace().map(clean).filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        let slash = w.split('/').filter(|p| !p.is_empty()).count() >= 2
            && !w.contains("//")
            && w.chars().any(char::is_alphabetic);
        let hyphen_digit =
            w.contains('-') && w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic);
        if slash || hyphen_digit {
            out.push(w.clone());
        }
        if KINDS.contains(&w.to_lowercase().as_str())
            && let Some(next) = words.get(i + 1)
            && (next.contains('-') || next.contains('/') || next.chars().any(|c| c.is_ascii_digit()))
        {
            out.push(next.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::parse_json};

    fn example() -> (Graph, Analysis) {
        let g = parse_json(include_str!("testdata/example.json")).unwrap().graph;
        let a = analyze(&g);
        (g, a)
    }

    #[test]
    fn the_reference_example_reads_like_an_sre_summary() {
        let (g, a) = example();
        let text = markdown(&narrate(&g, &a));
        insta::assert_snapshot!(text);
        // What §9 says a reader should get from it.
        assert!(text.contains("the image of Deployment shop/checkout changed"), "{text}");
        assert!(text.contains("45 s after the image of checkout changed"), "{text}");
        assert!(text.contains("90 s after pod_error of checkout started rising"), "{text}");
        assert!(text.contains("does not reach a symptom"), "{text}");
        assert!(text.contains("only correlate (possible; the BackOff event on checkout-747ccfb9db-78qds came 10 s before the pod_error rise of checkout"), "{text}");
        assert!(
            text.contains("No evidence links the rescheduling onto node1 to checkout 5xx rate above SLO."),
            "{text}"
        );
        for number in ["0.86", "0.8", "0.97", "0.69"] {
            assert!(!text.contains(number), "raw number {number} in {text}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(135.0), "2 min 15 s");
        assert_eq!(duration(1500.0), "25 min");
        assert_eq!(duration(3900.0), "1 h 5 min");
        assert_eq!(duration(200_000.0), "2 d 7 h");
    }

    #[test]
    fn a_rewrite_must_name_the_cause_and_invent_nothing() {
        let (g, a) = example();
        assert!(
            check_rewrite(
                &g,
                &a,
                "The new image of checkout (reg/checkout:1.5.0) raised pod_error, then the 5xx SLO broke."
            )
            .is_ok()
        );
        let err = check_rewrite(&g, &a, "A memory spike on node1 broke the 5xx SLO.").unwrap_err();
        assert!(err.contains("top root cause"), "{err}");
        let err = check_rewrite(
            &g,
            &a,
            "The image change of checkout broke payments-api-7d9f and Deployment payments.",
        )
        .unwrap_err();
        assert!(err.contains("payments"), "{err}");
    }
}

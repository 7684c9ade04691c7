//! The verdict and the chain in time order, with what else the cause explains.

use std::collections::{HashMap, HashSet};

use super::narrative::{Narrative, Step};
use super::next::{gaps, next_steps};
use super::paths::{reaching_symptoms, story_path};
use super::phrases::{clock, duration, join_and, label, noun, secs, short};
use crate::analyze::{Analysis, WEAK, confidence_word};
use crate::schema::{Graph, Relation};

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

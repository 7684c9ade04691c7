//! What the graph does not show, and read-only commands to check the story.

use std::collections::{BTreeSet, HashMap};

use super::narrative::{Narrative, NextStep};
use super::paths::{reaching_symptoms, story_path};
use super::phrases::{label, noun};
use crate::analyze::{Analysis, confidence_word};
use crate::schema::{Graph, Node, NodeKind};

pub(super) fn gaps(g: &Graph, a: &Analysis, n: &mut Narrative, index: &HashMap<&str, usize>) {
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

pub(super) fn kubectl_for(n: &Node) -> Vec<NextStep> {
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

pub(super) fn next_steps(g: &Graph, a: &Analysis, index: &HashMap<&str, usize>) -> Vec<NextStep> {
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

//! Competing hypotheses from what changed: a rollout of a workload involved, shortly before the
//! symptoms, is a cause worth ruling out even when a finding names another one.

use super::hypotheses::Context;
use super::{Hypothesis, Problem, Step};
use crate::changes::What;

/// Rollouts (and rollbacks) of the objects a problem involves, before its first observed
/// symptom, as `rollout/regression` hypotheses. Their confidence stays modest: a change before a
/// failure is a lead, not a proof; closeness in time and a diff that touches what runs (image,
/// env, args, probes, resources) make it likelier.
pub(super) fn rollouts(ctx: &Context, p: &Problem) -> Vec<Hypothesis> {
    let Some(top) = p.hypotheses.first() else { return Vec::new() };
    let involved: Vec<&crate::rules::ObjRef> = std::iter::once(&top.object)
        .chain(top.explains.iter())
        .chain(p.symptoms.iter().map(|s| &s.object))
        .collect();
    let first_seen =
        top.chain.iter().filter(|s| !s.time_inferred).filter_map(|s| s.time).min().unwrap_or(ctx.data.now());
    let mut out = Vec::new();
    for c in ctx.timeline.real() {
        if !matches!(c.what, What::Rollout | What::Rollback)
            || !involved.contains(&&c.object)
            || c.time > first_seen
        {
            continue;
        }
        if top.cause == "rollout/regression" && top.object == c.object {
            continue;
        }
        let lag = first_seen.duration_since(c.time).as_secs();
        let mut basis =
            vec![format!("{} {} changed {} min before the first symptom", c.object, c.what.word(), lag / 60)];
        let mut confidence: f64 = 0.3;
        if lag <= 1800 {
            confidence += 0.15;
            basis.push("close in time".into());
        } else {
            basis.push("long before the symptoms: a weak lead".into());
        }
        let runtime = !c.images.iter().all(|i| i.before.is_empty())
            || c.fields.iter().any(|f| {
                f.field.contains(".env.")
                    || f.field.ends_with(".args")
                    || f.field.ends_with(".command")
                    || f.field.ends_with(".probes")
                    || f.field.ends_with(".resources")
            });
        if runtime {
            confidence += 0.1;
            basis.push("the diff changes what runs".into());
        }
        let kind = c.object.kind.to_lowercase();
        let ns =
            if c.object.namespace.is_empty() { String::new() } else { format!(" -n {}", c.object.namespace) };
        let confirm = match c.revision {
            Some(r) => vec![format!("kubectl rollout history {kind}/{}{ns} --revision={r}", c.object.name)],
            None => vec![format!("kubectl rollout history {kind}/{}{ns}", c.object.name)],
        };
        let confidence = (confidence * 100.0).round() / 100.0;
        out.push(Hypothesis {
            cause: "rollout/regression".into(),
            object: c.object.clone(),
            rule: "change timeline".into(),
            fact: c.summary.clone(),
            evidence: vec![format!("{}: {}", c.evidence, c.summary)],
            detail: serde_json::Map::new(),
            node: None,
            pods: Vec::new(),
            confidence,
            confidence_words: if confidence >= 0.55 { "medium".into() } else { "low".into() },
            basis,
            chain: vec![Step {
                time: Some(c.time),
                time_inferred: false,
                object: c.object.clone(),
                what: c.summary.clone(),
            }],
            explains: top.explains.clone(),
            confirm,
            refute: "the previous revision fails the same way, or the failure began before the rollout"
                .into(),
        });
    }
    out
}

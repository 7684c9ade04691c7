//! The `investigate` and `changes` tools: the root-cause engine and the change timeline of the
//! `analyzers` crate, read from the configured cluster and rendered as text for a model. The
//! toolbox wraps what these return; the offline policy reads the same structured data.

use analyzers::changes::Timeline;
use analyzers::engine::{self, Investigation, Subject};
use analyzers::rules::ObjRef;
use cluster::source::NoProgress;
use cluster::{ClusterSource, Scope};
use jiff::SignedDuration;

/// What a tool produced: text for a model, the structured result, and the cluster objects it
/// can be cited by.
pub struct Produced<T> {
    /// Text for a model.
    pub text: String,
    /// The result.
    pub data: T,
    /// Objects to cite.
    pub objects: Vec<ObjRef>,
}

/// Runs the engine on `names` in `namespace`. Node events live in `default`, so a namespace
/// question reads that namespace too (the engine still keeps to the one asked about).
pub async fn investigate(
    cluster: &ClusterSource,
    names: Vec<String>,
    namespace: Option<String>,
) -> anyhow::Result<Produced<Investigation>> {
    let mut scope = Scope::namespace(namespace.as_deref());
    if !scope.namespaces.is_empty() && !scope.namespaces.iter().any(|n| n == "default") {
        scope.namespaces.push("default".into());
    }
    let (report, data) =
        analyzers::diagnose::diagnose(cluster, &scope, &analyzers::Options::default(), &NoProgress).await?;
    let inv = engine::investigate(&data, &report, &Subject { names, namespace });
    let mut objects: Vec<ObjRef> = Vec::new();
    for p in &inv.problems {
        for h in p.hypotheses.iter().take(1) {
            objects.push(h.object.clone());
            objects.extend(h.chain.iter().map(|s| s.object.clone()));
        }
        objects.extend(p.symptoms.iter().map(|s| s.object.clone()));
    }
    objects.extend(inv.subject.iter().cloned());
    let mut seen = std::collections::BTreeSet::new();
    objects.retain(|o| seen.insert(o.clone()));
    Ok(Produced { text: render(&inv), data: inv, objects })
}

/// The change timeline of the last `since`, bookkeeping writes left out.
pub async fn changes(
    cluster: &ClusterSource,
    since: SignedDuration,
    namespace: Option<String>,
) -> anyhow::Result<Produced<Timeline>> {
    let scope = Scope::namespace(namespace.as_deref());
    let mut t = analyzers::changes::read(cluster, &scope, since, &NoProgress).await?;
    let text = t.render(false);
    t.changes.retain(|c| !c.bookkeeping);
    let mut objects: Vec<ObjRef> = t.changes.iter().map(|c| c.object.clone()).collect();
    objects.dedup();
    Ok(Produced { text, data: t, objects })
}

/// The investigation as text a model reads: problems, hypotheses with confidence and chain,
/// changes, and what was checked.
pub fn render(inv: &Investigation) -> String {
    let mut s = String::new();
    if !inv.subject.is_empty() {
        let names: Vec<String> = inv.subject.iter().map(ToString::to_string).collect();
        s.push_str(&format!("Subject: {}\n", names.join(", ")));
    }
    if !inv.unresolved.is_empty() {
        s.push_str(&format!("Not found in the cluster: {}\n", inv.unresolved.join(", ")));
    }
    if inv.problems.is_empty() {
        s.push_str("No problem found about the subject.\n");
    }
    for (i, p) in inv.problems.iter().enumerate() {
        s.push_str(&format!("\nProblem {}:\n", i + 1));
        for sy in p.symptoms.iter().take(6) {
            s.push_str(&format!("  symptom [{}] {} {}: {}\n", sy.severity, sy.rule, sy.object, sy.message));
        }
        for (k, h) in p.hypotheses.iter().enumerate() {
            s.push_str(&format!(
                "  hypothesis {} ({} confidence, {:.2}): cause {} on {} ({}): {}\n",
                k + 1,
                h.confidence_words,
                h.confidence,
                h.cause,
                h.object,
                h.rule,
                h.fact
            ));
            for e in h.evidence.iter().take(3) {
                s.push_str(&format!("    evidence: {e}\n"));
            }
            for step in &h.chain {
                let when = match (step.time, step.time_inferred) {
                    (Some(t), false) => t.strftime("%H:%M:%S").to_string(),
                    _ => "at capture".into(),
                };
                s.push_str(&format!("    {when}: {}\n", step.what));
            }
            for c in &h.confirm {
                s.push_str(&format!("    confirm: {c}\n"));
            }
            s.push_str(&format!("    refuted if: {}\n", h.refute));
        }
    }
    if !inv.changes.is_empty() {
        s.push_str("\nChanges on these objects:\n");
        for c in inv.changes.iter().rev().take(8) {
            s.push_str(&format!(
                "  {} {} {}: {}\n",
                c.time.strftime("%Y-%m-%d %H:%M:%S"),
                c.what.word(),
                c.object,
                c.summary
            ));
        }
    }
    s.push_str(&format!("\nChecked: {}.\n", inv.checked.sentence()));
    s
}

//! `sleuth changes`: the change timeline of a cluster or snapshot, as a table, JSON, or a
//! picture (one lane per workload or kind of object, the incident's first symptom a red line).

use std::process::ExitCode;

use analyzers::changes::{Change, Timeline};
use cluster::source::NoProgress;
use cluster::{ClusterSource, Scope};

use crate::cli::{ChangesArgs, ChangesFormat};
use crate::connect::{open, runtime};

/// `sleuth changes`.
pub fn changes(args: &ChangesArgs) -> anyhow::Result<ExitCode> {
    let format = if args.json { ChangesFormat::Json } else { args.format };
    if format == ChangesFormat::Png
        && args.output.is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        anyhow::bail!("a PNG is binary: write it to a file with -o FILE, or redirect standard output");
    }
    runtime()?.block_on(async {
        let (src, scope, note) = open(&args.scope).await?;
        if let Some(n) = note.filter(|_| !args.quiet) {
            eprintln!("{n}");
        }
        let mut timeline = analyzers::changes::read(&src, &scope, args.since, &NoProgress).await?;
        // The table says itself how many bookkeeping writes it leaves out; the others leave
        // them out unless --all.
        let table = format == ChangesFormat::Text;
        if !args.all && !table {
            timeline.changes.retain(|c| !c.bookkeeping);
        }
        let bytes = match format {
            ChangesFormat::Text => timeline.render(args.all).into_bytes(),
            ChangesFormat::Json => (serde_json::to_string_pretty(&timeline)? + "\n").into_bytes(),
            ChangesFormat::Svg | ChangesFormat::Png => {
                let symptom = first_symptom(&src, &scope, args.since).await;
                let svg = picture::timeline::svg(&picture_of(&timeline, &src, symptom), args.full);
                if format == ChangesFormat::Png { picture::png(&svg)? } else { svg.into_bytes() }
            }
        };
        super::graph::write_out(args.output.as_deref(), &bytes)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The lane a change goes on: its workload, or the kind of object for everything else
/// (ConfigMaps, Services, Nodes…), so a picture has a few lanes, not one per object.
fn lane(c: &Change) -> String {
    let o = &c.object;
    match o.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Job" if !o.namespace.is_empty() => {
            format!("{} {}/{}", o.kind, o.namespace, o.name)
        }
        k => rcagraph::render::text::plural(k, 2),
    }
}

/// The timeline as the picture draws it.
fn picture_of(
    t: &Timeline,
    src: &ClusterSource,
    symptom: Option<(jiff::Timestamp, String)>,
) -> picture::timeline::Timeline {
    let day =
        |ts: jiff::Timestamp| ts.to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%d %H:%M").to_string();
    picture::timeline::Timeline {
        title: format!(
            "What changed: {} change(s), {} – {} UTC ({})",
            t.changes.len(),
            day(t.start),
            day(t.end),
            src.describe()
        ),
        start: t.start,
        end: t.end,
        marks: t
            .changes
            .iter()
            .map(|c| picture::timeline::Mark { time: c.time, lane: lane(c), label: c.summary.clone() })
            .collect(),
        symptom,
    }
}

/// When the incident showed first, and what it was: the earliest observed event or symptom
/// on the top root cause's story in the causal graph of the same window (none when the graph
/// names no cause).
async fn first_symptom(
    src: &ClusterSource,
    scope: &Scope,
    since: jiff::SignedDuration,
) -> Option<(jiff::Timestamp, String)> {
    let g = crate::graphs::build_from(src, scope, since).await.ok()?;
    let a = rcagraph::analyze(&g);
    let story = rcagraph::narrate::story_path(&g, a.top()?);
    story
        .node_ids
        .iter()
        .skip(1)
        .filter_map(|id| g.nodes.iter().find(|n| &n.id == id))
        .filter(|n| !n.time_inferred)
        .filter(|n| {
            matches!(n.kind, rcagraph::schema::NodeKind::K8sEvent | rcagraph::schema::NodeKind::Symptom)
        })
        .find_map(|n| Some((g.node_time(n)?, rcagraph::narrate::label(n))))
}

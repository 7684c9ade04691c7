//! `sleuth diagnose`, `sleuth snapshot` and `sleuth cluster …`: the cluster front end.

use std::io::Write as _;
use std::process::ExitCode;

use analyzers::{self as analyze, Finding, Options, Severity};
use anyhow::{Context as _, bail};
use cluster::query::{self, EventFilter};
use cluster::{ClusterSource, Kind, LogKey, LogText, Scope};

use crate::cli::{At, ClusterCommand, DiagnoseArgs, SeverityArg, SnapshotArgs};
use crate::connect::{open, runtime, source};
use crate::output::{Bar, color};

/// `sleuth diagnose`
pub fn diagnose(args: &DiagnoseArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (src, scope, note) = open(&args.scope).await?;
        if let Some(n) = note {
            eprintln!("{n}");
        }
        let target = match &args.target {
            Some(t) => {
                let (k, n) = t.split_once('/').context("--target must be KIND/NAME, e.g. deployment/web")?;
                Some((k.parse::<Kind>()?, n.to_string()))
            }
            None => None,
        };
        let opts = Options { target, suppress: args.suppress.clone(), ..Options::default() };
        let bar = Bar::with_template(args.quiet, "{spinner} reading [{bar:30}] {pos}/{len} lists {wide_msg}");
        let (mut report, _data) = analyzers::diagnose::diagnose(&src, &scope, &opts, &bar).await?;
        bar.clear();
        let min = match args.min_severity {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Error => Severity::Error,
            SeverityArg::Critical => Severity::Critical,
        };
        report.findings.retain(|f| f.severity >= min);
        let mut out = std::io::stdout().lock();
        if args.json {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        } else {
            write!(out, "{}", render_report(&report, color()))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn paint(text: &str, code: &str, on: bool) -> String {
    if on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::Error => "31",
        Severity::Warning => "33",
        Severity::Info => "2",
    }
}

/// One finding as a few indented lines.
pub fn render_finding(f: &Finding, on: bool) -> String {
    let mut s = String::new();
    let sev = format!("{:<8}", f.severity.to_string().to_uppercase());
    let also = if f.also.is_empty() { String::new() } else { format!("+{}", f.also.join("+")) };
    let state = f.state.as_ref().map(|s| format!(" [{s}]")).unwrap_or_default();
    s.push_str(&format!(
        "{} {}{also} {}{state}  {}\n",
        paint(&sev, severity_color(f.severity), on),
        paint(&f.rule, "1", on),
        f.root(),
        paint(&f.cause, "1", on)
    ));
    s.push_str(&format!("  {}\n", f.message));
    for e in &f.evidence {
        s.push_str(&format!("  - {e}\n"));
    }
    if f.pods.len() > 1 {
        let shown: Vec<&str> = f.pods.iter().take(8).map(String::as_str).collect();
        let more =
            if f.pods.len() > 8 { format!(" … and {} more", f.pods.len() - 8) } else { String::new() };
        s.push_str(&format!("  pods ({}): {}{more}\n", f.pods.len(), shown.join(", ")));
    }
    if !f.related.is_empty() {
        s.push_str(&format!("  related: {}\n", f.related.join(", ")));
    }
    s.push_str(&format!("  next: {}\n", paint(&f.hint, "36", on)));
    s
}

/// The whole report as text.
pub fn render_report(report: &analyze::Report, on: bool) -> String {
    let mut s = String::new();
    let sm = &report.summary;
    s.push_str(&format!(
        "{}{}\n\n",
        sm.source,
        sm.captured_at.as_ref().map(|t| format!(", captured {t}")).unwrap_or_default()
    ));
    if report.findings.is_empty() {
        s.push_str("No findings.\n");
    }
    for f in &report.findings {
        s.push_str(&render_finding(f, on));
        s.push('\n');
    }
    let mut shown: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for f in &report.findings {
        *shown.entry(f.severity.to_string()).or_default() += 1;
    }
    let counts: Vec<String> = ["critical", "error", "warning", "info"]
        .iter()
        .filter_map(|k| shown.get(*k).map(|n| format!("{n} {k}")))
        .collect();
    s.push_str(&format!(
        "{} finding(s){}",
        report.findings.len(),
        if counts.is_empty() { String::new() } else { format!(": {}", counts.join(", ")) }
    ));
    if sm.suppressed > 0 {
        s.push_str(&format!("; {} suppressed", sm.suppressed));
    }
    if sm.total > report.findings.len() {
        s.push_str(&format!("; {} below the severity shown", sm.total - report.findings.len()));
    }
    s.push('\n');
    if !sm.unverifiable.is_empty() {
        let kinds: Vec<String> = sm
            .unverifiable
            .iter()
            .map(|(k, r)| {
                let why = r.trim_start_matches("cannot verify: ");
                format!("{k} ({})", why.split(':').next().unwrap_or(why))
            })
            .collect();
        s.push_str(&format!("Could not verify rules needing: {}\n", kinds.join(", ")));
    }
    if !sm.skipped.is_empty() {
        s.push_str(&format!("Skipped {} input problem(s):\n", sm.skipped.len()));
        for p in &sm.skipped {
            s.push_str(&format!("  {p}\n"));
        }
    }
    s
}

/// `sleuth snapshot`
pub fn snapshot(args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (src, scope, note) = open(&args.scope).await?;
        if let Some(n) = note {
            eprintln!("{n}");
        }
        let bar = Bar::with_template(args.quiet, "{spinner} capturing [{bar:30}] {pos}/{len} {wide_msg}");
        let data = cluster::capture::capture(&src, &scope, &bar).await?;
        bar.clear();
        cluster::snapshot::own::write(&data, &args.output)?;
        let counts: std::collections::BTreeMap<String, usize> = data.captured.iter().map(|k| (k.name(), data.objects.count(*k))).collect();
        let logs = data.logs.values().filter(|l| matches!(l, LogText::Text(_))).count();
        if args.json {
            let summary = serde_json::json!({
                "output": args.output, "objects": counts, "logs": logs,
                "unreadable": data.unreadable.iter().map(|(k, r)| (k.name(), r.clone())).collect::<std::collections::BTreeMap<_, _>>(),
                "problems": data.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&summary)?);
        } else {
            let total: usize = counts.values().sum();
            println!("wrote {} objects of {} kinds and {logs} logs to {}", total, counts.len(), args.output.display());
            for (k, r) in &data.unreadable {
                println!("  could not read {}: {r}", k.name());
            }
            for p in &data.problems {
                println!("  skipped {p}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `sleuth cluster …`
pub fn cluster(cmd: &ClusterCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let at = match cmd {
            ClusterCommand::List { at, .. }
            | ClusterCommand::Get { at, .. }
            | ClusterCommand::Describe { at, .. }
            | ClusterCommand::Events { at, .. }
            | ClusterCommand::Logs { at, .. }
            | ClusterCommand::Related { at, .. }
            | ClusterCommand::History { at, .. } => at,
        };
        let (src, note) = source(&at.cluster, at.namespace.as_deref(), crate::connect::Demo::Allowed).await?;
        if let Some(n) = note {
            eprintln!("{n}");
        }
        let ns = at.namespace.clone().or_else(|| src.default_namespace());
        let text = run_query(&src, cmd, at, ns.as_deref()).await?;
        print!("{text}");
        Ok(ExitCode::SUCCESS)
    })
}

fn kind_and_ns(kind: &str, ns: Option<&str>) -> anyhow::Result<(Kind, Option<String>)> {
    let k: Kind = kind.parse()?;
    Ok((k, ns.filter(|_| k.info().namespaced).map(String::from)))
}

/// The namespace to look a named object up in: the one given, else (in a snapshot, where no
/// context names one) the namespace of the only object of that kind and name.
async fn object_ns(
    src: &ClusterSource,
    k: Kind,
    ns: Option<String>,
    name: &str,
) -> anyhow::Result<Option<String>> {
    if ns.is_some() || !k.info().namespaced {
        return Ok(ns);
    }
    let data = load(src, &[k], &Scope::default().about(k, name)).await?;
    let found: Vec<String> = data
        .objects
        .json_items(k, None)
        .iter()
        .filter(|o| o.pointer("/metadata/name").and_then(|n| n.as_str()) == Some(name))
        .filter_map(|o| o.pointer("/metadata/namespace").and_then(|n| n.as_str()).map(String::from))
        .collect();
    match found.as_slice() {
        [one] => Ok(Some(one.clone())),
        [] => bail!("{k} {name} not found in any namespace"),
        many => bail!("{k} {name} exists in several namespaces ({}); pick one with -n", many.join(", ")),
    }
}

async fn load(
    src: &ClusterSource,
    kinds: &[Kind],
    scope: &Scope,
) -> anyhow::Result<std::sync::Arc<cluster::ClusterData>> {
    Ok(src.load(Some(kinds), scope, &cluster::source::NoProgress).await?)
}

/// Run one query and render it (text or JSON).
pub async fn run_query(
    src: &ClusterSource,
    cmd: &ClusterCommand,
    at: &At,
    ns: Option<&str>,
) -> anyhow::Result<String> {
    let json = at.json;
    Ok(match cmd {
        ClusterCommand::List { kind, selector, .. } => {
            let (k, ns) = kind_and_ns(kind, at.namespace.as_deref())?;
            let scope = Scope { label_selector: selector.clone(), ..Scope::namespace(ns.as_deref()) };
            let data = load(src, &[k], &scope).await?;
            let t = query::list(&data, k, ns.as_deref(), selector.as_deref())?;
            if json { serde_json::to_string_pretty(&t)? + "\n" } else { t.render() }
        }
        ClusterCommand::Get { kind, name, .. } => {
            let (k, ns) = kind_and_ns(kind, ns)?;
            let ns = object_ns(src, k, ns, name).await?;
            let data = load(
                src,
                &query::kinds_read(query::Query::Get, k),
                &Scope::namespace(ns.as_deref()).about(k, name),
            )
            .await?;
            let yaml = query::get(&data, k, ns.as_deref(), name)?;
            if json {
                serde_json::to_string_pretty(&data.objects.find_json(k, ns.as_deref(), name))? + "\n"
            } else {
                yaml
            }
        }
        ClusterCommand::Describe { kind, name, .. } => {
            let (k, ns) = kind_and_ns(kind, ns)?;
            let ns = object_ns(src, k, ns, name).await?;
            let data = load(
                src,
                &query::kinds_read(query::Query::Describe, k),
                &Scope::namespace(ns.as_deref()).about(k, name),
            )
            .await?;
            query::describe(&data, k, ns.as_deref(), name)?
        }
        ClusterCommand::Events { object, since, warnings, .. } => {
            let ns = at.namespace.clone();
            let object = match object {
                Some(o) => Some(match o.split_once('/') {
                    Some((k, n)) => (Some(k.parse::<Kind>()?), n.to_string()),
                    None => (None, o.clone()),
                }),
                None => None,
            };
            let mut scope = Scope::namespace(ns.as_deref());
            if let Some((k, n)) = &object {
                scope = scope.events_about(*k, n);
            }
            let data = load(src, &[Kind::Event, Kind::EventV1], &scope).await?;
            let since_seconds = since.as_deref().map(parse_duration).transpose()?;
            let filter =
                EventFilter { namespace: ns, object, since_seconds, warnings_only: *warnings, reason: None };
            if json {
                serde_json::to_string_pretty(&query::select_events(&data, &filter))? + "\n"
            } else {
                query::events(&data, &filter).render()
            }
        }
        ClusterCommand::Logs { pod, container, previous, tail, grep, .. } => {
            let ns = object_ns(src, Kind::Pod, ns.map(String::from), pod).await?;
            let ns = ns.as_deref().context("logs need a namespace (-n)")?;
            let data = load(src, &[Kind::Pod], &Scope::namespace(Some(ns)).about(Kind::Pod, pod)).await?;
            let container = match container {
                Some(c) => c.clone(),
                None => query::default_container(&data, ns, pod)
                    .with_context(|| format!("pod {ns}/{pod} not found"))?,
            };
            let key = LogKey { namespace: ns.to_string(), pod: pod.clone(), container, previous: *previous };
            match src.log(&key, Some(*tail as u32)).await {
                LogText::Text(t) => query::cut_log(&t, Some(*tail), grep.as_deref()),
                LogText::Unavailable(why) => bail!("logs of {ns}/{pod} ({}): {why}", key.container),
            }
        }
        ClusterCommand::Related { kind, name, .. } => {
            let (k, ns) = kind_and_ns(kind, ns)?;
            let ns = object_ns(src, k, ns, name).await?;
            let data =
                load(src, &query::kinds_read(query::Query::Related, k), &Scope::namespace(ns.as_deref()))
                    .await?;
            query::related(&data, k, ns.as_deref(), name)?
        }
        ClusterCommand::History { deployment, .. } => {
            let ns = object_ns(src, Kind::Deployment, ns.map(String::from), deployment).await?;
            let ns = ns.as_deref().context("history needs a namespace (-n)")?;
            let scope = Scope::namespace(Some(ns)).about(Kind::Deployment, deployment);
            let data = load(src, &[Kind::Deployment, Kind::ReplicaSet], &scope).await?;
            let revs = query::rollout_history(&data, ns, deployment)?;
            if json {
                serde_json::to_string_pretty(&revs)? + "\n"
            } else {
                query::render_history(&revs, data.now())
            }
        }
    })
}

/// `90s`, `30m`, `2h`, `1d` → seconds.
fn parse_duration(s: &str) -> anyhow::Result<i64> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().with_context(|| format!("bad duration {s:?}: expected e.g. 30m, 2h"))?;
    Ok(n * match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => bail!("bad duration unit in {s:?}: use s, m, h or d"),
    })
}

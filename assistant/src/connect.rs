//! Where sleuth's inputs come from: the cluster (a snapshot, a kubeconfig context, or the bundled
//! demo when there is neither) and the search index (built from the demo workspace on first
//! use). Every front end opens them through here, so they all say the same when sleuth chose
//! for the user.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cluster::live::LiveOptions;
use cluster::{ClusterSource, Scope};
use retriever::{IndexOptions, Searcher};

use crate::cli::{ClusterFlags, ScopeFlags};
use crate::config;

/// Whether sleuth may open the bundled demo when the user named no cluster and no index.
/// One person trying sleuth on a fresh clone wants the demo; a server answering a team must
/// never answer about a made-up company's cluster without being told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// Fall back to the demo (the `ask`/`chat` default, `serve --demo`).
    Allowed,
    /// Say what is missing instead (the `serve` default).
    Refused,
}

/// Whether these flags (and the config file) leave the cluster to sleuth's choice, which is the
/// demo snapshot.
pub fn uses_demo_cluster(flags: &ClusterFlags) -> bool {
    flags.snapshot.is_none() && context(flags).is_none() && !kubeconfig_available()
}

/// The kubeconfig context: `--context`, else the config file's `context`.
pub fn context(flags: &ClusterFlags) -> Option<String> {
    flags.context.clone().or_else(|| crate::config_file::get().context.clone())
}

/// Where the cluster comes from, and a one-line note when sleuth chose for the user.
pub async fn source(
    flags: &ClusterFlags,
    namespace: Option<&str>,
    demo: Demo,
) -> anyhow::Result<(ClusterSource, Option<String>)> {
    if let Some(path) = &flags.snapshot {
        let src = ClusterSource::snapshot(path)
            .with_context(|| format!("cannot read snapshot {}", path.display()))?;
        return Ok((src, None));
    }
    if uses_demo_cluster(flags) {
        anyhow::ensure!(
            demo == Demo::Allowed,
            "no cluster: no kubeconfig ($KUBECONFIG, ~/.kube/config or in-cluster) and neither --snapshot nor --context; pass --demo to use the bundled demo cluster"
        );
        let demo = config::demo_dir().join("cluster");
        let src = ClusterSource::snapshot(&demo).with_context(|| {
            format!("no kubeconfig, and the demo snapshot {} cannot be read", demo.display())
        })?;
        return Ok((
            src,
            Some(format!("no kubeconfig found; using the bundled demo snapshot ({})", demo.display())),
        ));
    }
    let opts = LiveOptions { context: context(flags), namespace: namespace.map(String::from) };
    Ok((ClusterSource::live(&opts).await?, None))
}

fn kubeconfig_available() -> bool {
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return true;
    }
    if let Some(paths) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return std::env::split_paths(&paths).any(|p| p.is_file());
    }
    std::env::var_os("HOME").is_some_and(|h| PathBuf::from(h).join(".kube/config").is_file())
}

/// The two-worker runtime every command runs on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// The source and scope the flags ask for, and a note when sleuth chose for the user.
pub async fn open(flags: &ScopeFlags) -> anyhow::Result<(ClusterSource, Scope, Option<String>)> {
    let (src, note) =
        source(&flags.cluster, flags.namespaces.first().map(String::as_str), Demo::Allowed).await?;
    let scope = scope_of(&src, &flags.namespaces, flags.all_namespaces);
    Ok((src, scope, note))
}

fn scope_of(source: &ClusterSource, namespaces: &[String], all: bool) -> Scope {
    if all || !namespaces.is_empty() {
        return Scope { namespaces: namespaces.to_vec(), ..Scope::default() };
    }
    Scope::namespace(source.default_namespace().as_deref())
}

/// Open the index, building the demo one on first use at the default location when the demo is
/// allowed; the note says what happened when it is worth a line.
pub fn open_index_quietly(flag: Option<&std::path::Path>, demo: Demo) -> (Option<Searcher>, Option<String>) {
    let (dir, is_default) = config::index_dir(flag);
    match Searcher::open(&dir) {
        Ok(s) => (Some(s), None),
        Err(retriever::Error::NoIndex(_)) if is_default && demo == Demo::Refused => (
            None,
            Some(format!(
                "sleuth: no index at {}; build one with `sleuth index <your exports…>`, or pass --demo to use the bundled demo documents",
                dir.display()
            )),
        ),
        Err(e) => match is_default.then(|| mend_default_index(&dir, &e)).flatten() {
            Some(Ok(note)) => (Searcher::open(&dir).ok(), Some(note)),
            Some(Err(err)) => (None, Some(format!("sleuth: {err:#}; answering without documents"))),
            None => (None, Some(format!("sleuth: {e}; answering without documents"))),
        },
    }
}

/// What sleuth mends itself when the index at the default location cannot be opened: there is
/// none yet (first use on a fresh machine: the bundled demo workspace is indexed), or it is the
/// demo index an older sleuth wrote (rebuilt). `None` for anything that is the user's to fix;
/// the note says in one line what was done.
pub fn mend_default_index(dir: &Path, err: &retriever::Error) -> Option<anyhow::Result<String>> {
    let demo = config::demo_dir();
    let (rebuild, note) = match err {
        retriever::Error::NoIndex(_) => (
            false,
            format!(
                "sleuth: no index yet; indexing the bundled demo workspace ({}) into {}",
                demo.display(),
                dir.display()
            ),
        ),
        retriever::Error::IncompatibleSchema { .. }
            if only_demo(&retriever::index::Manifest::files_of_any_version(dir)) =>
        {
            (
                true,
                format!(
                    "sleuth: the demo index at {} was written by an older sleuth; rebuilt it from {}",
                    dir.display(),
                    demo.display()
                ),
            )
        }
        _ => return None,
    };
    let index = || {
        let dirs = config::demo_document_dirs();
        anyhow::ensure!(
            !dirs.is_empty(),
            "no index at {} and no demo workspace at {}",
            dir.display(),
            demo.display()
        );
        let opts = IndexOptions { rebuild, ..IndexOptions::default() };
        retriever::index(dir, &dirs, &opts, &retriever::NoProgress).context("indexing the demo workspace")?;
        Ok(note)
    };
    Some(index())
}

/// Whether these indexed files are the bundled demo workspace's and nothing else.
fn only_demo(files: &[PathBuf]) -> bool {
    let demo = config::demo_dir();
    let demo = demo.canonicalize().unwrap_or(demo);
    !files.is_empty() && files.iter().all(|f| f.starts_with(&demo))
}

/// Whether an index holds the bundled demo workspace's documents and nothing else.
pub fn is_demo_index(searcher: &Searcher) -> bool {
    only_demo(&searcher.manifest().files.keys().map(PathBuf::from).collect::<Vec<_>>())
}

//! Shared helpers of the end-to-end tests: build the real `sleuth` binary once, run it in an
//! isolated environment (its own index and data directories), and find the fixtures.

pub mod apiserver;
pub mod captures;
pub mod mcp;
pub mod openai;
pub mod server;
pub mod slack;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The bundled demo workspace.
pub fn demo() -> PathBuf {
    root().join("docs-index")
}

/// Real public sample files, beside the checkout (`../shared/samples`).
pub fn samples() -> PathBuf {
    root().join("../shared/samples")
}

/// Serve `app` on a free 127.0.0.1 port until the returned sender is dropped.
pub async fn serve(app: axum::Router) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
    });
    (addr, tx)
}

/// The agent's tools on the demo workspace: its documents indexed into `index`, its cluster
/// snapshot as the cluster.
pub fn demo_toolbox(index: &Path) -> assistant::agent::ToolBox {
    let dirs: Vec<_> = ["confluence", "notion", "terraform"].iter().map(|d| demo().join(d)).collect();
    retriever::index(index, &dirs, &retriever::IndexOptions::default(), &retriever::NoProgress)
        .expect("demo indexes");
    assistant::agent::ToolBox {
        searcher: Some(std::sync::Arc::new(retriever::Searcher::open(index).expect("index opens"))),
        cluster: Some(
            cluster::ClusterSource::snapshot(&demo().join("cluster")).expect("demo snapshot loads"),
        ),
        namespace: None,
        // The suites judge answers, not the demo notice that `sleuth ask` adds on a fresh clone.
        demo: assistant::agent::DemoParts::default(),
        mode: assistant::agent::Mode::Local,
    }
}

/// The `sleuth` binary, built (once per test process) with the same profile and target
/// directory as the tests themselves. Cargo only builds binaries for integration tests of
/// their own package, and the end-to-end tests live in a package of their own.
pub fn sleuth_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        // target/<profile>/deps/e2e-<hash>
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
        let target_dir = profile_dir.parent().expect("target dir").to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "assistant", "--bin", "sleuth", "--target-dir"])
            .arg(&target_dir)
            .current_dir(root());
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building sleuth failed");
        profile_dir.join(format!("sleuth{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Writes each `(path under root, text)`, creating the folders it needs: a small site of
/// someone else's pages, for what the demo workspace does not show.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a file is under the root")).expect("folders are made");
        std::fs::write(path, text).expect("the file is written");
    }
}

/// One isolated user: a temporary home with its own data directory and index.
pub struct Sandbox {
    /// The temporary directory everything lives in.
    pub dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    /// A fresh sandbox.
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// The sandbox path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The index directory used by [`Sandbox::index`] and [`Sandbox::search`].
    pub fn index_dir(&self) -> PathBuf {
        self.path().join("index")
    }

    /// A `sleuth` command with a clean environment pointing into the sandbox.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(sleuth_bin());
        cmd.env_remove("SLEUTH_INDEX")
            .env_remove("RUST_LOG")
            .env_remove("KUBECONFIG")
            .env_remove("SLEUTH_MODEL")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("OPENAI_API_KEY")
            .env_remove("AZURE_OPENAI_ENDPOINT")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env_remove("SLEUTH_CONFIG")
            .env_remove("SLEUTH_ADDR")
            .env("NO_COLOR", "1")
            .current_dir(self.path());
        cmd
    }

    /// Runs `sleuth index --index <sandbox>/index ARGS…`.
    pub fn index(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("index").arg("--index").arg(self.index_dir()).args(args);
        Run::of(&mut cmd)
    }

    /// Indexes the demo workspace's exports (and checks that it worked).
    pub fn index_demo(&self) {
        let d = demo();
        let dirs: Vec<String> =
            ["confluence", "notion", "terraform"].iter().map(|k| d.join(k).display().to_string()).collect();
        let args: Vec<&str> = dirs.iter().map(String::as_str).collect();
        let run = self.index(&args);
        assert_eq!(run.code, 0, "{run}");
        for kind in ["confluence", "notion", "terraform"] {
            assert!(run.stdout.contains(kind), "summary lacks {kind}: {run}");
        }
        assert!(!run.stdout.contains("Skipped"), "{run}");
    }

    /// Runs `sleuth search --index <sandbox>/index ARGS…`.
    pub fn search(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("search").arg("--index").arg(self.index_dir()).args(args);
        Run::of(&mut cmd)
    }

    /// Runs a search with `--json` and returns the hits.
    pub fn search_json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.search(&all);
        assert_eq!(run.code, 0, "{run}");
        serde_json::from_str::<serde_json::Value>(&run.stdout)
            .expect("JSON output")
            .as_array()
            .expect("an array")
            .clone()
    }
}

/// The outcome of one run, printable for assertion messages.
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Runs a command to completion.
    pub fn of(cmd: &mut Command) -> Run {
        let Output { status, stdout, stderr } = cmd.output().expect("sleuth runs");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Titles of JSON hits.
pub fn titles(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter().map(|h| h["title"].as_str().unwrap_or_default().to_string()).collect()
}

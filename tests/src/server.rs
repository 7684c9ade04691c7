//! `sleuth serve` (and `sleuth mcp --http`) as a real process on a free port, for the bot, API
//! and MCP tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::Sandbox;

/// The demo workspace indexed once per test process (read-only afterwards).
pub fn demo_index() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = dir.path().join("index");
        let _ = crate::demo_toolbox(&index);
        (dir, index)
    })
    .1
}

/// An HTTP client for talking to a server under test (reqwest is built without a default TLS
/// provider here, as in sleuth: one is chosen first).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client")
}

/// A running `sleuth serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Where its stderr goes.
    pub stderr: PathBuf,
}

impl Server {
    /// Starts `sleuth serve --addr 127.0.0.1:0 --demo --index <demo index> ARGS…` in the sandbox with
    /// `envs`, and waits for its "listening on" line.
    pub fn start(sandbox: &Sandbox, args: &[&str], envs: &[(&str, String)]) -> Server {
        let mut cmd = sandbox.cmd();
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--demo"]);
        // The demo index unless the test brings its own.
        if !args.contains(&"--index") {
            cmd.arg("--index").arg(demo_index());
        }
        cmd.args(args)
            .env_remove("SLACK_SIGNING_SECRET")
            .env_remove("SLACK_BOT_TOKEN")
            .env_remove("SLACK_API_URL")
            .env_remove("SLEUTH_API_TOKEN");
        Server::launch(sandbox, cmd, envs)
    }

    /// Runs `cmd` (a `sleuth` server that prints "… listening on http://127.0.0.1:PORT…" as its
    /// first line of stdout) with `envs`, stderr to a file in the sandbox, and waits for that
    /// line; `url` is its last word.
    pub fn launch(sandbox: &Sandbox, mut cmd: std::process::Command, envs: &[(&str, String)]) -> Server {
        let stderr = sandbox.path().join(format!(
            "serve-{}.log",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        cmd.stdout(Stdio::piped()).stderr(std::fs::File::create(&stderr).expect("log file"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("sleuth starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx.recv_timeout(Duration::from_secs(120)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("sleuth did not start: {}", std::fs::read_to_string(&stderr).unwrap_or_default())
        });
        let url = line.rsplit(' ').next().expect("an address").to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Server { child, url, stderr }
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn stop(&mut self) -> ExitStatus {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        self.child.wait().expect("waits")
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

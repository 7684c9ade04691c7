//! The official MCP Python SDK as a client of `sleuth mcp` (`tests/mcp/client.py`): a scenario
//! in, the transcript of what the server answered out.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::root;

/// The Python with the MCP SDK: `SLEUTH_MCP_PYTHON`, else the venv `scripts/mcp-venv.sh`
/// makes (run once per test process when it is missing, so `cargo test` alone suffices).
pub fn python() -> PathBuf {
    static VENV: std::sync::Once = std::sync::Once::new();
    if let Some(p) = std::env::var_os("SLEUTH_MCP_PYTHON") {
        return PathBuf::from(p);
    }
    let p = root().join("target/mcp-venv/bin/python");
    VENV.call_once(|| {
        if !p.exists() {
            let _ = Command::new("bash").arg(root().join("scripts/mcp-venv.sh")).status();
        }
    });
    assert!(
        p.exists(),
        "no MCP Python SDK at {}: run `bash scripts/mcp-venv.sh` (`.ci/run` does) or set SLEUTH_MCP_PYTHON",
        p.display()
    );
    p
}

/// Runs the client on `scenario` (see `tests/mcp/client.py`) and returns its transcript.
pub fn drive(scenario: &Value) -> Value {
    let mut child = Command::new(python())
        .arg(root().join("tests/mcp/client.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), scenario.to_string().as_bytes())
        .expect("scenario written");
    let out = child.wait_with_output().expect("client ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the MCP client failed: {stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

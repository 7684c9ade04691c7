//! `$XDG_CONFIG_HOME/sleuth/config.toml`: the settings a team writes down once (model, base
//! URL, index, cluster context, namespace, server settings), below flags and environment
//! (DESIGN §7: flags > environment > file > defaults).
//!
//! The file is read once, at start, by [`init`]; an unknown key or a malformed value stops
//! sleuth with the file and line, before anything else runs. The lookups that decide a setting
//! ([`crate::config::index_dir`], the model settings, the cluster's context, the server's
//! settings) consult [`get`] after flags and environment, so a setting is decided in one place
//! and `sleuth config` can say where each value came from. No secret belongs in the file: keys
//! and tokens stay in the environment (a key named like one is refused with that advice).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A command-line flag (or the environment variable clap reads for it).
    Flag,
    /// An environment variable.
    Environment,
    /// The config file.
    File,
    /// Built in.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Flag => "flag",
            Source::Environment => "environment",
            Source::File => "config file",
            Source::Default => "default",
        })
    }
}

/// Flag, else file, else default, with where the value came from.
pub fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> (T, Source) {
    match (flag, file) {
        (Some(v), _) => (v, Source::Flag),
        (None, Some(v)) => (v, Source::File),
        (None, None) => (default, Source::Default),
    }
}

/// The file's settings. Every key is optional; unknown keys are errors.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Model name (`SLEUTH_MODEL`, `--model`).
    pub model: Option<String>,
    /// OpenAI-compatible base URL (`OPENAI_BASE_URL`).
    pub base_url: Option<String>,
    /// Index directory (`SLEUTH_INDEX`, `--index`).
    pub index: Option<PathBuf>,
    /// Kubeconfig context (`--context`).
    pub context: Option<String>,
    /// Default namespace (`-n`).
    pub namespace: Option<String>,
    /// `sleuth serve`.
    pub serve: Option<Serve>,
}

/// The `[serve]` table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Serve {
    /// `--addr`.
    pub addr: Option<String>,
    /// `--api-only`.
    pub api_only: Option<bool>,
    /// `--demo`.
    pub demo: Option<bool>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--idle-minutes`.
    pub idle_minutes: Option<u64>,
    /// `--max-conversations`.
    pub max_conversations: Option<usize>,
    /// `--max-concurrent`.
    pub max_concurrent: Option<usize>,
    /// `--max-per-user`.
    pub max_per_user: Option<usize>,
    /// `--deadline-seconds`.
    pub deadline_seconds: Option<u64>,
    /// `--body-limit-kb`.
    pub body_limit_kb: Option<usize>,
    /// `--grace-seconds`.
    pub grace_seconds: Option<u64>,
}

/// A config file that cannot be used: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {reason}", path.display(), line.map_or(String::new(), |l| format!(":{l}")))]
pub struct Error {
    /// The file.
    pub path: PathBuf,
    /// The line of the problem, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

/// Where the file is: `$SLEUTH_CONFIG`, else `$XDG_CONFIG_HOME/sleuth/config.toml`, else
/// `~/.config/sleuth/config.toml`.
pub fn path() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("SLEUTH_CONFIG") {
        return p;
    }
    if let Some(p) = var("XDG_CONFIG_HOME") {
        return p.join("sleuth/config.toml");
    }
    var("HOME").unwrap_or_default().join(".config/sleuth/config.toml")
}

/// Reads and checks the file at `path`; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<File>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error { path: path.to_path_buf(), line: None, reason: e.to_string() }),
    };
    parse(&text).map(Some).map_err(|(line, reason)| Error { path: path.to_path_buf(), line, reason })
}

/// Keys that look like secrets: they belong in the environment, never in a file that is
/// copied around, shown by `sleuth config` or committed.
const SECRET_KEYS: &[&str] =
    &["api_key", "openai_api_key", "token", "api_token", "bot_token", "signing_secret"];

fn parse(text: &str) -> Result<File, (Option<usize>, String)> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    for (n, line) in text.lines().enumerate() {
        let key = line.split('=').next().unwrap_or("").trim();
        if SECRET_KEYS.contains(&key) {
            return Err((
                Some(n + 1),
                format!(
                    "`{key}` is a secret: set it in the environment (OPENAI_API_KEY, SLEUTH_API_TOKEN, SLACK_BOT_TOKEN…), not in the config file"
                ),
            ));
        }
    }
    toml::from_str::<File>(text).map_err(|e| {
        // toml's message repeats the source with a caret; the first line is the reason.
        let reason = e.message().lines().next().unwrap_or("invalid TOML").to_string();
        (e.span().map(|s| line_of(s.start)), reason)
    })
}

static FILE: OnceLock<(PathBuf, Option<File>)> = OnceLock::new();

/// Reads the config file once for the process. Later calls return the first result.
pub fn init() -> Result<(), Error> {
    let path = path();
    let file = load(&path)?;
    let _ = FILE.set((path, file));
    Ok(())
}

/// The file's settings (empty when there is no file or [`init`] was not called).
pub fn get() -> &'static File {
    static EMPTY: File =
        File { model: None, base_url: None, index: None, context: None, namespace: None, serve: None };
    FILE.get().and_then(|(_, f)| f.as_ref()).unwrap_or(&EMPTY)
}

/// The `[serve]` table (empty when absent).
pub fn serve() -> Serve {
    get().serve.clone().unwrap_or_default()
}

/// Where the file was looked for, and whether it exists.
pub fn location() -> (PathBuf, bool) {
    FILE.get().map_or_else(|| (path(), false), |(p, f)| (p.clone(), f.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read() {
        let f = parse(
            "model = \"gpt-4o-mini\"\nbase_url = \"http://llm:8080/v1\"\nindex = \"/srv/sleuth\"\ncontext = \"prod\"\nnamespace = \"shop\"\n\n[serve]\naddr = \"0.0.0.0:3000\"\napi_only = true\ndeadline_seconds = 60\n",
        )
        .unwrap();
        assert_eq!(f.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(f.index.as_deref(), Some(Path::new("/srv/sleuth")));
        let serve = f.serve.unwrap();
        assert_eq!(
            (serve.addr.as_deref(), serve.api_only, serve.deadline_seconds),
            (Some("0.0.0.0:3000"), Some(true), Some(60))
        );
    }

    #[test]
    fn unknown_keys_bad_values_and_secrets_name_their_line() {
        let (line, reason) = parse("model = \"m\"\n\nmodle = \"typo\"\n").unwrap_err();
        assert_eq!(line, Some(3));
        assert!(reason.contains("unknown field `modle`"), "{reason}");
        let (line, reason) = parse("[serve]\naddr = \"x\"\nmax_per_user = \"two\"\n").unwrap_err();
        assert_eq!(line, Some(3), "{reason}");
        let (line, reason) = parse("model = \"m\"\napi_key = \"sk-123\"\n").unwrap_err();
        assert_eq!(line, Some(2));
        assert!(reason.contains("environment") && !reason.contains("sk-123"), "{reason}");
        let (line, _) = parse("model = \n").unwrap_err();
        assert_eq!(line, Some(1));
    }

    #[test]
    fn a_missing_file_is_no_settings_and_an_unreadable_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&dir.path().join("none.toml")).unwrap(), None);
        let err = load(dir.path()).unwrap_err();
        assert_eq!(err.path, dir.path());
    }
}

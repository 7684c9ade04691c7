//! The server's settings: each from its flag (or, for the address, `SLEUTH_ADDR`), else the
//! config file's `[serve]` table, else the default — decided here once, for `serve` and for
//! `sleuth config`, which shows where each came from.

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::ServeArgs;
use crate::config_file::{self, Source, pick};

/// Every server setting, decided.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Listening address.
    pub addr: String,
    /// The JSON API alone.
    pub api_only: bool,
    /// Serve the bundled demo when nothing else is given.
    pub demo: bool,
    /// Where conversations are kept.
    pub data_dir: PathBuf,
    /// Idle minutes before a conversation expires.
    pub idle_minutes: u64,
    /// Conversations kept at most.
    pub max_conversations: usize,
    /// Answers at once, in all.
    pub max_concurrent: usize,
    /// Answers at once per user.
    pub max_per_user: usize,
    /// Longest answer, in seconds.
    pub deadline_seconds: u64,
    /// Largest request body, in KiB.
    pub body_limit_kb: usize,
    /// Shutdown grace, in seconds.
    pub grace_seconds: u64,
    /// Where each setting came from, by name.
    #[serde(skip)]
    pub sources: Vec<(&'static str, Source)>,
}

impl Settings {
    /// The settings `args` (flags; `None` for `sleuth config`, which has none) and the config
    /// file give.
    pub fn resolve(args: Option<&ServeArgs>) -> Settings {
        let file = config_file::serve();
        let mut sources = Vec::new();
        let mut take = |name: &'static str, source: Source| sources.push((name, source));
        let flag_on = |on: bool| on.then_some(true);
        // `--addr` reads SLEUTH_ADDR itself (clap); without flags (`sleuth config`) it is read here.
        let addr_env = std::env::var("SLEUTH_ADDR").ok().filter(|v| !v.is_empty());
        let (addr, s) = match (args.and_then(|a| a.addr.clone()), addr_env) {
            (Some(v), _) => (v, Source::Flag),
            (None, Some(v)) => (v, Source::Environment),
            (None, None) => pick(None, file.addr, "127.0.0.1:3000".into()),
        };
        take("addr", s);
        let (api_only, s) = pick(args.and_then(|a| flag_on(a.api_only)), file.api_only, false);
        take("api_only", s);
        let (demo, s) = pick(args.and_then(|a| flag_on(a.demo)), file.demo, false);
        take("demo", s);
        let (data_dir, s) = pick(
            args.and_then(|a| a.data_dir.clone()),
            file.data_dir,
            crate::config::data_dir().join("conversations"),
        );
        take("data_dir", s);
        macro_rules! number {
            ($name:ident, $default:expr) => {{
                let (v, s) = pick(args.and_then(|a| a.$name), file.$name, $default);
                take(stringify!($name), s);
                v
            }};
        }
        let idle_minutes = number!(idle_minutes, 24 * 60);
        let max_conversations = number!(max_conversations, 5000);
        let max_concurrent = number!(max_concurrent, 16);
        let max_per_user = number!(max_per_user, 2);
        let deadline_seconds = number!(deadline_seconds, 120);
        let body_limit_kb = number!(body_limit_kb, 1024);
        let grace_seconds = number!(grace_seconds, 30);
        Settings {
            addr,
            api_only,
            demo,
            data_dir,
            idle_minutes,
            max_conversations,
            max_concurrent,
            max_per_user,
            deadline_seconds,
            body_limit_kb,
            grace_seconds,
            sources,
        }
    }
}

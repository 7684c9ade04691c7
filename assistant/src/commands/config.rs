//! `sleuth config`: the effective settings and where each came from. Secrets are never shown,
//! only whether they are set.

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::cli::ConfigArgs;
use crate::config_file;
use crate::config_file::{Source, pick};
use crate::serve::settings::Settings;

/// One line of the report.
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    value: Option<String>,
    source: Source,
}

/// Environment, else the config file, else the default.
fn env_then_file(var: &str, file: Option<String>, default: Option<String>) -> (Option<String>, Source) {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        Some(v) => (Some(v), Source::Environment),
        None => pick(None, file.map(Some), default),
    }
}

/// Prints the settings.
pub fn run(args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let file = config_file::get();
    let (path, exists) = config_file::location();
    let mut rows = Vec::new();
    let mut row = |name: &str, (value, source): (Option<String>, Source)| {
        rows.push(Row { name: name.into(), value, source });
    };
    row("model", env_then_file("SLEUTH_MODEL", file.model.clone(), None));
    row(
        "base_url",
        env_then_file("OPENAI_BASE_URL", file.base_url.clone(), Some("https://api.openai.com/v1".into())),
    );
    let (index, index_source) = crate::config::index_location(None);
    row("index", (Some(index.display().to_string()), index_source));
    row("context", pick(None, file.context.clone().map(Some), None));
    row("namespace", pick(None, file.namespace.clone().map(Some), None));
    let serve = Settings::resolve(None);
    let values = serde_json::to_value(&serve)?;
    for (name, source) in &serve.sources {
        let v = &values[*name];
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        row(&format!("serve.{name}"), (Some(text), *source));
    }
    // Secrets: whether they are set, never their value.
    for var in [
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "SLEUTH_API_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
    ] {
        let set = std::env::var_os(var).is_some_and(|v| !v.is_empty());
        rows.push(Row {
            name: var.to_string(),
            value: set.then(|| "set (hidden)".to_string()),
            source: if set { Source::Environment } else { Source::Default },
        });
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let file = serde_json::json!({"path": path, "exists": exists});
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({"config_file": file, "settings": rows}))?;
        writeln!(out)?;
    } else {
        writeln!(out, "config file: {} ({})", path.display(), if exists { "read" } else { "not present" })?;
        let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        for r in &rows {
            let value = r.value.as_deref().unwrap_or("(unset)");
            writeln!(out, "{:width$}  {value}  [{}]", r.name, r.source)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

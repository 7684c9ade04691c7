//! `$XDG_CONFIG_HOME/sleuth/config.toml`: below flags and environment, above defaults; unknown
//! keys stop sleuth with the line; `sleuth config` shows each value's source, secrets masked.

use serde_json::Value;
use sleuth_e2e::{Run, Sandbox, titles};

fn write_config(s: &Sandbox, text: &str) {
    let dir = s.path().join("config/sleuth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

fn setting<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name}: {v}"))
}

#[test]
fn the_config_file_sits_between_the_environment_and_the_defaults() {
    let s = Sandbox::new();
    let docs = s.path().join("wiki");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("kestrel.md"), "# Kestrel\n\nThe kestrel service sends invoices.\n").unwrap();
    let team_index = s.path().join("team-index");
    assert_eq!(Run::of(s.cmd().arg("index").arg("--index").arg(&team_index).arg(&docs)).code, 0);
    write_config(
        &s,
        &format!(
            "index = \"{}\"\nnamespace = \"billing\"\n\n[serve]\ndeadline_seconds = 7\n",
            team_index.display()
        ),
    );
    // The file's index is the one searched when no flag or variable names another.
    let run = Run::of(s.cmd().args(["search", "--json", "kestrel invoices"]));
    assert_eq!(run.code, 0, "{run}");
    let hits: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(titles(hits.as_array().unwrap()), ["Kestrel"]);

    let run = Run::of(s.cmd().args(["config", "--json"]).env("SLEUTH_API_TOKEN", "tok-very-secret"));
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stdout.contains("tok-very-secret"), "secrets are masked: {run}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["config_file"]["exists"], true, "{v}");
    assert_eq!(setting(&v, "index")["source"], "file", "{v}");
    assert_eq!(setting(&v, "namespace")["value"], "billing");
    assert_eq!(
        (
            setting(&v, "serve.deadline_seconds")["value"].as_str(),
            setting(&v, "serve.deadline_seconds")["source"].as_str()
        ),
        (Some("7"), Some("file"))
    );
    assert_eq!(setting(&v, "serve.max_per_user")["source"], "default");
    assert_eq!(setting(&v, "SLEUTH_API_TOKEN")["value"], "set (hidden)");

    // The environment wins over the file.
    let run = Run::of(s.cmd().args(["config", "--json"]).env("SLEUTH_INDEX", s.path().join("other")));
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(setting(&v, "index")["source"], "environment", "{v}");

    let text = Run::of(s.cmd().arg("config"));
    assert!(
        text.stdout.contains("serve.deadline_seconds") && text.stdout.contains("[config file]"),
        "{text}"
    );
}

#[test]
fn an_unknown_key_stops_every_command_with_its_line() {
    let s = Sandbox::new();
    write_config(&s, "namespace = \"shop\"\n\n[serve]\nadress = \"0.0.0.0:80\"\n");
    for args in [&["config"][..], &["search", "checkout"][..]] {
        let run = Run::of(s.cmd().args(args));
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains("config.toml:4: unknown field `adress`"), "{run}");
    }
    write_config(&s, "api_key = \"sk-live-123\"\n");
    let run = Run::of(s.cmd().arg("config"));
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("config.toml:1:") && run.stderr.contains("environment"), "{run}");
    assert!(!run.stderr.contains("sk-live-123"), "{run}");
}

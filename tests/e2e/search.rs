//! `sleuth search`: ranking on the demo workspace, filters, JSON shape, redaction, first use.

use std::sync::OnceLock;

use sleuth_e2e::{Sandbox, titles, write_files};

/// The demo workspace indexed once for all the tests of this module.
fn demo_index() -> &'static Sandbox {
    static S: OnceLock<Sandbox> = OnceLock::new();
    S.get_or_init(|| {
        let s = Sandbox::new();
        s.index_demo();
        s
    })
}

fn top3(query: &str) -> Vec<String> {
    titles(&demo_index().search_json(&["-k", "3", query]))
}

#[test]
fn questions_find_the_right_page_in_the_top_three() {
    let cases = [
        ("why are grafana and prometheus unreachable", "Runbook: Grafana and Prometheus unreachable"),
        ("what does checkout depend on", "Checkout Service"),
        ("who is on call for payments", "payments"),
        (
            "ops node group instance type",
            r#"module.eks.module.eks_managed_node_group["ops"].aws_eks_node_group.this[0]"#,
        ),
        ("what cache does cart use", "aws_elasticache_replication_group.sessions"),
        (
            "postmortem checkout errors payments deploy",
            "Postmortem 2026-08-19: Checkout errors after payments deploy",
        ),
        ("log-alerter memory limit", "Log Alerter Service"),
        ("node NotReady SystemOOM", "Runbook: Node NotReady and SystemOOM"),
    ];
    let mut misses = Vec::new();
    for (q, want) in cases {
        let got = top3(q);
        if !got.iter().any(|t| t == want) {
            misses.push(format!("{q:?}: wanted {want:?}, got {got:?}"));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn json_hits_carry_the_documented_fields() {
    let hits = demo_index().search_json(&["-k", "2", "grafana unreachable"]);
    assert_eq!(hits.len(), 2);
    for h in &hits {
        for field in ["title", "kind", "location", "heading", "snippet", "score"] {
            assert!(h.get(field).is_some(), "missing {field}: {h}");
        }
        assert!(h["score"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn text_output_shows_rank_title_location_heading_and_snippet() {
    let run = demo_index().search(&["-k", "3", "grafana prometheus unreachable ops nodes"]);
    assert_eq!(run.code, 0, "{run}");
    let out = &run.stdout;
    assert!(out.starts_with("1. "), "{out}");
    assert!(out.contains(". Runbook: Grafana and Prometheus unreachable  [confluence]  score "), "{out}");
    assert!(out.contains("Pinecart Engineering Home › Runbooks"), "breadcrumbs missing: {out}");
    assert!(out.contains("docs-index/confluence/SHOP/1020.html"), "{out}");
    assert!(out.contains("*Prometheus*"), "highlights missing: {out}");
    // A hit inside a section shows the heading path and an anchor to cite.
    let section = demo_index().search(&["-k", "1", "find the memory hog"]).stdout;
    assert!(
        section.contains("1020.html#RunbookGrafanaandPrometheusunreachable-3Findthememoryhog"),
        "{section}"
    );
    assert!(section.contains("§ 3. Find the memory hog"), "{section}");
}

#[test]
fn explain_says_why_each_hit_ranks_where_it_does() {
    let q = "why are grafana and prometheus unreachable";
    let run = demo_index().search(&["-k", "3", "--explain", q]);
    assert_eq!(run.code, 0, "{run}");
    let whys: Vec<&str> = run.stdout.lines().filter(|l| l.trim_start().starts_with("why: ")).collect();
    assert_eq!(whys.len(), 3, "{run}");
    assert!(whys.iter().all(|w| w.contains(" by sections (") && w.contains("meaning ")), "{whys:?}");
    // With --json each reranked hit carries the features; without --explain it carries none.
    let explained = demo_index().search_json(&["-k", "3", "--explain", q]);
    let first = &explained[0]["features"];
    assert!(first["prose"].as_bool().unwrap() && first["cosine"].as_f64().unwrap() > 0.0, "{first}");
    assert!(demo_index().search_json(&["-k", "3", q]).iter().all(|h| h.get("features").is_none()));
    // A question naming something exactly that few pages hold is not reranked, and says so.
    let named = demo_index().search(&["-k", "1", "--explain", "SystemOOM"]).stdout;
    assert!(named.contains("why: not reranked"), "{named}");
}

#[test]
fn filters_narrow_by_kind_space_database_and_module() {
    let s = demo_index();
    let tf = s.search_json(&["--kind", "terraform", "orders"]);
    assert!(!tf.is_empty() && tf.iter().all(|h| h["kind"] == "terraform"), "{tf:?}");
    let space = s.search_json(&["--space", "SHOP", "orders"]);
    assert!(!space.is_empty() && space.iter().all(|h| h["kind"] == "confluence"), "{space:?}");
    let db = s.search_json(&["--database", "service catalog", "checkout"]);
    assert!(
        !db.is_empty() && db.iter().all(|h| h["location"].as_str().unwrap().contains("Service Catalog")),
        "{db:?}"
    );
    let module = s.search_json(&["--module", "payments_irsa", "role"]);
    assert!(
        !module.is_empty()
            && module.iter().all(|h| h["fields"].as_str().unwrap().contains("address: module.payments_irsa")),
        "{module:?}"
    );
    assert!(s.search_json(&["--space", "NOPE", "orders"]).is_empty());
}

#[test]
fn secrets_in_the_demo_never_reach_the_index() {
    let s = demo_index();
    for q in ["orders_db_password", "auth_token sessions", "kubeconfig", "certificate_authority", "password"]
    {
        let hits = s.search_json(&["-k", "20", q]);
        let dump = serde_json::to_string(&hits).unwrap();
        for secret in
            ["rotate-me", "redis-auth-token-7f3a9c2e1b", "LS0tLS1CRUdJTi", "eyJzY2hlbWFfdmVyc2lvbiI"]
        {
            assert!(!dump.contains(secret), "{secret} leaked for query {q:?}");
        }
    }
    // The redacted values are still there as facts: the variable exists.
    assert!(titles(&s.search_json(&["orders_db_password"])).contains(&"var.orders_db_password".to_string()));
}

#[test]
fn first_search_on_a_fresh_machine_indexes_the_demo() {
    let s = Sandbox::new();
    let mut cmd = s.cmd();
    cmd.args(["search", "--json", "-k", "3", "why are grafana and prometheus unreachable"]);
    let run = sleuth_e2e::Run::of(&mut cmd);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "one line expected: {run}");
    assert!(run.stderr.contains("indexing the bundled demo workspace"), "{run}");
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        titles(hits.as_array().unwrap()).iter().any(|t| t.contains("Grafana and Prometheus unreachable")),
        "{run}"
    );
    assert!(s.path().join("data/sleuth/index/sleuth-manifest.json").exists());
}

#[test]
fn a_demo_index_from_an_older_sleuth_is_rebuilt_and_a_users_is_refused() {
    let s = Sandbox::new();
    let search = |args: &[&str]| {
        let mut cmd = s.cmd();
        cmd.arg("search").args(args);
        sleuth_e2e::Run::of(&mut cmd)
    };
    let age = |manifest: &std::path::Path| {
        let text = std::fs::read_to_string(manifest).unwrap();
        let current = format!("\"schema_version\":{}", retriever::SCHEMA_VERSION);
        assert!(text.contains(&current), "{text}");
        std::fs::write(manifest, text.replacen(&current, "\"schema_version\":1", 1)).unwrap();
    };
    // The demo index sleuth built itself at the default location: rebuilt, with one line.
    assert_eq!(search(&["checkout"]).code, 0);
    age(&s.path().join("data/sleuth/index/sleuth-manifest.json"));
    let run = search(&["--json", "-k", "3", "why are grafana and prometheus unreachable"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("written by an older sleuth; rebuilt it"), "{run}");
    assert!(!titles(&serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap()).is_empty());
    // An index of the user's own documents is never rebuilt behind their back.
    let docs = s.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.md"), "# Alpha\n\ntext\n").unwrap();
    assert_eq!(s.index(&[docs.to_str().unwrap()]).code, 0);
    age(&s.index_dir().join("sleuth-manifest.json"));
    let mine = s.search(&["alpha"]);
    assert_eq!(mine.code, 2, "{mine}");
    assert!(mine.stderr.contains("--rebuild") && !mine.stderr.contains("rebuilt it"), "{mine}");
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    // `sleuth search --json … | head -1`: the pipe closes before sleuth writes.
    let s = Sandbox::new();
    let mut cmd = s.cmd();
    cmd.args(["search", "--json", "-k", "20", "checkout"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn pasted_flags_and_error_lines_are_words_and_a_query_that_only_excludes_is_refused() {
    let s = Sandbox::new();
    let docs = s.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let write = |name: &str, text: &str| std::fs::write(docs.join(name), text).unwrap();
    write("install.md", "# Install\n\nUse `--default-volumes-to-fs-backup` to back up every volume.\n");
    write("releases.md", "# Releases\n\nHow releases are cut.\n");
    write("timeouts.md", "# Timeouts\n\nA request that takes longer than a minute ends in a timeout.\n");
    assert_eq!(s.index(&[docs.to_str().unwrap()]).code, 0);
    let first = |q: &str| titles(&s.search_json(&["-k", "1", q])).first().cloned().unwrap_or_default();
    // `--flag` was an exclusion and `error:` a field: the page asked about was left out.
    assert_eq!(first("how to use --default-volumes-to-fs-backup"), "Install");
    assert_eq!(first("error: timeout"), "Timeouts");
    // A flag no document holds is told, and the hits still come.
    let unknown = s.search(&["--json", "--", "what does --no-such-flag do"]);
    assert_eq!(unknown.code, 0, "{unknown}");
    assert!(unknown.stderr.contains("no document mentions `--no-such-flag`"), "{unknown}");
    assert!(serde_json::from_str::<Vec<serde_json::Value>>(&unknown.stdout).is_ok(), "{unknown}");
    let refused = s.search(&["--", "-timeout"]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(refused.stderr.contains("only leaves words out"), "{refused}");
}

#[test]
fn a_described_situation_finds_the_page_on_its_mechanism_and_explain_names_what_was_added() {
    let s = Sandbox::new();
    let site = s.path().join("site");
    // The health-check page shares no word with the question: only the name of the mechanism
    // a failing probe is finds it.
    write_files(
        &site,
        &[
            ("health.md", "# Health checks\n\nAn upstream whose check turns red is taken out of rotation.\n"),
            ("traffic.md", "# Traffic\n\nRequests are spread over the service's endpoints.\n"),
        ],
    );
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let q = "traffic still goes to pods that fail a probe";
    let run = s.search(&["--explain", q]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Health checks"), "{run}");
    assert!(
        run.stderr.contains(
            "describes a situation; also asked for, at less weight than its own words: health check"
        ),
        "{run}"
    );
    // --json stays one array, and without --explain nothing is said.
    assert!(s.search_json(&["--explain", q]).iter().any(|h| h["title"] == "Health checks"));
    assert!(!s.search(&[q]).stderr.contains("describes a situation"));
}

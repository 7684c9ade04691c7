//! `sleuth index`: the demo workspace, real public exports, incremental re-indexing.

use sleuth_e2e::{Sandbox, samples, titles, write_files};

#[test]
fn demo_workspace_indexes_every_kind() {
    Sandbox::new().index_demo();
}

#[test]
fn real_public_exports_index_and_are_found() {
    let s = Sandbox::new();
    let root = samples();
    let run = s.index(&[
        root.join("confluence").to_str().unwrap(),
        root.join("notion").to_str().unwrap(),
        root.join("terraform").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    // Confluence XML (current version only), Confluence HTML inside a zip, Notion database rows
    // merged with their pages, Terraform state addresses.
    assert_eq!(titles(&s.search_json(&["--kind", "confluence", "Home Test"]))[0], "Home Test");
    let hello = s.search_json(&["--kind", "confluence", "--space", "space1", "hello world"]);
    assert!(titles(&hello).contains(&"hello world".to_string()), "{hello:?}");
    let habit = s.search_json(&["--database", "Habit Tracker", "Meditated"]);
    assert!(!habit.is_empty() && habit.iter().all(|h| h["kind"] == "notion"), "{habit:?}");
    let tf = s.search_json(&["--module", "foo", "null_resource"]);
    assert!(titles(&tf).iter().any(|t| t == "module.foo.null_resource.foo"), "{tf:?}");
}

#[test]
fn reindexing_is_incremental_and_forgets_deleted_files() {
    let s = Sandbox::new();
    let docs = s.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.md"), "# Alpha\n\nThe quokka service runs in namespace zoo.\n").unwrap();
    std::fs::write(docs.join("b.md"), "# Beta\n\nThe wombat service talks to quokka.\n").unwrap();
    let docs_arg = docs.to_str().unwrap();

    let first = s.index(&[docs_arg]);
    assert_eq!(first.code, 0, "{first}");
    assert!(first.stdout.contains("Indexed 2 documents"), "{first}");

    let again = s.index(&[docs_arg]);
    assert!(again.stdout.contains("Indexed 0 documents") && again.stdout.contains("Unchanged: 2"), "{again}");

    std::fs::write(docs.join("b.md"), "# Beta\n\nThe wombat service now talks to platypus.\n").unwrap();
    std::fs::remove_file(docs.join("a.md")).unwrap();
    let changed = s.index(&[docs_arg]);
    assert!(
        changed.stdout.contains("Indexed 1 documents") && changed.stdout.contains("removed: 1"),
        "{changed}"
    );
    assert!(s.search_json(&["quokka"]).is_empty(), "deleted and rewritten text is still found");
    assert_eq!(titles(&s.search_json(&["platypus"])), ["Beta"]);
}

#[test]
fn an_index_from_another_schema_version_is_refused_with_advice() {
    let s = Sandbox::new();
    let docs = s.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.md"), "# Alpha\n\ntext\n").unwrap();
    assert_eq!(s.index(&[docs.to_str().unwrap()]).code, 0);
    let manifest = s.index_dir().join("sleuth-manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let current = format!("\"schema_version\":{}", retriever::SCHEMA_VERSION);
    assert!(text.contains(&current), "{text}");
    std::fs::write(&manifest, text.replacen(&current, "\"schema_version\":999", 1)).unwrap();
    let run = s.search(&["alpha"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("schema version 999") && run.stderr.contains("--rebuild"), "{run}");
    let rebuilt = s.index(&["--rebuild", docs.to_str().unwrap()]);
    assert_eq!(rebuilt.code, 0, "{rebuilt}");
    assert_eq!(titles(&s.search_json(&["alpha"])), ["Alpha"]);
}

#[test]
fn files_that_are_not_documents_are_counted_and_listed_with_v() {
    let s = Sandbox::new();
    let docs = s.path().join("site");
    std::fs::create_dir_all(docs.join("assets")).unwrap();
    std::fs::write(docs.join("runbook.md"), "# Runbook\n\nRestart the pod.\n").unwrap();
    std::fs::write(
        docs.join("page.html"),
        "<html><body><main><h1>Page</h1><p>Static page.</p></main></body></html>",
    )
    .unwrap();
    std::fs::write(docs.join("assets/logo.png"), [0x89, b'P', b'N', b'G']).unwrap();
    let plain = s.index(&[docs.to_str().unwrap()]);
    assert_eq!(plain.code, 0, "{plain}");
    assert!(plain.stdout.contains("Indexed 2 documents"), "{plain}");
    assert!(
        plain.stdout.contains("Ignored 1 files that are not documents")
            && plain.stdout.contains("-v lists them"),
        "{plain}"
    );
    assert!(!plain.stdout.contains("logo.png"), "{plain}");
    let verbose = s.index(&["-v", "--rebuild", docs.to_str().unwrap()]);
    assert!(verbose.stdout.contains("assets/logo.png"), "{verbose}");
}

#[test]
fn docusaurus_mdx_hugo_toml_and_sphinx_rst_pages_are_indexed_as_their_text() {
    let s = Sandbox::new();
    let site = s.path().join("site");
    write_files(
        &site,
        &[
            (
                "docs/install.mdx",
                "---\ntitle: 'Install: with Helm'\n---\n\nimport Tabs from '@theme/Tabs'\nimport TabItem from '@theme/TabItem'\n\n\
                 ## Add the chart {#add-chart}\n\n<Tabs>\n<TabItem value=\"helm\" label=\"Helm\">\n\n\
                 Add the repository and install the kestrel operator.\n\n</TabItem>\n</Tabs>\n\n{/* editors: keep short */}\n",
            ),
            (
                "docs/upgrade/_index.md",
                "+++\ntitle = \"Upgrading kestrel\"\nweight = 2\n+++\n\nDrain each node before upgrading kestrel.\n",
            ),
            ("docs/upgrade/README.md", "Notes about kestrel rollbacks.\n"),
            (
                "docs/peering.rst",
                ".. _peering:\n\n=======\nPeering\n=======\n\nOnly one kestrel operator is active, see :ref:`the lease <lease>`.\n\n\
                 Priorities\n==========\n\n.. code-block:: bash\n\n    kestrel run --priority=100\n",
            ),
            (
                "docs/storage.md",
                "(storage)=\n\n# Customizing kestrel storage\n\n```{note}\n:class: tip\nVolumes of kestrel outlive their pods.\n```\n\n\
                 See {ref}`the setup guide <setup>`.\n",
            ),
        ],
    );
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Indexed 5 documents"), "{run}");

    let hits = s.search_json(&["install the kestrel operator"]);
    assert_eq!(hits[0]["title"], "Install: with Helm", "{hits:?}");
    assert_eq!(hits[0]["heading"], "Add the chart", "{hits:?}");
    let snippet = hits[0]["snippet"].as_str().unwrap_or_default();
    for raw in ["import", "<Tab", "TabItem", "{/*", "{#"] {
        assert!(!snippet.contains(raw), "{raw} shown raw in {snippet:?}");
    }
    assert!(s.search_json(&["editors keep short"]).is_empty(), "an MDX comment was indexed");
    assert_eq!(titles(&s.search_json(&["drain each node"]))[0], "Upgrading kestrel");
    let rst = s.search_json(&["which kestrel operator is active"]);
    assert_eq!(rst[0]["title"], "Peering", "{rst:?}");
    assert!(!rst[0]["snippet"].as_str().unwrap_or_default().contains(":ref:"), "{rst:?}");
    let priority = s.search_json(&["priority"]);
    assert_eq!(priority[0]["heading"], "Priorities", "{priority:?}");
    // MyST (Sphinx's Markdown): the target line does not hide the title; directives and roles
    // read as their text.
    let myst = s.search_json(&["volumes outlive pods"]);
    assert_eq!(myst[0]["title"], "Customizing kestrel storage", "{myst:?}");
    let text = myst[0]["text"].as_str().unwrap_or_default();
    for raw in ["{note}", ":class:", "{ref}", "<setup>", "(storage)="] {
        assert!(!text.contains(raw), "{raw} shown raw in {text:?}");
    }
    // A folder's README without a title is named after the folder, not "README".
    assert_eq!(titles(&s.search_json(&["rollbacks"])), ["Upgrade"]);
}

#[test]
fn a_page_reads_with_its_included_fragments_and_is_reindexed_when_one_changes() {
    let s = Sandbox::new();
    let site = s.path().join("site");
    // MkDocs: the page is nothing but an include of a shared fragment of the same name.
    write_files(
        &site,
        &[
            (
                "docs/serving/metrics/collecting-metrics.md",
                "# Collecting serving metrics\n\n--8<-- \"collecting-metrics.md\"\n",
            ),
            ("docs/snippets/collecting-metrics.md", "Point the otel collector at the kestrel autoscaler.\n"),
        ],
    );
    let fragment = site.join("docs/snippets/collecting-metrics.md");
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Includes: 1 page read with the 1 shared fragment they include"), "{run}");
    // The page a reader knows ranks above the fragment it is made of (indexed too).
    let hits = s.search_json(&["otel collector kestrel autoscaler"]);
    assert_eq!(titles(&hits), ["Collecting serving metrics", "Collecting metrics"], "{hits:?}");

    // Only the fragment changes: the page that includes it is read again.
    std::fs::write(&fragment, "Scrape the kestrel activator with prometheus.\n").unwrap();
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let hits = s.search_json(&["scrape kestrel activator prometheus"]);
    assert!(titles(&hits).contains(&"Collecting serving metrics".to_string()), "{hits:?}");
    let stale = s.search_json(&["otel collector autoscaler"]);
    assert!(!titles(&stale).contains(&"Collecting serving metrics".to_string()), "{stale:?}");

    // An Obsidian vault: a note embeds another by name; callouts and wiki links read as text.
    let vault = s.path().join("vault");
    write_files(
        &vault,
        &[
            ("runbooks/Rollback.md", "Roll kestrel back with helm rollback.\n"),
            (
                "oncall/Escalation.md",
                "# Escalation\n\n> [!WARNING] Page the lead first\n> See [[Contacts|the contact sheet]].\n\n![[Rollback]]\n",
            ),
        ],
    );
    let run = s.index(&[vault.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let hits = s.search_json(&["roll kestrel back helm"]);
    assert_eq!(titles(&hits)[0], "Escalation", "{hits:?}");
    let text = hits[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("Page the lead first") && text.contains("the contact sheet"), "{text:?}");
    for raw in ["[!WARNING]", "[[", "]]"] {
        assert!(!text.contains(raw), "{raw} shown raw in {text:?}");
    }
}

#[test]
fn a_site_with_every_release_side_by_side_answers_with_the_newest_edition() {
    let s = Sandbox::new();
    let site = s.path().join("site");
    let page = |words: &str| format!("# Cron scaler\n\nScale kestrel workers on a cron schedule{words}.\n");
    write_files(
        &site,
        &[
            // The older editions' wording matches the question better.
            ("content/docs/2.9/scalers/cron.md", &page(", a cron schedule")),
            ("content/docs/archives/1.4/scalers/cron.md", &page(", the cron schedule, a cron")),
            ("content/docs/2.10/scalers/cron.md", &page("")),
            ("content/docs/2.9/scalers/old-timer.md", "# Timer\n\nA kestrel cron schedule of old.\n"),
            // A translation (MkDocs i18n, Hugo): one result per page, in English.
            (
                "content/docs/2.10/scalers/cron.zh.md",
                "# Cron 扩缩容\n\n按 kestrel cron schedule 扩缩容, cron schedule.\n",
            ),
            // The release's announcement says it all again, in more words: a dated post.
            (
                "content/blog/2024-kestrel-cron.md",
                "# Announcing cron\n\nKestrel cron schedule: scale kestrel on a cron schedule.\n",
            ),
        ],
    );
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("Editions: 3 pages are older releases' or API versions' editions or translations"),
        "{run}"
    );
    assert!(run.stdout.contains("Posts: 1 dated post of a blog or news folder"), "{run}");
    let newest = |hits: &[serde_json::Value]| -> Vec<String> {
        hits.iter()
            .map(|h| {
                h["location"].as_str().unwrap_or_default().rsplit("content/").next().unwrap().to_string()
            })
            .collect()
    };
    let hits = s.search_json(&["kestrel cron schedule"]);
    assert_eq!(
        newest(&hits),
        ["docs/2.10/scalers/cron.md", "blog/2024-kestrel-cron.md", "docs/2.9/scalers/old-timer.md"],
        "{hits:?}"
    );

    // A new release's folder appears: it is the newest edition now, without re-reading the rest.
    write_files(&site, &[("content/docs/2.11/scalers/cron.md", &page(""))]);
    let run = s.index(&[site.to_str().unwrap()]);
    assert!(run.stdout.contains("Indexed 1 documents"), "{run}");
    let hits = s.search_json(&["kestrel cron schedule"]);
    assert_eq!(newest(&hits)[0], "docs/2.11/scalers/cron.md", "{hits:?}");
}

#[test]
fn a_guide_made_of_titled_modules_lists_them_and_each_module_answers_for_itself() {
    let s = Sandbox::new();
    let docs = s.path().join("documentation");
    // AsciiDoc modular documentation: a guide includes an assembly that includes modules.
    write_files(
        &docs,
        &[
            ("shared/attributes.adoc", ":ProductName: Kestrel\n"),
            (
                "deploying/deploying.adoc",
                "include::../shared/attributes.adoc[]\n= Deploying Kestrel\n\ninclude::../assemblies/assembly-upgrade.adoc[leveloffset=+1]\n",
            ),
            (
                "assemblies/assembly-upgrade.adoc",
                "[id=\"upgrade\"]\n= Upgrading Kestrel\n\nPlan the upgrade first.\n\ninclude::../modules/proc-upgrade-operator.adoc[leveloffset=+1]\ninclude::../modules/snip-versions.adoc[]\n",
            ),
            (
                "modules/proc-upgrade-operator.adoc",
                "= Upgrading the kestrel operator\n\nApply the new operator manifests, then watch the rolling update of the brokers.\n",
            ),
            ("modules/snip-versions.adoc", "Supported brokers: 4.1 and 4.2.\n"),
        ],
    );
    let run = s.index(&[docs.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Topics: 2 titled pages included by title"), "{run}");
    // The module answers, not the guide or the assembly that contain it.
    let hits = s.search_json(&["apply new operator manifests rolling update brokers"]);
    assert_eq!(titles(&hits)[0], "Upgrading the kestrel operator", "{hits:?}");
    for hit in &hits[1..] {
        let text = hit["text"].as_str().unwrap_or_default();
        assert!(!text.contains("manifests"), "a guide repeats the module's text: {hit:?}");
    }
    // An untitled snippet is still read into the page that includes it.
    let hits = s.search_json(&["supported brokers"]);
    assert!(titles(&hits).contains(&"Upgrading Kestrel".to_string()), "{hits:?}");
}

#[test]
fn links_between_pages_are_counted_and_name_the_page_they_point_to() {
    let s = Sandbox::new();
    let site = s.path().join("site");
    // Hugo: the guide links to the draining page by words the page never uses, once as a
    // folder-style relative link, once to a page the site does not have.
    write_files(
        &site,
        &[
            (
                "content/ops/draining.md",
                "---\ntitle: Envoy container draining\n---\n\nThe shutdown manager waits on restart.\n",
            ),
            (
                "content/guide.md",
                "# Guide\n\nBefore a restart, [let open connections finish](../ops/draining/).\n\
                 See also [the old page](../gone/) and [the web](https://example.com).\n",
            ),
        ],
    );
    let run = s.index(&[site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Links: 1 between pages read"), "{run}");
    assert!(run.stdout.contains("(1 more point to no indexed page)"), "{run}");
    let hits = s.search_json(&["--explain", "let connections finish on restart"]);
    let draining =
        hits.iter().find(|h| h["title"] == "Envoy container draining").expect("the linked page is found");
    assert!(draining["features"]["link_coverage"].as_f64().unwrap() > 0.5, "{draining}");
}

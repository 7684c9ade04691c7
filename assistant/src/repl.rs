//! `sleuth chat`: the terminal REPL.
//!
//! rustyline reads the question (persistent history under the data dir, multi-line input when a
//! line ends with `\` or a code fence is open, tab completion of slash commands, kinds,
//! namespaces and file paths). The turn runs on tokio while a spinner on stderr names the tool
//! running; text streams as it arrives and is rendered line by line as terminal markdown
//! (termimad), plainly when stdout is not a terminal or `NO_COLOR` is set. Ctrl-C stops the
//! running answer and keeps the conversation; Ctrl-D exits.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use crate::agent::{Agent, Answer, Conversation, Event, Policy};
use crate::cli::ChatArgs;

/// Slash commands, with their help.
const COMMANDS: &[(&str, &str)] = &[
    ("/help", "this list"),
    ("/sources", "the sources of the last answer"),
    ("/trace", "every tool call of the last turn, with its full output"),
    ("/graph", "[FILE]: explain a causal graph (rcagraph/v1 JSON or DOT); alone, build one from the cluster"),
    ("/context", "what sleuth is reading: index, cluster, namespace, model"),
    ("/ns", "NAME: the namespace tools use by default"),
    ("/reset", "start a new conversation"),
    ("/save", "FILE: save the conversation as markdown"),
    ("/quit", "leave (Ctrl-D works too)"),
];

struct ChatHelper {
    files: FilenameCompleter,
    words: Vec<String>,
    namespaces: Vec<String>,
}

impl Completer for ChatHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        if before.starts_with("/graph ") || before.starts_with("/save ") {
            return self.files.complete(line, pos, ctx);
        }
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let pool: Vec<&str> = if start == 0 && word.starts_with('/') {
            COMMANDS.iter().map(|(c, _)| *c).collect()
        } else if before.starts_with("/ns ") {
            self.namespaces.iter().map(String::as_str).collect()
        } else {
            self.words.iter().chain(self.namespaces.iter()).map(String::as_str).collect()
        };
        let found = pool
            .into_iter()
            .filter(|c| !word.is_empty() && c.starts_with(word))
            .map(|c| Pair { display: c.to_string(), replacement: c.to_string() })
            .collect();
        Ok((start, found))
    }
}

impl Hinter for ChatHelper {
    type Hint = String;
}

impl Highlighter for ChatHelper {}

impl Validator for ChatHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        let open_fence = input.matches("```").count() % 2 == 1;
        if input.ends_with('\\') || open_fence {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ChatHelper {}

/// Renders streamed markdown a line at a time.
struct Renderer {
    color: bool,
    skin: termimad::MadSkin,
    pending: String,
    in_fence: bool,
    /// Lines of a markdown table, rendered together once it ends.
    table: Vec<String>,
    /// Bytes of the unfinished line already shown raw.
    shown: usize,
}

impl Renderer {
    fn new(color: bool) -> Renderer {
        Renderer {
            color,
            skin: termimad::MadSkin::default(),
            pending: String::new(),
            in_fence: false,
            table: Vec::new(),
            shown: 0,
        }
    }

    fn push(&mut self, text: &str, out: &mut impl Write) {
        if !self.color {
            // Plain output: the text as it comes, nothing to re-render.
            let _ = write!(out, "{text}");
            let _ = out.flush();
            return;
        }
        self.pending.push_str(text);
        while let Some(i) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=i).collect();
            // The raw partial line shown so far is replaced by its rendered form.
            if self.shown > 0 {
                let _ = write!(out, "\r\x1b[K");
                self.shown = 0;
            }
            self.line(line.trim_end_matches('\n'), out);
        }
        // Show the unfinished line raw, so a slow answer is visible as it streams.
        if self.pending.len() > self.shown && !self.pending.trim_start().starts_with('|') {
            let _ = write!(out, "{}", &self.pending[self.shown..]);
            self.shown = self.pending.len();
            let _ = out.flush();
        }
    }

    fn flush(&mut self, out: &mut impl Write) {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            if self.shown > 0 {
                let _ = write!(out, "\r\x1b[K");
                self.shown = 0;
            }
            if self.color {
                self.line(&line, out);
            } else {
                let _ = writeln!(out);
            }
        } else if !self.color {
            let _ = writeln!(out);
        }
        self.end_table(out);
        let _ = out.flush();
    }

    fn end_table(&mut self, out: &mut impl Write) {
        if !self.table.is_empty() {
            let table = std::mem::take(&mut self.table).join("\n");
            let _ = write!(out, "{}", self.skin.term_text(&table));
        }
    }

    fn line(&mut self, line: &str, out: &mut impl Write) {
        // A table is only readable once its widths are known: hold its rows until it ends.
        if self.color && !self.in_fence && line.trim_start().starts_with('|') {
            self.table.push(line.to_string());
            return;
        }
        self.end_table(out);
        if line.trim_start().starts_with("```") {
            self.in_fence = !self.in_fence;
            let _ = writeln!(
                out,
                "{}",
                if self.color { format!("\x1b[2m{line}\x1b[0m") } else { line.to_string() }
            );
            return;
        }
        if !self.color {
            let _ = writeln!(out, "{line}");
        } else if self.in_fence {
            let _ = writeln!(out, "\x1b[36m{line}\x1b[0m");
        } else {
            let _ = write!(out, "{}", self.skin.term_text(line));
        }
        let _ = out.flush();
    }
}

fn history_file() -> PathBuf {
    crate::config::data_dir().join("history.txt")
}

/// `sleuth chat`
pub fn run(args: &ChatArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let color = crate::output::color();
    let (tools, note) = rt.block_on(async {
        let (tools, index_note, cluster_note) =
            crate::agent::setup::toolbox(&args.agent.sources, "chatting without the cluster", crate::connect::Demo::Allowed, crate::agent::Mode::Local)
                .await;
        let note = match (index_note, cluster_note) {
            // A fresh machine: one line for both defaults.
            (Some(a), Some(b)) if a.contains("demo") && b.contains("demo") => Some(format!(
                "Opening on the bundled demo workspace ({}): documents indexed on first use, and its cluster snapshot as the cluster.",
                crate::config::demo_dir().display()
            )),
            (a, b) => [a, b].into_iter().flatten().reduce(|x, y| format!("{x}\n{y}")),
        };
        (tools, note)
    });
    if let Some(n) = note {
        eprintln!("{n}");
    }
    let settings = crate::agent::llm::LlmSettings::from_env(args.agent.model.as_deref());
    let model = settings
        .as_ref()
        .map_or_else(|| "none (offline policy)".to_string(), |s| format!("{} at {}", s.model, s.endpoint()));
    let vocab = rt.block_on(tools.vocabulary());
    let mut agent = Agent::new(tools, Policy::from_settings(settings));

    let mut words: Vec<String> = cluster::Kind::ALL.iter().map(|k| k.name()).collect();
    words.extend(vocab.workloads.iter().map(|(_, _, n)| n.clone()));
    let helper = ChatHelper { files: FilenameCompleter::new(), words, namespaces: vocab.namespaces.clone() };
    let mut rl: Editor<ChatHelper, rustyline::history::FileHistory> = Editor::new()?;
    rl.set_helper(Some(helper));
    let history = history_file();
    let _ = rl.load_history(&history);
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("Ask about your systems; /help lists commands, Ctrl-C stops an answer, Ctrl-D leaves.");
    }
    let mut last: Option<Answer> = None;
    loop {
        let line = match rl.readline("sleuth> ") {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let input = line.replace("\\\n", "\n").trim().to_string();
        if input.is_empty() {
            continue;
        }
        let _ = rl.add_history_entry(line.as_str());
        if let Some(cmd) = input.strip_prefix('/') {
            let (name, arg) = cmd.split_once(char::is_whitespace).map_or((cmd, ""), |(n, a)| (n, a.trim()));
            match name {
                "quit" | "exit" | "q" => break,
                "help" => {
                    for (c, h) in COMMANDS {
                        println!("  {c:<10} {h}");
                    }
                }
                "sources" => match &last {
                    Some(a) if !a.sources.is_empty() => {
                        for s in &a.sources {
                            println!("  [{}] {} — {}", s.kind, s.title, s.location);
                        }
                    }
                    _ => println!("No sources yet."),
                },
                "trace" => print_trace(&agent.conversation),
                "context" => {
                    println!(
                        "  conversation: {} ({} turns)",
                        agent.conversation.id, agent.conversation.turns
                    );
                    println!(
                        "  documents:    {}",
                        if agent.tools.searcher.is_some() { "index open" } else { "none" }
                    );
                    println!(
                        "  cluster:      {}",
                        agent
                            .tools
                            .cluster
                            .as_ref()
                            .map_or_else(|| "none".to_string(), cluster::ClusterSource::describe)
                    );
                    println!("  namespace:    {}", agent.tools.namespace.as_deref().unwrap_or("all"));
                    println!("  model:        {model}");
                }
                "ns" if !arg.is_empty() => {
                    agent.tools.namespace = Some(arg.to_string());
                    println!("Namespace set to {arg}.");
                }
                "reset" => {
                    agent.conversation = Conversation::new();
                    last = None;
                    println!("New conversation.");
                }
                "save" if !arg.is_empty() => match std::fs::write(arg, transcript(&agent.conversation)) {
                    Ok(()) => println!("Saved to {arg}."),
                    Err(e) => println!("Cannot save to {arg}: {e}"),
                },
                "graph" => rt.block_on(graph(&agent, arg, color)),
                _ => println!("Unknown command /{name}; /help lists them."),
            }
            continue;
        }
        let answer = rt.block_on(turn(&mut agent, &input, color));
        if answer.is_some() {
            last = answer;
        }
    }
    if let Some(dir) = history.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = rl.save_history(&history);
    Ok(ExitCode::SUCCESS)
}

/// `/graph FILE` explains a graph file; `/graph` alone builds one from the cluster first.
async fn graph(agent: &Agent, arg: &str, color: bool) {
    let expl = if arg.is_empty() {
        let Some(cluster) = &agent.tools.cluster else {
            println!(
                "No cluster to build a graph from; use /graph FILE with an rcagraph/v1 JSON or DOT file."
            );
            return;
        };
        let scope = cluster::Scope::namespace(agent.tools.namespace.as_deref());
        match crate::graphs::build_from(cluster, &scope, jiff::SignedDuration::from_hours(2)).await {
            Ok(g) => rcagraph::Explanation::new(rcagraph::Parsed { graph: g, warnings: Vec::new() }),
            Err(e) => {
                println!("Cannot build a graph: {e:#}");
                return;
            }
        }
    } else {
        let text = match std::fs::read_to_string(arg) {
            Ok(t) => t,
            Err(e) => {
                println!("Cannot read {arg}: {e}");
                return;
            }
        };
        match rcagraph::explain(&text) {
            Ok(e) => e,
            Err(invalid) => {
                print!("{}", crate::graphs::error_lines(arg, &invalid));
                println!("{arg} is not a valid rcagraph/v1 graph.");
                return;
            }
        }
    };
    let (narrative, note) = crate::graphs::narrative(&expl, agent.policy.model()).await;
    print!(
        "{}",
        crate::commands::graph::render(
            &expl,
            rcagraph::Format::Text,
            &narrative,
            color,
            rcagraph::View::Collapsed
        )
    );
    if let Some(n) = note {
        println!("({n})");
    }
    if !expl.warnings.is_empty() {
        println!(
            "({} warning(s) about the graph; `sleuth explain {}` lists them)",
            expl.warnings.len(),
            if arg.is_empty() { "FILE" } else { arg }
        );
    }
}

async fn turn(agent: &mut Agent, question: &str, color: bool) -> Option<Answer> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spinner =
        if std::io::stderr().is_terminal() { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("template"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    spinner.set_message("thinking…");
    let render = tokio::spawn({
        let spinner = spinner.clone();
        async move {
            let mut r = Renderer::new(color);
            let mut streamed = false;
            let mut out = std::io::stdout();
            while let Some(ev) = rx.recv().await {
                match ev {
                    Event::ToolStarted { name, .. } => spinner.set_message(format!("running {name}…")),
                    Event::ToolFinished { name, elapsed_ms, ok, .. } => {
                        spinner.set_message(format!(
                            "{name} {} in {elapsed_ms} ms",
                            if ok { "done" } else { "failed" }
                        ));
                    }
                    Event::TextDelta(t) => {
                        if !streamed {
                            spinner.finish_and_clear();
                            streamed = true;
                        }
                        r.push(&t, &mut out);
                    }
                    Event::Answer(a) => {
                        spinner.finish_and_clear();
                        if !streamed {
                            r.push(&a.answer, &mut out);
                        }
                        r.flush(&mut out);
                        // Scripts of model-written answers get their label here.
                        if streamed {
                            for s in &a.scripts {
                                let _ =
                                    writeln!(out, "[{}] {}", s.safety, s.code.lines().next().unwrap_or(""));
                            }
                        }
                        let _ = writeln!(out);
                    }
                    Event::Error(e) => spinner.println(format!("note: {e}")),
                }
            }
        }
    });
    let answer = tokio::select! {
        a = agent.turn(question, &tx) => Some(a),
        _ = tokio::signal::ctrl_c() => {
            spinner.finish_and_clear();
            println!("\n(stopped; the conversation is kept)");
            None
        }
    };
    drop(tx);
    let _ = render.await;
    answer
}

fn print_trace(conv: &Conversation) {
    let entries: Vec<_> = conv.this_turn().collect();
    if entries.is_empty() {
        println!("No tool calls in the last turn.");
    }
    for t in entries {
        println!(
            "── {} {} ({} ms, {})",
            t.call.name,
            t.call.args,
            t.elapsed_ms,
            if t.output.ok { "ok" } else { "failed" }
        );
        println!("{}", t.output.text.trim_end());
    }
}

fn transcript(conv: &Conversation) -> String {
    let mut out = format!("# sleuth conversation {}\n\n", conv.id);
    for m in &conv.messages {
        let text = &m.content;
        match m.role {
            crate::agent::Role::User => out.push_str(&format!("## Question\n\n{text}\n\n")),
            crate::agent::Role::Assistant if !text.is_empty() => {
                out.push_str(&format!("## Answer\n\n{text}\n\n"));
            }
            _ => {}
        }
    }
    out
}

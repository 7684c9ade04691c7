//! Classifying suggested shell scripts as read-only, mutating or unknown.
//!
//! Every fenced shell block an answer carries is parsed with a real shell parser
//! (`brush-parser`), never matched with regexes: pipelines, `&&`/`||` lists, subshells, brace
//! groups, loops and conditionals are walked, command substitutions are parsed in turn, and
//! each simple command is judged on its own. A script is `read-only` only when every command in
//! it is known to be; one write makes it `mutating`; anything unrecognised (or unparsable) makes
//! it `unknown`. sleuth never runs scripts; the label tells the human what they are about to do.

use brush_parser::ast::{
    Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList, IoRedirect, Pipeline,
};
use serde::Serialize;

/// What running a script would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Safety {
    /// Reads only.
    ReadOnly,
    /// Not recognised: read it before running it.
    Unknown,
    /// Changes the cluster or the machine.
    Mutating,
}

impl Safety {
    /// The label shown next to a script.
    pub fn label(self) -> &'static str {
        match self {
            Safety::ReadOnly => "Read-only",
            Safety::Unknown => "Unknown effect — review before running",
            Safety::Mutating => "Mutating — changes the cluster; review before running",
        }
    }
}

impl std::fmt::Display for Safety {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Safety::ReadOnly => "read-only",
            Safety::Unknown => "unknown",
            Safety::Mutating => "mutating",
        })
    }
}

/// A fenced shell block found in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    /// `bash`, `sh`, `shell`, `console`.
    pub language: String,
    /// The code.
    pub code: String,
    /// Its classification.
    pub safety: Safety,
    /// What it is for (the sentence before the block, when there is one).
    pub purpose: String,
}

/// Classify a shell script.
pub fn classify(code: &str) -> Safety {
    // `$ kubectl get pods` in console transcripts: drop the prompts.
    let code: String = code.lines().map(|l| l.strip_prefix("$ ").unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let mut parser = brush_parser::Parser::new(
        std::io::Cursor::new(code.as_bytes()),
        &brush_parser::ParserOptions::default(),
    );
    match parser.parse_program() {
        Ok(program) => program.complete_commands.iter().map(list).max().unwrap_or(Safety::ReadOnly),
        Err(_) => Safety::Unknown,
    }
}

fn list(l: &CompoundList) -> Safety {
    l.0.iter()
        .map(|item| {
            let and_or = &item.0;
            std::iter::once(&and_or.first)
                .chain(and_or.additional.iter().map(|a| match a {
                    brush_parser::ast::AndOr::And(p) | brush_parser::ast::AndOr::Or(p) => p,
                }))
                .map(pipeline)
                .max()
                .unwrap_or(Safety::ReadOnly)
        })
        .max()
        .unwrap_or(Safety::ReadOnly)
}

fn pipeline(p: &Pipeline) -> Safety {
    p.seq.iter().map(command).max().unwrap_or(Safety::ReadOnly)
}

fn command(c: &Command) -> Safety {
    match c {
        Command::Simple(s) => {
            let mut words: Vec<String> = Vec::new();
            let mut worst = Safety::ReadOnly;
            for item in
                s.prefix.iter().flat_map(|p| p.0.iter()).chain(s.suffix.iter().flat_map(|p| p.0.iter()))
            {
                match item {
                    CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                    CommandPrefixOrSuffixItem::IoRedirect(r) => worst = worst.max(redirect(r)),
                    CommandPrefixOrSuffixItem::AssignmentWord(..) => {}
                    CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => {
                        worst = worst.max(list(&sub.list));
                    }
                }
            }
            let Some(name) = &s.word_or_name else { return worst };
            // Words with command substitutions run those commands too.
            for w in std::iter::once(&name.value).chain(words.iter()) {
                worst = worst.max(substitutions(w));
            }
            let args: Vec<String> = words.iter().map(|w| unquote(w)).collect();
            worst.max(simple(&unquote(&name.value), &args))
        }
        Command::Compound(c, redirects) => {
            let r = redirects.iter().flat_map(|r| r.0.iter()).map(redirect).max().unwrap_or(Safety::ReadOnly);
            r.max(compound(c))
        }
        Command::Function(_) => Safety::Unknown,
        Command::ExtendedTest(..) => Safety::ReadOnly,
    }
}

fn compound(c: &CompoundCommand) -> Safety {
    match c {
        CompoundCommand::BraceGroup(b) => list(&b.list),
        CompoundCommand::Subshell(s) => list(&s.list),
        CompoundCommand::ForClause(f) => list(&f.body.list),
        CompoundCommand::WhileClause(w) | CompoundCommand::UntilClause(w) => list(&w.0).max(list(&w.1.list)),
        CompoundCommand::IfClause(i) => {
            let elses = i
                .elses
                .iter()
                .flatten()
                .map(|e| e.condition.as_ref().map_or(Safety::ReadOnly, list).max(list(&e.body)))
                .max();
            list(&i.condition).max(list(&i.then)).max(elses.unwrap_or(Safety::ReadOnly))
        }
        CompoundCommand::CaseClause(c) => {
            c.cases.iter().filter_map(|i| i.cmd.as_ref()).map(list).max().unwrap_or(Safety::ReadOnly)
        }
        CompoundCommand::Arithmetic(_) | CompoundCommand::ArithmeticForClause(_) => Safety::ReadOnly,
        CompoundCommand::Coprocess(_) => Safety::Unknown,
    }
}

/// Writing to a file changes the machine; reading one, duplicating a descriptor (`2>&1`) or
/// writing to /dev/null does not. `>& file` and `&> file` write the file.
fn redirect(r: &IoRedirect) -> Safety {
    let text = r.to_string();
    let text = text.trim_start_matches(|c: char| c.is_ascii_digit());
    let operator: String = text.chars().take_while(|c| matches!(c, '<' | '>' | '&' | '|')).collect();
    let target = text[operator.len()..].trim();
    if !operator.contains('>') || operator == "<<<" || operator == "<<" {
        return Safety::ReadOnly;
    }
    let duplicates = operator.ends_with('&') && (target == "-" || target.chars().all(|c| c.is_ascii_digit()));
    if duplicates || matches!(target, "/dev/null" | "/dev/stdout" | "/dev/stderr") {
        Safety::ReadOnly
    } else {
        Safety::Mutating
    }
}

fn unquote(w: &str) -> String {
    let w = w.trim();
    if (w.starts_with('"') && w.ends_with('"') || w.starts_with('\'') && w.ends_with('\'')) && w.len() >= 2 {
        w[1..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// `$(…)` and backquoted parts of a word, classified as scripts of their own.
fn substitutions(word: &str) -> Safety {
    let mut worst = Safety::ReadOnly;
    let mut rest = word;
    while let Some(start) = rest.find("$(") {
        let inner = &rest[start + 2..];
        let mut depth = 1;
        let mut end = None;
        for (i, ch) in inner.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { return Safety::Unknown };
        worst = worst.max(classify(&inner[..end]));
        rest = &inner[end + 1..];
    }
    let parts: Vec<&str> = word.split('`').collect();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            worst = worst.max(classify(p));
        }
    }
    worst
}

/// kubectl flags that take a value (so the word after them is not the verb).
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "--cache-dir",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "--tls-server-name",
    "-v",
    "--v",
];

const KUBECTL_READ: &[&str] = &[
    "get",
    "describe",
    "logs",
    "top",
    "explain",
    "api-resources",
    "api-versions",
    "version",
    "events",
    "cluster-info",
    "diff",
    "wait",
];
const KUBECTL_WRITE: &[&str] = &[
    "apply",
    "create",
    "delete",
    "patch",
    "replace",
    "scale",
    "autoscale",
    "edit",
    "exec",
    "attach",
    "drain",
    "cordon",
    "uncordon",
    "taint",
    "label",
    "annotate",
    "set",
    "run",
    "expose",
    "cp",
    "debug",
    "certificate",
    "port-forward",
    "proxy",
];

fn kubectl(args: &[String]) -> Safety {
    let mut verb_at = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.starts_with('-') {
            if KUBECTL_VALUE_FLAGS.contains(&a.as_str()) {
                i += 1;
            }
        } else {
            verb_at = Some(i);
            break;
        }
        i += 1;
    }
    let Some(v) = verb_at else { return Safety::ReadOnly };
    let verb = args[v].as_str();
    let rest: Vec<&str> = args[v + 1..].iter().map(String::as_str).collect();
    let sub = rest.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("");
    let dry_run = args.iter().any(|a| a.starts_with("--dry-run") && a != "--dry-run=none");
    let write = match verb {
        v if KUBECTL_READ.contains(&v) => false,
        "rollout" => !matches!(sub, "status" | "history"),
        "auth" => !matches!(sub, "can-i" | "whoami"),
        "config" => {
            !matches!(sub, "view" | "get-contexts" | "current-context" | "get-clusters" | "get-users")
        }
        "certificate" | "plugin" | "kustomize" | "completion" | "alpha" => return Safety::Unknown,
        v if KUBECTL_WRITE.contains(&v) => true,
        _ => return Safety::Unknown,
    };
    // exec and attach act inside the container whatever --dry-run says.
    if write && (!dry_run || matches!(verb, "exec" | "attach" | "debug" | "cp" | "port-forward" | "proxy")) {
        Safety::Mutating
    } else {
        Safety::ReadOnly
    }
}

fn helm(args: &[String]) -> Safety {
    let verb = args.iter().find(|a| !a.starts_with('-')).map_or("", String::as_str);
    match verb {
        "list" | "ls" | "status" | "history" | "get" | "show" | "search" | "template" | "version" | "env"
        | "lint" => Safety::ReadOnly,
        "install" | "upgrade" | "uninstall" | "delete" | "rollback" | "repo" | "plugin" | "push" | "pull"
        | "dependency" => {
            if args.iter().any(|a| a == "--dry-run" || a.starts_with("--dry-run="))
                && matches!(verb, "install" | "upgrade")
            {
                Safety::ReadOnly
            } else {
                Safety::Mutating
            }
        }
        _ => Safety::Unknown,
    }
}

fn curl(args: &[String]) -> Safety {
    let mut method_write = false;
    for (i, a) in args.iter().enumerate() {
        let next = args.get(i + 1).map(|s| s.to_uppercase());
        if (a == "-X" || a == "--request") && next.as_deref().is_some_and(|m| m != "GET" && m != "HEAD") {
            method_write = true;
        }
        if a.starts_with("-d")
            || a.starts_with("--data")
            || a == "-F"
            || a.starts_with("--form")
            || a == "-T"
            || a == "--upload-file"
            || a == "-o"
            || a == "-O"
            || a == "--output"
        {
            method_write = true;
        }
    }
    if method_write { Safety::Mutating } else { Safety::ReadOnly }
}

fn aws(args: &[String]) -> Safety {
    let words: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let op = words.get(1).copied().unwrap_or("");
    if ["describe-", "list-", "get-"].iter().any(|p| op.starts_with(p)) || matches!(op, "ls" | "wait") {
        Safety::ReadOnly
    } else if op.is_empty() {
        Safety::Unknown
    } else {
        Safety::Mutating
    }
}

/// Commands that only read (as long as their own flags do not write).
const READ_ONLY: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "jq",
    "yq",
    "cut",
    "uniq",
    "wc",
    "tr",
    "column",
    "echo",
    "printf",
    "date",
    "ls",
    "pwd",
    "true",
    "false",
    "test",
    "[",
    "sleep",
    "dig",
    "nslookup",
    "host",
    "ping",
    "base64",
    "diff",
    "stern",
    "k9s",
    "which",
    "id",
    "whoami",
    "ps",
    "df",
    "du",
    "free",
    "uptime",
    "top",
    "htop",
    "stat",
    "file",
    "zcat",
    "zgrep",
    "base32",
    "sha256sum",
    "md5sum",
    "export",
    "set",
    "read",
    "cd",
    "seq",
    "basename",
    "dirname",
];

const MUTATING: &[&str] = &[
    "rm",
    "mv",
    "cp",
    "dd",
    "mkfs",
    "chmod",
    "chown",
    "kill",
    "pkill",
    "killall",
    "reboot",
    "shutdown",
    "systemctl",
    "service",
    "apt",
    "apt-get",
    "yum",
    "dnf",
    "pip",
    "npm",
    "terraform",
    "tofu",
    "docker",
    "crictl",
    "ctr",
    "eksctl",
    "gcloud",
    "az",
    "psql",
    "mysql",
    "redis-cli",
    "truncate",
    "touch",
    "mkdir",
    "ln",
    "git",
    "wget",
];

fn simple(name: &str, args: &[String]) -> Safety {
    let base = name.rsplit('/').next().unwrap_or(name);
    let has =
        |flags: &[&str]| args.iter().any(|a| flags.iter().any(|f| a == f || a.starts_with(&format!("{f}="))));
    match base {
        "kubectl" | "oc" => kubectl(args),
        "helm" => helm(args),
        "curl" => curl(args),
        "aws" => aws(args),
        "sed" if args.iter().any(|a| a.starts_with("-i") || a == "--in-place") => Safety::Mutating,
        // Interpreters run whatever program they are given: never read-only.
        "perl" if args.iter().any(|a| a.starts_with("-i")) => Safety::Mutating,
        "perl" | "python" | "python3" | "ruby" | "node" | "php" | "lua" | "tclsh" => Safety::Unknown,
        "awk" | "gawk" | "mawk" | "nawk" => awk(args),
        "tee" if args.iter().any(|a| !a.starts_with('-') && a != "/dev/null") => Safety::Mutating,
        "sort" if has(&["-o", "--output"]) || args.iter().any(|a| a.starts_with("-o")) => Safety::Mutating,
        "openssl" if has(&["-out", "-keyout", "-writerand"]) => Safety::Mutating,
        // Read-only unless one of the flags above says otherwise.
        "sed" | "tee" | "sort" | "openssl" => Safety::ReadOnly,
        "find" => find(args),
        "sh" | "bash" | "zsh" | "dash" | "ksh" => match args.iter().position(|a| a == "-c") {
            Some(i) => args.get(i + 1).map_or(Safety::Unknown, |s| classify(s)),
            None => Safety::Unknown,
        },
        w if WRAPPERS.iter().any(|(name, _)| *name == w) => wrapped(w, args),
        b if READ_ONLY.contains(&b) => Safety::ReadOnly,
        b if MUTATING.contains(&b) => Safety::Mutating,
        _ => Safety::Unknown,
    }
}

/// Commands that run the command after them, with their options that take a value (so the
/// value is not taken for the command).
const WRAPPERS: &[(&str, &[&str])] = &[
    ("env", &["-u", "--unset", "-C", "--chdir"]),
    ("nice", &["-n", "--adjustment"]),
    ("ionice", &["-c", "-n", "--class", "--classdata"]),
    ("nohup", &[]),
    ("stdbuf", &["-i", "-o", "-e"]),
    ("timeout", &["-s", "--signal", "-k", "--kill-after"]),
    ("xargs", &["-n", "-I", "-L", "-P", "-d", "-s", "-E", "-a", "--max-args", "--max-procs", "--delimiter"]),
    ("sudo", &["-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-D", "--user", "--group"]),
    ("doas", &["-u", "-C"]),
    ("watch", &["-n", "--interval"]),
    ("time", &["-f", "--format"]),
    ("exec", &["-a"]),
    ("command", &[]),
    ("builtin", &[]),
];

fn wrapped(wrapper: &str, args: &[String]) -> Safety {
    let takes_value = WRAPPERS.iter().find(|(w, _)| *w == wrapper).map_or(&[][..], |(_, v)| *v);
    // GNU time's `-o FILE` and env's `-S STRING` do more than wrap.
    if (wrapper == "time" && args.iter().any(|a| a == "-o" || a.starts_with("--output")))
        || (wrapper == "env" && args.iter().any(|a| a.starts_with("-S") || a.starts_with("--split-string")))
    {
        return if wrapper == "time" { Safety::Mutating } else { Safety::Unknown };
    }
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if takes_value.contains(&a.as_str()) {
            i += 2;
        } else if a.starts_with('-') || (wrapper == "env" && a.contains('=')) {
            i += 1;
        } else if wrapper == "timeout" && a.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            i += 1; // the duration
        } else {
            break;
        }
    }
    let inner = match args.get(i) {
        // `env` alone prints the environment; the others alone do nothing.
        None => Safety::ReadOnly,
        // `watch "kubectl get pods"`: one word holding a whole command.
        Some(cmd) if cmd.contains(char::is_whitespace) && i + 1 == args.len() => classify(cmd),
        Some(cmd) => simple(cmd, &args[i + 1..]),
    };
    if matches!(wrapper, "sudo" | "doas") { inner.max(Safety::Unknown) } else { inner }
}

/// awk reads, unless its program runs commands (`system()`, `| getline`, `print | "cmd"`) or
/// writes files (`print > "file"`), or the program is a file nobody has shown.
fn awk(args: &[String]) -> Safety {
    static EFFECTS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"system\s*\(|\|\s*getline|\|&|\bprintf?\b[^;}]*(>|\|)\s*["$a-zA-Z(]"#).unwrap()
    });
    if args.iter().any(|a| a == "-f" || a.starts_with("--file") || a == "-i" || a == "--include") {
        return Safety::Unknown;
    }
    let program = args.iter().find(|a| !a.starts_with('-'));
    if program.is_some_and(|p| EFFECTS.is_match(p)) { Safety::Unknown } else { Safety::ReadOnly }
}

/// find reads, unless it deletes, writes lists to files or runs a command per match.
fn find(args: &[String]) -> Safety {
    if args.iter().any(|a| matches!(a.as_str(), "-delete" | "-fprint" | "-fprint0" | "-fprintf" | "-fls")) {
        return Safety::Mutating;
    }
    match args.iter().position(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")) {
        Some(i) => {
            let end = args[i + 1..]
                .iter()
                .position(|a| a == ";" || a == "\\;" || a == "+")
                .map_or(args.len(), |e| i + 1 + e);
            match args.get(i + 1) {
                Some(cmd) => simple(cmd, &args[i + 2..end.max(i + 2)]).max(Safety::Unknown),
                None => Safety::Unknown,
            }
        }
        None => Safety::ReadOnly,
    }
}

/// Fenced shell blocks of a markdown answer, classified, with the sentence before each as its
/// purpose.
pub fn extract(markdown: &str) -> Vec<Script> {
    let mut out = Vec::new();
    let mut lines = markdown.lines().peekable();
    let mut previous = String::new();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            let lang = lang.trim().to_lowercase();
            let mut code = String::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push_str(l);
                code.push('\n');
            }
            if matches!(lang.as_str(), "bash" | "sh" | "shell" | "console" | "zsh" | "")
                && !code.trim().is_empty()
            {
                let purpose = previous
                    .trim()
                    .trim_end_matches(':')
                    .trim_start_matches(['-', '*', '_'])
                    .trim()
                    .to_string();
                out.push(Script {
                    language: if lang.is_empty() { "bash".into() } else { lang },
                    safety: classify(&code),
                    code: code.trim_end().to_string(),
                    purpose,
                });
            }
        } else if !trimmed.is_empty() {
            previous = trimmed.to_string();
        }
    }
    out
}

#[cfg(test)]
mod tests;

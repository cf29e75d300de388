//! Data flows one way, and the compiler and this test keep it so.
//!
//! `ARCHITECTURE.md` says data flows one way: syntax → the checked rule set → evaluation
//! and reports → the engine → the analyses → render, SQL, the language server and the
//! command. Between crates Cargo enforces it: a crate cannot name a crate above it, and
//! [`CRATES`] lists each crate with the crates it may depend on, checked against its
//! `Cargo.toml`. Inside a crate nothing in the compiler does, so this test reads every
//! `src/**/*.rs` of each crate, finds each reference from one top-level module to another
//! (`crate::name…` in `use` trees and paths, `super::` chains that climb out of a
//! top-level module, and names the crate root re-exports), and fails on any reference
//! that points up the crate's layers (so there is no import cycle among its top-level
//! modules), naming the file and line. A module missing from its crate's layers fails
//! too, so a new module has to be placed before it can land.
//!
//! Comments (doc links included), strings and character literals are blanked before the
//! scan: only code counts. Unit tests inside a module count like the module's code, so a
//! low layer's tests cannot reach up either.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// A crate of the workspace: its directory, the workspace crates it may depend on, and
/// its top-level modules from the bottom layer to the top (a module may refer only to
/// modules listed before it).
struct Crate {
    dir: &'static str,
    name: &'static str,
    depends_on: &'static [&'static str],
    layers: &'static [&'static str],
}

/// Every crate of the workspace, from the bottom to the top.
const CRATES: &[Crate] = &[
    Crate {
        dir: "crates/syntax",
        name: "crossfoot-syntax",
        depends_on: &[],
        layers: &[
            // The number type, spelling suggestions, source text, the smallest vocabulary.
            "number", "spelling", "source", "line", "date", "amount", "lexer",
            // Rule text → AST, and back.
            "error", "ast", "hints", "print", "parser", "format",
        ],
    },
    Crate {
        dir: "crates/core",
        name: "crossfoot-core",
        depends_on: &["crossfoot-syntax"],
        layers: &[
            // What every problem shares; the one guard between crossfoot and the file
            // system; threads; YAML events; units.
            "problem",
            "files",
            "parallel",
            "yaml",
            "unit",
            // The compiler: AST → the checked rule set.
            "compile",
            // The one evaluator, and the diagnostic of one result.
            "eval",
            "diagnostic",
            // Waivers, rule packs and reports (each with its own error type), the error
            // of a whole run above them, rule files.
            "waiver",
            "pack",
            "report",
            "error",
            "load",
            // A rule set checking reports.
            "engine",
            // The analyses.
            "root_cause",
            "coverage",
            "diff",
            "testing",
            "record",
        ],
    },
    Crate {
        dir: "crates/sql",
        name: "crossfoot-sql",
        depends_on: &["crossfoot-syntax", "crossfoot-core"],
        layers: &["error", "expr"],
    },
    Crate {
        dir: "crates/prove",
        name: "crossfoot-prove",
        depends_on: &["crossfoot-syntax", "crossfoot-core"],
        layers: &[
            "error", "smt", "solver", "encode", "parts", "witness", "suggest", "render",
        ],
    },
    Crate {
        dir: "crates/render",
        name: "crossfoot-render",
        depends_on: &["crossfoot-syntax", "crossfoot-core"],
        layers: &[
            "text", "warning", "excerpt", "coverage", "explain", "book", "human", "findings",
            "json", "csv", "diff", "github", "junit", "sarif", "html",
        ],
    },
    Crate {
        dir: "crates/lsp",
        name: "crossfoot-lsp",
        depends_on: &["crossfoot-syntax", "crossfoot-core", "crossfoot-render"],
        layers: &[
            "error",
            "uri",
            "text",
            "index",
            "words",
            "diagnostics",
            "transport",
            "workspace",
            "edit",
            "complete",
            "navigate",
            "server",
        ],
    },
    Crate {
        dir: "crates/cli",
        name: "crossfoot-cli",
        depends_on: &[
            "crossfoot-syntax",
            "crossfoot-core",
            "crossfoot-render",
            "crossfoot-sql",
            "crossfoot-prove",
            "crossfoot-lsp",
        ],
        layers: &[
            "textdiff",
            "output",
            "install",
            "authoring",
            "check",
            "verify",
            "test",
            "diff",
        ],
    },
    Crate {
        dir: ".",
        name: "crossfoot",
        depends_on: &[
            "crossfoot-syntax",
            "crossfoot-core",
            "crossfoot-render",
            "crossfoot-cli",
        ],
        layers: &[],
    },
];

/// One reference from a file to another top-level module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

#[test]
fn every_reference_between_top_level_modules_points_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = String::new();
    for krate in CRATES {
        layering(krate, &root.join(krate.dir), &mut problems);
    }
    assert!(problems.is_empty(), "the layering is broken:\n{problems}");
}

#[test]
fn each_crate_depends_only_on_the_crates_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = String::new();
    let mut dirs: Vec<String> = fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| format!("crates/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    dirs.sort();
    for dir in &dirs {
        if !CRATES.iter().any(|c| c.dir == dir) {
            let _ = writeln!(
                problems,
                "`{dir}` is not placed in CRATES in tests/layers.rs"
            );
        }
    }
    for (rank, krate) in CRATES.iter().enumerate() {
        let manifest = fs::read_to_string(root.join(krate.dir).join("Cargo.toml")).unwrap();
        let name_line = format!("name = \"{}\"", krate.name);
        if !manifest.contains(&name_line) {
            let _ = writeln!(problems, "{}/Cargo.toml is not `{}`", krate.dir, krate.name);
        }
        let below: Vec<&str> = CRATES[..rank].iter().map(|c| c.name).collect();
        let mut section = "";
        for line in manifest.lines() {
            if line.starts_with('[') {
                section = if line == "[workspace.dependencies]" {
                    ""
                } else {
                    line
                };
            }
            let Some(dep) = line.split(['.', ' ', '=']).next() else {
                continue;
            };
            if !dep.starts_with("crossfoot-") || !section.ends_with("dependencies]") {
                continue;
            }
            // A test may use any crate below; the code only the crates it names.
            let named = section == "[dev-dependencies]" || krate.depends_on.contains(&dep);
            if !named || !below.contains(&dep) {
                let _ = writeln!(
                    problems,
                    "{}/Cargo.toml: `{}` depends on `{dep}`, which is not listed below it",
                    krate.dir, krate.name
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the crates are out of order:\n{problems}"
    );
}

/// The problems with one crate's layering: unplaced modules, upward references, cycles.
fn layering(krate: &Crate, dir: &Path, problems: &mut String) {
    let (modules, edges) = scan_crate(&dir.join("src"), krate.dir);
    let rank: BTreeMap<&str, usize> = krate
        .layers
        .iter()
        .enumerate()
        .map(|(i, m)| (*m, i))
        .collect();
    for module in &modules {
        if !rank.contains_key(module.as_str()) {
            let _ = writeln!(
                problems,
                "`{module}` of {} is not placed in CRATES in tests/layers.rs",
                krate.name
            );
        }
    }
    for listed in krate.layers {
        if !modules.contains(*listed) {
            let _ = writeln!(
                problems,
                "CRATES lists `{listed}` for {}, which it does not have",
                krate.name
            );
        }
    }
    for edge in &edges {
        let (Some(from), Some(to)) = (rank.get(edge.from.as_str()), rank.get(edge.to.as_str()))
        else {
            continue;
        };
        if to >= from {
            let _ = writeln!(
                problems,
                "{}:{}: `{}` refers to `{}`, which is not below it",
                edge.file, edge.line, edge.from, edge.to
            );
        }
    }
    for cycle in cycles(&edges) {
        let _ = writeln!(
            problems,
            "{}: import cycle: {}",
            krate.name,
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_scan_finds_each_kind_of_reference() {
    let text = r#"
        //! `crate::cli` in a comment does not count
        use crate::{amount::Amount, eval::{Value, RoundMode}};
        use super::super::engine::Outcome;
        fn f() -> crate::render::Thing { let s = "crate::lsp"; let c = '{'; $crate::x; }
        use super::RuleSet;
        mod tests {
            use super::*;
            use super::super::Error;
        }
    "#;
    let roots = BTreeMap::from([("RuleSet".to_owned(), "check".to_owned())]);
    let modules: BTreeSet<String> = ["amount", "eval", "engine", "render", "check", "cli", "lsp"]
        .map(str::to_owned)
        .into();
    let mut edges = Vec::new();
    // As if in `src/report/csv.rs`: one `super` is `report`, two are the crate root.
    scan_text(
        text,
        &["report", "csv"],
        "x.rs",
        &modules,
        &roots,
        &mut edges,
    );
    let found: Vec<(&str, usize)> = edges.iter().map(|e| (e.to.as_str(), e.line)).collect();
    assert_eq!(
        found,
        [("amount", 3), ("eval", 3), ("engine", 4), ("render", 5)]
    );

    // As if in `src/report.rs`: one `super` is the crate root, and `tests` climbs back.
    edges.clear();
    scan_text(text, &["report"], "x.rs", &modules, &roots, &mut edges);
    let found: Vec<(&str, usize)> = edges.iter().map(|e| (e.to.as_str(), e.line)).collect();
    assert_eq!(
        found,
        [("amount", 3), ("eval", 3), ("render", 5), ("check", 6)],
        "from a top-level file one `super` is the root, and two climb out of the crate"
    );
}

#[test]
fn an_upward_reference_is_caught() {
    let modules: BTreeSet<String> = ["eval", "engine"].map(str::to_owned).into();
    let mut edges = Vec::new();
    let text = "use crate::engine::Outcome;\nfn f() { let _ = crate::eval::x; }\n";
    scan_text(
        text,
        &["eval", "root_cause"],
        "src/eval/root_cause.rs",
        &modules,
        &BTreeMap::new(),
        &mut edges,
    );
    let text = "use crate::eval::Value;\n";
    scan_text(
        text,
        &["engine"],
        "src/engine.rs",
        &modules,
        &BTreeMap::new(),
        &mut edges,
    );
    assert_eq!(
        edges.len(),
        2,
        "the reference from eval to itself is not an edge"
    );
    assert_eq!(cycles(&edges), [vec!["engine", "eval", "engine"]]);
}

/// Every top-level module of a crate's `src/` and every reference between two of them.
fn scan_crate(src: &Path, dir: &str) -> (BTreeSet<String>, Vec<Edge>) {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let lib_tokens = tokens(&blank(&lib));
    let modules = declared_modules(&lib_tokens);
    let roots = root_reexports(&lib_tokens);
    let mut edges = Vec::new();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    for file in files {
        let relative = file.strip_prefix(src).unwrap_or(&file);
        let Some(path) = module_path(relative) else {
            continue;
        };
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let shown = Path::new(dir)
            .join("src")
            .join(relative)
            .display()
            .to_string();
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        scan_text(&text, &path, &shown, &modules, &roots, &mut edges);
    }
    edges.sort();
    (modules, edges)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path a file under `src/` defines: `check/resolve.rs` is `check::resolve`,
/// `check/mod.rs` is `check`. The crate roots (`lib.rs`, `main.rs`) are not modules.
fn module_path(relative: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [] => None,
        [only] if only == "lib" || only == "main" => None,
        _ => Some(parts),
    }
}

/// Code with comments, strings and character literals blanked to spaces; line breaks kept
/// so lines still count.
fn blank(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let keep = |c: char| if c == '\n' { '\n' } else { ' ' };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = at(i);
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep(at(i)));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (i == 0 || !ident(at(i - 1)) || (at(i - 1) == 'b' && (i < 2 || !ident(at(i - 2)))))
            && matches!(at(i + 1), '#' | '"')
            && {
                let mut j = i + 1;
                while at(j) == '#' {
                    j += 1;
                }
                at(j) == '"'
            }
        {
            let mut hashes = 0;
            i += 1;
            out.push(' ');
            while at(i) == '#' {
                hashes += 1;
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
            while i < chars.len() {
                if at(i) == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(keep(at(i)));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() {
                if at(i) == '\\' {
                    out.push(' ');
                    out.push(keep(at(i + 1)));
                    i += 2;
                } else if at(i) == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(keep(at(i)));
                    i += 1;
                }
            }
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal, not a lifetime.
            out.push(' ');
            i += 1;
            while i < chars.len() && at(i) != '\'' {
                if at(i) == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Identifiers, `::` and single punctuation, each with its line.
fn tokens(code: &str) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::from(c);
            while let Some(&next) = chars.peek() {
                if next.is_alphanumeric() || next == '_' {
                    word.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((Token::Ident(word), line));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.push((Token::PathSep, line));
        } else if !c.is_whitespace() {
            out.push((Token::Punct(c), line));
        }
    }
    out
}

fn ident(tokens: &[(Token, usize)], i: usize) -> Option<&str> {
    match tokens.get(i) {
        Some((Token::Ident(word), _)) => Some(word),
        _ => None,
    }
}

fn is(tokens: &[(Token, usize)], i: usize, want: &Token) -> bool {
    tokens.get(i).is_some_and(|(t, _)| t == want)
}

/// The modules `lib.rs` declares with `mod name;`.
fn declared_modules(lib: &[(Token, usize)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for i in 0..lib.len() {
        if ident(lib, i) == Some("mod") && is(lib, i + 2, &Token::Punct(';')) {
            if let Some(name) = ident(lib, i + 1) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// Names the crate root re-exports (`pub use engine::{Engine, Outcome};`), each with the
/// module it comes from.
fn root_reexports(lib: &[(Token, usize)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < lib.len() {
        if ident(lib, i) == Some("use") {
            let Some(module) = ident(lib, i + 1) else {
                i += 1;
                continue;
            };
            let mut j = i + 1;
            while j < lib.len() && !is(lib, j, &Token::Punct(';')) {
                if let Some(name) = ident(lib, j) {
                    let leaf = !is(lib, j + 1, &Token::PathSep) && ident(lib, j + 1) != Some("as");
                    if leaf && j > i + 1 && name != "self" {
                        out.insert(name.to_owned(), module.to_owned());
                    }
                }
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    out
}

/// The first segment of each path a `{ … }` group starting at `open` holds, and where the
/// group ends.
fn group_heads(tokens: &[(Token, usize)], open: usize) -> (Vec<(String, usize)>, usize) {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut i = open;
    while i < tokens.len() {
        let Some((token, _)) = tokens.get(i) else {
            break;
        };
        match token {
            Token::Punct('{') => {
                depth += 1;
                if depth == 1 {
                    push_head(tokens, i + 1, &mut heads);
                }
            }
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return (heads, i);
                }
            }
            Token::Punct(',') if depth == 1 => push_head(tokens, i + 1, &mut heads),
            _ => {}
        }
        i += 1;
    }
    (heads, i)
}

fn push_head(tokens: &[(Token, usize)], i: usize, heads: &mut Vec<(String, usize)>) {
    if let Some((Token::Ident(word), line)) = tokens.get(i) {
        heads.push((word.clone(), *line));
    }
}

/// Adds to `edges` each reference in `text`, a file defining module `path`, to another
/// top-level module.
fn scan_text(
    text: &str,
    path: &[&str],
    file: &str,
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
    edges: &mut Vec<Edge>,
) {
    let toks = tokens(&blank(text));
    let own = path.first().copied().unwrap_or_default();
    // The module path at each `{`: the file's, plus any inline `mod name { … }`.
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut add = |name: &str, line: usize| {
        let target = if modules.contains(name) {
            Some(name)
        } else {
            roots.get(name).map(String::as_str)
        };
        if let Some(to) = target.filter(|to| *to != own) {
            edges.push(Edge {
                from: own.to_owned(),
                to: to.to_owned(),
                file: file.to_owned(),
                line,
            });
        }
    };
    let mut i = 0;
    while i < toks.len() {
        let Some((token, line)) = toks.get(i) else {
            break;
        };
        let line = *line;
        match token {
            Token::Punct('{') => {
                let inline = (i >= 2 && ident(&toks, i - 2) == Some("mod"))
                    .then(|| ident(&toks, i - 1).map(str::to_owned))
                    .flatten();
                stack.push(inline);
            }
            Token::Punct('}') => {
                stack.pop();
            }
            Token::Ident(word) if (word == "crate" || word == "super") => {
                let starts = i == 0
                    || !(is(&toks, i - 1, &Token::PathSep) || is(&toks, i - 1, &Token::Punct('$')));
                if starts && is(&toks, i + 1, &Token::PathSep) {
                    // How deep the module is below the root here, and how far the path climbs.
                    let depth = path.len() + stack.iter().flatten().count();
                    let mut j = i;
                    let mut climb = 0;
                    if word == "super" {
                        while ident(&toks, j) == Some("super") && is(&toks, j + 1, &Token::PathSep)
                        {
                            climb += 1;
                            j += 2;
                        }
                        j -= 1;
                    } else {
                        climb = depth;
                        j += 1;
                    }
                    j += 1; // past the last `::`
                    if climb == depth {
                        if is(&toks, j, &Token::Punct('{')) {
                            let (heads, end) = group_heads(&toks, j);
                            for (name, line) in heads {
                                add(&name, line);
                            }
                            i = end;
                            continue;
                        }
                        if let Some(name) = ident(&toks, j) {
                            add(name, line);
                        }
                    }
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Each cycle among the edges' modules (one per strongly connected group of two or more),
/// written as a closed walk.
fn cycles(edges: &[Edge]) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in edges {
        next.entry(edge.from.as_str())
            .or_default()
            .insert(edge.to.as_str());
    }
    let reaches = |from: &str, to: &str| -> Option<Vec<String>> {
        // Breadth first, so the walk shown is a shortest one.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            for &n in next.get(at).into_iter().flatten() {
                if n == to {
                    let mut walk = vec![to.to_owned(), at.to_owned()];
                    let mut back = at;
                    while back != from {
                        back = parent.get(back).copied().unwrap_or(from);
                        walk.push(back.to_owned());
                    }
                    walk.reverse();
                    return Some(walk);
                }
                if n != from && !parent.contains_key(n) {
                    parent.insert(n, at);
                    queue.push_back(n);
                }
            }
        }
        None
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for &module in next.keys() {
        if seen.contains(module) {
            continue;
        }
        if let Some(walk) = reaches(module, module) {
            seen.extend(walk.iter().cloned());
            out.push(walk);
        }
    }
    out
}

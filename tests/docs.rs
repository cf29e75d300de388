//! The documents generated from the code are current, and the numbers the docs quote are
//! what the commands print: `docs/cli.md` is the CLI reference rendered from the clap
//! definitions (`UPDATE_DOCS=1 cargo test --test docs` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::root;

/// `path` (under the crate root) holds `generated`; with `UPDATE_DOCS=1`, it is written.
fn current(path: &str, generated: &str) {
    let file = root().join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "{path} is not current (first difference at line {}): regenerate it with \
             `UPDATE_DOCS=1 cargo test --test docs` and commit it",
            first + 1
        );
    }
}

// The reference lists every command of the default build, `lsp` included.
#[cfg(feature = "lsp")]
#[test]
fn the_cli_reference_is_generated_from_the_arguments() {
    current("docs/cli.md", &crossfoot_cli::reference_markdown());
}

/// The Markdown files a reader follows links through.
fn documents() -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = [
        "README.md",
        "ARCHITECTURE.md",
        "CONTRIBUTING.md",
        "CHANGELOG.md",
        "benches/README.md",
        "examples/sec/README.md",
        "editors/vscode/README.md",
        "fuzz/README.md",
    ]
    .iter()
    .map(|path| root().join(path))
    .collect();
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// GitHub's anchor for a heading: lowercase, punctuation dropped (but `-` and `_`),
/// spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.push(slug(line.trim_start_matches('#')));
        }
    }
    found
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for file in documents() {
        let text = std::fs::read_to_string(&file).unwrap();
        let dir = file.parent().unwrap();
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            for piece in line.split("](").skip(1) {
                let Some(end) = piece.find(')') else { continue };
                let target = &piece[..end];
                if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                    continue;
                }
                let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
                let linked = if path.is_empty() {
                    file.clone()
                } else {
                    dir.join(path)
                };
                let shown = format!("{}: {target}", file.strip_prefix(root()).unwrap().display());
                let relative = linked
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.strip_prefix(root()).ok().map(|p| p.display().to_string()));
                if !linked.exists() {
                    broken.push(format!("{shown} (no such file)"));
                    continue;
                }
                if !anchor.is_empty() && linked.extension().is_some_and(|e| e == "md") {
                    let target_text = std::fs::read_to_string(&linked).unwrap();
                    if !anchors(&target_text).iter().any(|a| a == anchor) {
                        broken.push(format!("{shown} (no heading `#{anchor}` in {relative:?})"));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// Each fenced block after `<!-- output of: crossfoot ARGS -->` holds lines `crossfoot
/// ARGS` prints (run from the crate root), in order; `…` stands for lines left out.
/// So the numbers the docs quote are the ones the commands print today.
#[test]
fn quoted_output_is_what_the_command_prints() {
    let mut checked = 0;
    let mut stale = Vec::new();
    for file in documents() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            let Some(command) = line
                .trim()
                .strip_prefix("<!-- output of: crossfoot ")
                .and_then(|rest| rest.strip_suffix("-->"))
            else {
                continue;
            };
            let args: Vec<&str> = command.split_whitespace().collect();
            let block: Vec<&str> = lines[at + 2..]
                .iter()
                .take_while(|line| !line.starts_with("```"))
                .copied()
                .filter(|line| line.trim() != "…")
                .collect();
            assert!(
                lines.get(at + 1).is_some_and(|l| l.starts_with("```")) && !block.is_empty(),
                "{name}:{}: the marker must stand right before a fenced block",
                at + 1
            );
            let output = common::crossfoot(&args);
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let mut printed_lines = printed.lines();
            for expected in &block {
                if !printed_lines.any(|printed| printed.trim_end() == expected.trim_end()) {
                    stale.push(format!(
                        "{name}:{}: `crossfoot {command}` does not print\n  {expected}\nit prints:\n{printed}",
                        at + 1
                    ));
                    break;
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} quoted outputs found");
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// The README's first screen: the two commands a new user types, exactly, and a short
/// page.
#[test]
fn the_readme_starts_with_the_two_commands_and_stays_short() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first: Vec<&str> = readme.lines().take(10).collect();
    assert!(
        first.contains(&"cargo run --release -- check rules/focus examples/hsbc-2020-07.yaml")
            && first.contains(&"cargo test"),
        "{first:#?}"
    );
    let install = readme.lines().take(25).collect::<Vec<_>>().join("\n");
    assert!(install.contains("cargo install --path ."), "{install}");
    assert!(install.contains("cargo install --git"), "{install}");
    let count = readme.lines().count();
    assert!(
        count <= 300,
        "README.md has {count} lines; the rest belongs in docs/"
    );
}

/// The README's failure diagnostic is what `check` prints for the shipped example with
/// line 7190 one dollar too high.
#[test]
fn the_readme_failure_is_what_check_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```text\nseg.excess\n").unwrap() + "```text\n".len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let filing = std::fs::read_to_string(root().join("examples/hsbc-2020-07.yaml")).unwrap();
    let broken = filing.replace("7190: 198161467", "7190: 198161468");
    assert_ne!(broken, filing);
    let (_dir, dir) = common::scratch(&[("hsbc-2020-07.yaml", &broken)]);
    let report = dir.join("hsbc-2020-07.yaml");
    let output = common::crossfoot(&[
        "check",
        "--color",
        "never",
        "rules/focus",
        report.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let printed = common::stdout(&output);
    assert!(
        printed.contains(shown),
        "README shows:\n{shown}\ncheck prints:\n{printed}"
    );
}

/// The README's walkthrough, as written: the rule file its shell snippet writes passes
/// `crossfoot test --mutate` and checks the shipped example.
#[test]
fn the_readme_walkthrough_works() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("<<'EOF'\n").unwrap() + "<<'EOF'\n".len();
    let rule = &readme[start..start + readme[start..].find("\nEOF\n").unwrap() + 1];
    let (_dir, dir) = common::scratch(&[("myrules/seg.xfoot", rule)]);
    let test = common::crossfoot_in(&dir, &["test", "myrules", "--mutate"]);
    assert_eq!(test.status.code(), Some(0), "{}", common::seen(&test));
    let filing = root().join("examples/hsbc-2020-07.yaml");
    let check = common::crossfoot_in(&dir, &["check", "myrules", filing.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", common::seen(&check));
}

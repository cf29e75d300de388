//! What installing the command needs besides the binary: `crossfoot completions SHELL`
//! prints a completion script for each shell clap_complete knows, and `crossfoot man`
//! prints roff man pages, all from the same argument definitions as `--help`.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::process::Command;

use common::{crossfoot, seen, stdout};

/// Every command, as a completion script or the man page must know it.
const COMMANDS: &[&str] = &[
    "check",
    "lint",
    "fmt",
    "explain",
    "coverage",
    "diff",
    "verify-record",
    "doc",
    "sql",
    "test",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = crossfoot(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", seen(&output));
        assert!(output.stderr.is_empty(), "{shell}: {}", seen(&output));
        let script = stdout(&output);
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} lacks `{command}`");
        }
        assert!(script.contains("--format"), "{shell} lacks the options");
        // The values of an option complete too, where the shell's script lists them.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(
                script.contains("sarif"),
                "{shell} lacks the --format values"
            );
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let output = crossfoot(&["completions", "bash"]);
    let script = stdout(&output);
    assert!(script.contains("complete -F _crossfoot"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crossfoot.bash");
    std::fs::write(&path, &script).unwrap();
    // `bash -n` parses without running; every machine that has cargo has bash.
    let parsed = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
}

#[test]
fn an_unknown_shell_is_refused_with_the_known_ones() {
    let output = crossfoot(&["completions", "tcsh"]);
    insta::assert_snapshot!(seen(&output), @r"
    exit code: 2
    --- stdout
    --- stderr
    error: invalid value 'tcsh' for '<SHELL>'
      [possible values: bash, elvish, fish, powershell, zsh]

      tip: a similar value exists: 'zsh'

    For more information, try '--help'.
    ");
}

#[test]
fn the_man_page_lists_every_command_with_exit_status() {
    let output = crossfoot(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH crossfoot 1 "), "{page}");
    assert!(page.contains(".SH NAME\ncrossfoot \\- "), "{page}");
    for command in COMMANDS {
        let roff = format!("crossfoot\\-{}(1)", command.replace('-', "\\-"));
        assert!(page.contains(&roff), "the page lacks {roff}");
    }
    assert!(page.contains(".SH \"EXIT STATUS\"\n.TP\n0\n"), "{page}");
    assert!(
        page.contains("crossfoot check rules/focus examples/hsbc\\-2020\\-07.yaml"),
        "{page}"
    );
}

#[test]
fn a_command_has_its_own_man_page_with_its_options() {
    let output = crossfoot(&["man", "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH crossfoot-check 1 "), "{page}");
    assert!(page.contains("\\fB\\-\\-format\\fR"), "{page}");
    assert!(page.contains("[default: human]"), "{page}");
    assert!(page.contains(".SH \"SEE ALSO\"\ncrossfoot(1)"), "{page}");
    // Every command has one.
    for command in COMMANDS {
        let output = crossfoot(&["man", command]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{command}: {}",
            seen(&output)
        );
    }
}

#[test]
fn a_man_page_for_no_such_command_says_which_there_are() {
    let output = crossfoot(&["man", "chek"]);
    insta::assert_snapshot!(seen(&output), @r"
    exit code: 2
    --- stdout
    --- stderr
    error: `chek` is not a command of crossfoot; one of: check, lint, fmt, explain, coverage, diff, prove, changes, verify-record, doc, sql, test, lsp, completions, man
    ");
}

#[test]
fn the_man_page_renders_without_warnings_where_man_is_installed() {
    let output = crossfoot(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crossfoot.1");
    std::fs::write(&path, &output.stdout).unwrap();
    // groff is part of man-db on Debian; where it is absent there is nothing to render.
    let Ok(rendered) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&path)
        .output()
    else {
        return;
    };
    assert!(rendered.status.success());
    assert_eq!(String::from_utf8_lossy(&rendered.stderr), "");
}

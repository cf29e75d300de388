//! What installing the command needs besides the binary: shell completions, the man pages
//! and the CLI reference in `docs/cli.md`, all generated from the clap definitions so
//! they cannot drift from the arguments the command accepts.

use std::fmt::Write as _;
use std::io::{self, Write};

use clap::CommandFactory;

use super::{Cli, CompletionsArgs, EXIT_STATUS, ExitStatus, ManArgs};

/// `crossfoot completions SHELL`: the completion script for that shell on stdout.
pub fn completions(args: &CompletionsArgs) -> io::Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "crossfoot", &mut out);
    let mut stdout = io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitStatus::Pass)
}

/// `crossfoot man [COMMAND]`: the roff man page of `crossfoot` (section 1), or of one of
/// its commands (`crossfoot-check(1)`), on stdout.
pub fn man(args: &ManArgs) -> io::Result<ExitStatus> {
    let command = Cli::command();
    let (page, top) = match &args.command {
        None => (command, true),
        Some(name) => {
            let Some(sub) = command
                .find_subcommand(name)
                .filter(|sub| !sub.is_hide_set())
                .cloned()
            else {
                let _ = writeln!(
                    io::stderr(),
                    "error: `{name}` is not a command of crossfoot; one of: {}",
                    command_names().join(", ")
                );
                return Ok(ExitStatus::Error);
            };
            let full = format!("crossfoot-{}", sub.get_name());
            let sub = sub
                .name(full.clone())
                .bin_name(full)
                .version(env!("CARGO_PKG_VERSION"));
            (sub, false)
        }
    };
    let out = man_page(page, top)?;
    let mut stdout = io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitStatus::Pass)
}

/// The roff page of `command`: clap's sections, then the examples, the exit status and
/// the pages to see also (`top`: the page of `crossfoot` itself).
fn man_page(command: clap::Command, top: bool) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let examples = command.get_after_help().map(|text| text.to_string());
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if command.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(examples) = examples {
        let examples = examples.trim_end();
        let examples = examples
            .strip_suffix(EXIT_STATUS)
            .unwrap_or(examples)
            .trim_end();
        let examples = examples.strip_prefix("Examples:\n").unwrap_or(examples);
        let examples = examples.strip_prefix("Example:\n").unwrap_or(examples);
        writeln!(out, ".SH EXAMPLES\n.nf")?;
        for line in examples.lines() {
            writeln!(out, "{}", roff_text(line.trim_start()))?;
        }
        writeln!(out, ".fi")?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in [
        (
            "0",
            "Every rule holds (or was skipped), or the command had nothing to report.",
        ),
        (
            "1",
            "A rule of severity error failed (with --deny warnings, a warning rule too), or the command found what it looks for: a file not in canonical form, a failing example, a change of meaning, a record that does not match.",
        ),
        (
            "2",
            "The rules or an input could not be used, a rule's arithmetic failed, or the arguments are wrong.",
        ),
    ] {
        writeln!(out, ".TP\n{code}\n{}", roff_text(meaning))?;
    }
    writeln!(out, ".SH \"SEE ALSO\"")?;
    if top {
        writeln!(
            out,
            "crossfoot\\-COMMAND(1), printed by \\fBcrossfoot man COMMAND\\fR; the guide and references in the docs/ directory of the source."
        )?;
    } else {
        writeln!(out, "crossfoot(1)")?;
    }
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Text for a roff body line: backslashes and hyphens escaped, and a leading `.` or `'`
/// kept from being read as a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// The names of the commands `crossfoot man` has a page for.
fn command_names() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_owned())
        .collect()
}

/// The CLI reference (`docs/cli.md`): every command with its usage, arguments and
/// options, their defaults and possible values, from the clap definitions; then the exit
/// codes and streams. A test compares it with the committed file.
pub fn reference_markdown() -> String {
    let command = Cli::command();
    let mut md = String::new();
    md.push_str(
        "# Command-line reference\n\n\
         <!-- Generated from the clap definitions in crates/cli/src/lib.rs by\n     \
         `UPDATE_DOCS=1 cargo test --test docs`; do not edit by hand. -->\n\n",
    );
    md.push_str(&format!(
        "`crossfoot` {}. {}\n\n",
        env!("CARGO_PKG_VERSION"),
        about(&command)
    ));
    md.push_str("```text\ncrossfoot <COMMAND> [OPTIONS] [ARGS]\n```\n\n");
    md.push_str(
        "`crossfoot --help` and `crossfoot COMMAND --help` print the same text; \
         `crossfoot man` prints it as a man page.\n\n",
    );
    md.push_str(EXIT_AND_STREAMS);
    md.push_str("\n## Commands\n\n| command | what it does |\n|---|---|\n");
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let _ = writeln!(
            md,
            "| [`{}`](#crossfoot-{}) | {} |",
            sub.get_name(),
            sub.get_name(),
            first_sentence(&about(sub))
        );
    }
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        md.push('\n');
        command_section(&mut md, sub);
    }
    md
}

/// Exit codes and streams: the part of the reference clap does not know.
const EXIT_AND_STREAMS: &str = "\
## Exit codes

| code | meaning |
|---|---|
| 0 | every rule holds (or was skipped); for `lint`, `fmt --check`, `test`, `diff`, `doc --check`: nothing to report |
| 1 | a rule of severity `error` failed (with `--deny warnings`, a `warning` rule too); `explain`: a rule explained fails; `fmt --check` / `doc --check`: a file is not current; `test`: an example, a whole-report test or a mutant failed; `diff`: the meaning changed; `verify-record`: the record does not match |
| 2 | the rules or an input could not be used, a rule's arithmetic failed (overflow, division by zero), or the arguments are wrong |

`lsp` follows the protocol instead: 0 after `shutdown` and `exit`, 1 otherwise.

## Streams

Results go to standard output: diagnostics and summaries, or the `--format` output
(JSON, SARIF, …) when no `--output` file is given. Problems with the inputs (a rule file
that does not parse, a report that cannot be read, warnings about the rules) go to
standard error. A run that cannot use its inputs prints nothing on standard output that
looks like a pass. A reader that stops early (`crossfoot check … | head`) ends the run
quietly with its exit status.

`--color auto` (the default) colours only a terminal, and respects `NO_COLOR`.
";

/// One command's section: its description, usage, arguments and options.
fn command_section(md: &mut String, command: &clap::Command) {
    let name = command.get_name();
    let _ = writeln!(md, "## `crossfoot {name}`\n");
    let long = command
        .get_long_about()
        .or(command.get_about())
        .map(ToString::to_string)
        .unwrap_or_default();
    if !long.is_empty() {
        let _ = writeln!(md, "{}\n", sentence(&long));
    }
    let mut usage = command.clone().bin_name(format!("crossfoot {name}"));
    let usage = usage.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ");
    let _ = writeln!(md, "```text\n{usage}\n```\n");
    let positionals: Vec<_> = command
        .get_positionals()
        .filter(|arg| !arg.is_hide_set())
        .collect();
    if !positionals.is_empty() {
        md.push_str("Arguments:\n\n");
        for arg in positionals {
            let name = arg
                .get_value_names()
                .and_then(|names| names.first())
                .map_or_else(
                    || arg.get_id().to_string().to_uppercase(),
                    ToString::to_string,
                );
            argument_item(md, &format!("`{name}`"), arg);
        }
        md.push('\n');
    }
    let options: Vec<_> = command
        .get_arguments()
        .filter(|arg| !arg.is_positional() && !arg.is_hide_set())
        .collect();
    md.push_str("Options:\n\n");
    for arg in options {
        let mut flag = String::new();
        if let Some(short) = arg.get_short() {
            let _ = write!(flag, "`-{short}`, ");
        }
        if let Some(long) = arg.get_long() {
            let _ = write!(flag, "`--{long}");
            if arg.get_action().takes_values() {
                let value = arg
                    .get_value_names()
                    .and_then(|names| names.first())
                    .map_or_else(
                        || arg.get_id().to_string().to_uppercase(),
                        ToString::to_string,
                    );
                let _ = write!(flag, " <{value}>");
            }
            flag.push('`');
        }
        argument_item(md, &flag, arg);
    }
    md.push_str("- `-h`, `--help`: Print help.\n");
    if let Some(after) = command.get_after_help() {
        let _ = writeln!(md, "\n```text\n{}\n```", after.to_string().trim());
    }
}

/// One argument: its name, help and default, then its possible values.
fn argument_item(md: &mut String, name: &str, arg: &clap::Arg) {
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(ToString::to_string)
        .unwrap_or_default();
    let _ = write!(md, "- {name}: {}", sentence(&help.replace('\n', " ")));
    let defaults: Vec<_> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        let _ = write!(md, " Default: `{}`.", defaults.join(" "));
    }
    if arg.is_required_set() && !arg.is_positional() {
        md.push_str(" Required.");
    }
    md.push('\n');
    if arg.get_action().takes_values() {
        for value in arg.get_possible_values() {
            if value.is_hide_set() {
                continue;
            }
            match value.get_help() {
                Some(help) => {
                    let _ = writeln!(
                        md,
                        "  - `{}`: {}",
                        value.get_name(),
                        sentence(&help.to_string())
                    );
                }
                None => {
                    let _ = writeln!(md, "  - `{}`", value.get_name());
                }
            }
        }
    }
}

/// Help text as a sentence: trimmed, with a final period.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() || text.ends_with(['.', '?', '!']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// A command's one-line description.
fn about(command: &clap::Command) -> String {
    command
        .get_about()
        .map(|about| about.to_string().trim().replace('\n', " "))
        .unwrap_or_default()
}

/// The text up to its first `. ` or its end, for a table cell.
fn first_sentence(text: &str) -> String {
    let text = text.replace('|', "\\|");
    match text.find(". ") {
        Some(end) => text.get(..=end).unwrap_or(&text).to_owned(),
        None => text,
    }
}

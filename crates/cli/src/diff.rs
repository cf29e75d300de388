//! `crossfoot diff OLD NEW [--reports PATH...]`: what a rule-set change means.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::{
    ChangesArgs, DiffArgs, DiffFormat, ExitStatus, ProveArgs, not_one, use_color, write_problems,
};
use crossfoot_core::compile::RuleSet;
use crossfoot_core::diff::{
    Days, Flip, LineChange, RuleChange, changes_between, diff, diff_lines, flips,
};
use crossfoot_core::engine::{Engine, ReportResult};
use crossfoot_core::error::Error;
use crossfoot_core::load::load_rules;
use crossfoot_core::report::{InputFormat, Inputs, names, read_inputs};
use crossfoot_render::Human;

#[derive(Serialize)]
struct Output<'a> {
    changes: &'a [RuleChange],
    /// The catalogue's changes, when there are some.
    #[serde(skip_serializing_if = "<[LineChange]>::is_empty")]
    lines: &'a [LineChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    flips: Option<&'a [Flip]>,
}

/// `crossfoot diff`: exit 0 when nothing changed in meaning, 1 when something did.
pub fn run(args: &DiffArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    if let Some(problem) = revision_second(args) {
        write_problems(&problems, &[problem], &mut err)?;
        return Ok(ExitStatus::Error);
    }
    // `--sheet` and `--map` read reports: without `--reports` they would do nothing.
    let format = args.input_format.map(InputFormat::from);
    if let Err(problem) = args.reading.column_map(&args.reports, format) {
        write_problems(&problems, &[problem], &mut err)?;
        return Ok(ExitStatus::Error);
    }
    let old = if !args.old.exists() && args.new.exists() {
        // `crossfoot diff main rules/`: OLD is a git revision of NEW's path.
        let revision = args.old.to_string_lossy();
        crossfoot_core::load::git_sources(&revision, &args.new)
            .map_err(|error| vec![error])
            .and_then(crossfoot_core::load::check_sources)
    } else {
        load_rules(&args.old)
    };
    let (old, new) = match (old, load_rules(&args.new)) {
        (Ok(old), Ok(new)) => (old.rules, new.rules),
        (old, new) => {
            let errors: Vec<Error> = old.err().into_iter().chain(new.err()).flatten().collect();
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    if args.prove {
        return prove_diff(args, &old, &new, &problems);
    }
    let changes = diff(&old, &new);
    let lines = diff_lines(&old, &new);
    let flipped = if args.reports.is_empty() {
        None
    } else {
        match flips_on_reports(args, &old, &new) {
            Ok(mut flipped) => {
                for flip in &mut flipped {
                    flip.report = relative(&flip.report);
                }
                Some(flipped)
            }
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                return Ok(ExitStatus::Error);
            }
        }
    };
    let text =
        match args.format {
            // Descriptions, labels and report names are the inputs' text: escaped.
            DiffFormat::Human => crossfoot_render::text::terminal_lines(
                &crossfoot_render::diff_text(&changes, &lines, flipped.as_deref()),
            )
            .into_owned(),
            DiffFormat::Markdown => {
                crossfoot_render::diff_markdown(&changes, &lines, flipped.as_deref())
            }
            DiffFormat::Json => {
                let output = Output {
                    changes: &changes,
                    lines: &lines,
                    flips: flipped.as_deref(),
                };
                let mut text = serde_json::to_string_pretty(&output).map_err(io::Error::other)?;
                text.push('\n');
                text
            }
        };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if changes.is_empty() && lines.is_empty() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

/// `crossfoot diff OLD NEW --prove`: exit 0 when the solver proves no report gets a
/// different verdict, 1 with a witness (checked by the engine under both sets) or when a
/// question is undecided, 2 when no solver runs or the witness cannot be written.
fn prove_diff(
    args: &DiffArgs,
    old: &RuleSet,
    new: &RuleSet,
    problems: &Human,
) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    if let Some(path) = &args.witness {
        let mut guard = crossfoot_core::files::WriteGuard::new();
        guard.rules(&args.old, &[]);
        guard.rules(&args.new, &[]);
        if let Some(refused) = guard.refused("--witness", path) {
            writeln!(err, "error: {refused}")?;
            return Ok(ExitStatus::Error);
        }
    }
    let options = args.solving.options(args.reading.as_of);
    let result = match crossfoot_prove::prove_diff(old, new, &options) {
        Ok(result) => result,
        Err(error) => {
            problems.problems(&[error], &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let mut written = None;
    if let (Some(path), Some(witness)) = (&args.witness, &result.witness) {
        let mut files = vec![(path.clone(), witness.yaml())];
        if let Some(prior) = witness.prior_yaml() {
            files.push((prior_path(path), prior));
        }
        for (path, text) in &files {
            if let Err(error) = write_file(path, text) {
                writeln!(
                    err,
                    "error: cannot write the witness {}: {error}",
                    path.display()
                )?;
                return Ok(ExitStatus::Error);
            }
        }
        written = Some(
            files
                .iter()
                .map(|(p, _)| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and "),
        );
    }
    let text = match args.format {
        DiffFormat::Human => crossfoot_render::text::terminal_lines(&crossfoot_prove::diff_text(
            &result,
            written.as_deref(),
        ))
        .into_owned(),
        DiffFormat::Markdown => crossfoot_prove::diff_markdown(&result),
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(&result).map_err(io::Error::other)?;
            text.push('\n');
            text
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if result.proved_same() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

/// Where a witness's previous report goes: beside it, `NAME.prior.yaml`.
fn prior_path(path: &std::path::Path) -> std::path::PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "witness".to_owned());
    path.with_file_name(format!("{stem}.prior.yaml"))
}

/// Write a whole file through the one guarded writer (staged, never through a link).
fn write_file(path: &std::path::Path, text: &str) -> io::Result<()> {
    let mut staged = crossfoot_core::files::Staged::create(path)?;
    staged.write_all(text.as_bytes())?;
    staged.finish()
}

/// `crossfoot prove`: exit 0 when nothing is found and every question was decided, 1
/// when something is found or undecided, 2 when the rules cannot be used or no solver
/// runs.
pub fn prove(args: &ProveArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let rules = match load_rules(&args.rules) {
        Ok(checked) => checked.rules,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let proof = match crossfoot_prove::prove(&rules, &args.solving.options(args.as_of)) {
        Ok(proof) => proof,
        Err(error) => {
            problems.problems(&[error], &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let text = match args.format {
        DiffFormat::Human => {
            crossfoot_render::text::terminal_lines(&crossfoot_prove::proof_text(&proof))
                .into_owned()
        }
        DiffFormat::Markdown => crossfoot_prove::proof_markdown(&proof),
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(&proof).map_err(io::Error::other)?;
            text.push('\n');
            text
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if proof.found() {
        ExitStatus::Fail
    } else {
        ExitStatus::Pass
    })
}

/// `crossfoot changes`: the days of a period on which a rule starts, ends or changes.
/// Exit 0 (the log is information), 2 when the rules cannot be used or the period is
/// backwards.
pub fn changes(args: &ChangesArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to < from {
            writeln!(err, "error: --to {to} is before --from {from}")?;
            return Ok(ExitStatus::Error);
        }
    }
    let rules = match load_rules(&args.rules) {
        Ok(checked) => checked.rules,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let log = changes_between(&rules, args.from, args.to);
    let period = Days {
        from: args.from,
        through: args.to,
    };
    let text = match args.format {
        DiffFormat::Human => {
            crossfoot_render::text::terminal_lines(&crossfoot_render::changes_text(&log, period))
                .into_owned()
        }
        DiffFormat::Markdown => crossfoot_render::changes_markdown(&log, period),
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
            text.push('\n');
            text
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Pass)
}

/// A report's name as a reviewer reads it: relative to the directory `diff` runs in, when
/// it was given as an absolute path under it.
fn relative(name: &str) -> String {
    let Ok(here) = std::env::current_dir() else {
        return name.to_owned();
    };
    let here = format!("{}{}", here.display(), std::path::MAIN_SEPARATOR);
    name.strip_prefix(&here).unwrap_or(name).to_owned()
}

/// `crossfoot diff rules/focus main`: NEW is no path but a git revision, so the
/// arguments are swapped; the problem gives the command in the right order.
fn revision_second(args: &DiffArgs) -> Option<Error> {
    if args.new.exists() || !args.old.exists() {
        return None;
    }
    let revision = args.new.to_str()?;
    if !crossfoot_core::load::is_git_revision(revision, &args.old) {
        return None;
    }
    Some(Error::RevisionSecond {
        given: revision.to_owned(),
        suggestion: format!(
            "`crossfoot diff OLD NEW` compares NEW with OLD, where OLD may be a revision: `crossfoot diff {revision} {}`",
            args.old.display()
        ),
    })
}

/// The verdicts that flip on the reports of `--reports`: every report checked by each rule
/// set exactly as `check` checks it (each reads only its own lines, and finds each
/// report's previous report among the reports and in `--prior`), the two results of a
/// report compared.
fn flips_on_reports(
    args: &DiffArgs,
    old: &RuleSet,
    new: &RuleSet,
) -> Result<Vec<Flip>, Vec<Error>> {
    if args
        .reports
        .iter()
        .chain(&args.prior)
        .any(|path| path.as_os_str() == "-")
    {
        return Err(vec![Error::StdinTwice]);
    }
    let wanted = args.report_id.as_deref();
    let before = checked(args, old)?;
    let after = checked(args, new)?;
    let (mut found, mut flipped) = (0, Vec::new());
    for (before, after) in before.iter().zip(&after) {
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        if wanted.is_some_and(|wanted| !names(&after.row.meta, wanted)) {
            continue;
        }
        found += 1;
        flipped.extend(flips(old, before, new, after));
    }
    let unreadable = before.iter().chain(&after).any(Option::is_none);
    let mut errors = if unreadable {
        unreadable_reports(args, old, wanted)
    } else {
        Vec::new()
    };
    if let Some(problem) = wanted.and_then(|_| not_one(found, wanted, "")) {
        let inputs: Vec<String> = args
            .reports
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        errors.push(Error::NotOneReport {
            inputs: inputs.join(", "),
            problem,
        });
    }
    if errors.is_empty() {
        Ok(flipped)
    } else {
        Err(errors)
    }
}

/// Every report of `--reports` checked by `rules` as `check` checks it, in input order
/// (`None`: a report that could not be read).
fn checked(args: &DiffArgs, rules: &RuleSet) -> Result<Vec<Option<ReportResult>>, Vec<Error>> {
    let priors = super::read_reports(rules, &args.prior, None, None, usize::MAX, None)?.reports;
    let engine = Engine::new(rules.clone())
        .with_priors(&priors)
        .assuming(args.reading.assumed());
    let format = args.input_format.map(InputFormat::from);
    let map = args
        .reading
        .column_map(&args.reports, format)
        .map_err(|error| vec![error])?;
    let inputs = args.reading.apply(
        Inputs::new(engine.rules(), args.reports.clone(), format),
        map,
    );
    let mut results = Vec::new();
    let Ok(()) = engine.check_each(inputs, |result| {
        results.push(result.ok().cloned());
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(results)
}

/// Why the reports that could not be read could not be: each problem in the way (with
/// `--report`, a row that is not the one named is not).
fn unreadable_reports(args: &DiffArgs, rules: &RuleSet, wanted: Option<&str>) -> Vec<Error> {
    let format = args.input_format.map(InputFormat::from);
    let mut errors = Vec::new();
    let map = args
        .reading
        .column_map(&args.reports, format)
        .ok()
        .flatten();
    let inputs = args
        .reading
        .apply(Inputs::new(rules, args.reports.clone(), format), map);
    for read in read_inputs(rules, inputs) {
        if let Err(unreadable) = read {
            let in_the_way = match (wanted, &unreadable.meta.place) {
                (Some(wanted), Some(_)) => names(&unreadable.meta, wanted),
                _ => true,
            };
            if in_the_way {
                errors.extend(unreadable.errors.into_iter().map(Error::from));
            }
        }
    }
    errors
}

//! The authoring commands: `lint`, `fmt`, `explain`, `coverage` and `doc`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{
    CoverageArgs, CoverageFormat, Deny, DocArgs, DocFormat, ExitStatus, ExplainArgs, FmtArgs,
    LintArgs, SqlArgs, SqlDialect, SqlInput, SqlLayout, not_one, read_reports, use_color,
    write_problems,
};
use crossfoot_core::compile::{Checked, RuleSet};
use crossfoot_core::engine::Outcome;
use crossfoot_core::error::Error;
use crossfoot_core::files::{MAX_RULE_FILE_BYTES, STDIN_NAME, read_source, read_stdin};
use crossfoot_core::load::{check_sources, load_rules, rule_files};
use crossfoot_render::Human;
use crossfoot_syntax::ast::Severity;
use crossfoot_syntax::format_aligned;
use crossfoot_syntax::source::Source;

/// `crossfoot lint`: every static problem of a rule set on stdout, then a count.
pub fn lint(args: &LintArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let human = Human::new(use_color(args.color, io::stdout().is_terminal()), false);
    let (problems, rules) = match rules_at(&args.rules) {
        Ok(checked) => {
            let count = checked.rules.rules().len();
            (
                checked.warnings.into_iter().map(Error::from).collect(),
                Some(count),
            )
        }
        Err(errors) => (errors, None),
    };
    write_problems(&human, &problems, &mut out)?;
    let warnings = problems.iter().filter(|p| p.is_warning()).count();
    let errors = problems.len() - warnings;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let name = shown_path(&args.rules);
    match rules {
        Some(count) => writeln!(
            out,
            "{name}: {}, {}",
            plural(count, "rule"),
            plural(warnings, "warning")
        )?,
        None => writeln!(
            out,
            "{name}: {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )?,
    }
    out.flush()?;
    let denied = args.deny == Some(Deny::Warnings) && warnings > 0;
    Ok(if errors > 0 || denied {
        ExitStatus::Error
    } else {
        ExitStatus::Pass
    })
}

/// A rule set from a path, or from standard input for `-` (one file).
fn rules_at(path: &Path) -> Result<Checked, Vec<Error>> {
    if path == Path::new("-") {
        let source = read_stdin(MAX_RULE_FILE_BYTES).map_err(|error| vec![error.into()])?;
        return check_sources(vec![source]);
    }
    load_rules(path)
}

/// A path as messages name it: `<stdin>` for `-`.
fn shown_path(path: &Path) -> String {
    if path == Path::new("-") {
        STDIN_NAME.to_owned()
    } else {
        path.display().to_string()
    }
}

/// `crossfoot fmt`: canonical layout, checked to keep every rule's meaning. `-` formats
/// standard input to standard output.
pub fn fmt(args: &FmtArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let stdin = Path::new("-");
    if !args.check && args.paths.len() > 1 && args.paths.iter().any(|p| p == stdin) {
        writeln!(
            err,
            "error: `-` formats standard input to standard output, so it must be the only path (or use --check)"
        )?;
        return Ok(ExitStatus::Error);
    }
    let mut status = ExitStatus::Pass;
    for path in &args.paths {
        let sources: Vec<(Option<PathBuf>, Result<Source, Error>)> = if path == stdin {
            vec![(None, read_stdin(MAX_RULE_FILE_BYTES).map_err(Error::from))]
        } else {
            match rule_files(path) {
                Ok(files) => files
                    .into_iter()
                    .map(|file| {
                        let source = read_source(&file, MAX_RULE_FILE_BYTES).map_err(Error::from);
                        (Some(file), source)
                    })
                    .collect(),
                Err(error) => vec![(None, Err(error))],
            }
        };
        for (file, source) in sources {
            let done = match source {
                Ok(source) => fmt_source(&source, file.as_deref(), args.check, &mut out)?,
                Err(error) => Err(vec![error]),
            };
            match done {
                Ok(done) => status = status.max(done),
                Err(errors) => {
                    write_problems(&problems, &errors, &mut err)?;
                    status = ExitStatus::Error;
                }
            }
        }
    }
    out.flush()?;
    Ok(status)
}

/// Format one rule file (`file`, or standard input when `None`): with `check`, print a
/// diff when it is not canonical (`Fail`); otherwise rewrite the file, or write the text
/// to `out` for standard input.
fn fmt_source(
    source: &Source,
    file: Option<&Path>,
    check: bool,
    out: &mut dyn Write,
) -> io::Result<Result<ExitStatus, Vec<Error>>> {
    let (formatted, aligned) = match format_aligned(source) {
        Ok(formatted) => formatted,
        Err(errors) => return Ok(Err(errors.into_iter().map(Error::from).collect())),
    };
    let name = source.name();
    if check {
        if formatted == source.text() {
            return Ok(Ok(ExitStatus::Pass));
        }
        // Each declaration starts a piece of the diff on both sides.
        let canonical = Source::new(name, formatted.as_str());
        let line = |source: &Source, at: usize| source.line_col(at).0.saturating_sub(1);
        let anchors: Vec<(usize, usize)> = aligned
            .into_iter()
            .map(|(old, new)| (line(source, old), line(&canonical, new)))
            .collect();
        let diff = super::textdiff::unified(name, name, source.text(), &formatted, &anchors);
        write!(out, "{diff}")?;
        return Ok(Ok(ExitStatus::Fail));
    }
    match file {
        None => out.write_all(formatted.as_bytes())?,
        Some(_) if formatted == source.text() => {}
        Some(file) => {
            // Whole or not at all, the file's permissions and links kept.
            let mut staged = crossfoot_core::files::Staged::rewrite(file)?;
            staged.write_all(formatted.as_bytes())?;
            staged.finish()?;
            writeln!(out, "formatted {name}")?;
        }
    }
    Ok(Ok(ExitStatus::Pass))
}

/// `crossfoot explain`: each rule's evaluation tree on stdout.
pub fn explain(args: &ExplainArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let paths = [args.report.clone()];
    if let Some(problem) = super::misordered("explain", &args.rules, &paths) {
        write_problems(&problems, &[problem], &mut err)?;
        return Ok(ExitStatus::Error);
    }
    let Some(checked) = rules_or_problems(&args.rules, &problems, &mut err)? else {
        return Ok(ExitStatus::Error);
    };
    let rules = &checked.rules;
    let wanted = args.report_id.as_deref();
    let report = match read_reports(
        rules,
        &paths,
        args.input_format,
        wanted,
        1,
        Some(&args.reading),
    ) {
        Ok(mut picked) => {
            if let Some(problem) = not_one(picked.found, wanted, "to explain") {
                writeln!(err, "error: {}: {problem}", args.report.display())?;
                return Ok(ExitStatus::Error);
            }
            picked.reports.remove(0)
        }
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let unknown: Vec<&String> = args
        .rule_ids
        .iter()
        .filter(|id| !rules.rules().iter().any(|r| &r.id() == id))
        .collect();
    if !unknown.is_empty() {
        for id in unknown {
            let hint = rules
                .suggest_id(id)
                .map(|known| format!("; did you mean `{known}`?"))
                .unwrap_or_default();
            writeln!(
                err,
                "error: no rule `{id}` in {}{hint}",
                args.rules.display()
            )?;
        }
        return Ok(ExitStatus::Error);
    }
    if let Some(problem) = super::prior_from_stdin(&args.prior) {
        writeln!(err, "error: {problem}")?;
        return Ok(ExitStatus::Error);
    }
    let priors = match read_reports(rules, &args.prior, None, None, usize::MAX, None) {
        Ok(picked) => picked.reports,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let engine = crossfoot_core::engine::Engine::new(rules.clone())
        .with_priors(&priors)
        .assuming(args.reading.assumed());
    // The other reports of a batch may hold the previous one: the report is checked
    // among them as `check` checks it (standard input was read already, so it is
    // checked alone).
    let in_batch = (rules.reads_prior() && args.report.as_os_str() != "-")
        .then(|| checked_in_batch(&engine, &paths, args, wanted))
        .flatten();
    let result = in_batch.unwrap_or_else(|| engine.check(&report));
    let mut first = true;
    // As `check` would end on the rules explained: 1 when one of severity `error`
    // fails, 2 when one cannot be evaluated.
    let mut status = ExitStatus::Pass;
    for (rule, outcome) in rules.rules().iter().zip(&result.results) {
        if !args.rule_ids.is_empty() && !args.rule_ids.iter().any(|id| id == rule.id()) {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        write!(out, "{}", crossfoot_render::explain(rules, rule, &result))?;
        let this = match outcome.outcome() {
            Outcome::Fail if rule.severity() == Severity::Error => ExitStatus::Fail,
            Outcome::Error => ExitStatus::Error,
            _ => ExitStatus::Pass,
        };
        status = status.max(this);
    }
    out.flush()?;
    Ok(status)
}

/// `crossfoot doc`: the rule book, on stdout or in `--output`; with `--check`, whether
/// `--output` holds the current book.
pub fn doc(args: &DocArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    if let (Some(path), false) = (&args.output, args.check) {
        // Decided before anything is read: the book never replaces a file of the rule set.
        let mut guard = crossfoot_core::files::WriteGuard::new();
        guard.rules(
            &args.rules,
            &[
                crossfoot_core::waiver::FILE_NAME,
                crossfoot_core::pack::FILE_NAME,
            ],
        );
        if let Some(problem) = guard.refused("--output", path) {
            writeln!(err, "error: {problem}")?;
            return Ok(ExitStatus::Error);
        }
    }
    let Some(checked) = rules_or_problems(&args.rules, &problems, &mut err)? else {
        return Ok(ExitStatus::Error);
    };
    let text = book_text(&args.rules, &checked.rules, args.format);
    let Some(path) = &args.output else {
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(ExitStatus::Pass);
    };
    if args.check {
        // No book yet reads as an empty one; a FIFO or a directory is refused, not waited on.
        let current = if std::fs::symlink_metadata(path).is_ok() {
            match read_source(path, crossfoot_core::files::MAX_REPORT_BYTES) {
                Ok(source) => source.text().to_owned(),
                Err(error) => {
                    write_problems(&problems, &[Error::from(error)], &mut err)?;
                    return Ok(ExitStatus::Error);
                }
            }
        } else {
            String::new()
        };
        if current == text {
            return Ok(ExitStatus::Pass);
        }
        let name = path.display().to_string();
        let current_name = format!("{name} (current)");
        let diff = super::textdiff::unified(&name, &current_name, &current, &text, &[]);
        write!(out, "{diff}")?;
        writeln!(
            err,
            "{name} is not the current rule book: run `crossfoot doc {} --output {name}`",
            args.rules.display()
        )?;
        return Ok(ExitStatus::Fail);
    }
    let written = crossfoot_core::files::Staged::create(path).and_then(|mut staged| {
        staged.write_all(text.as_bytes())?;
        staged.finish()
    });
    if let Err(error) = written {
        writeln!(err, "error: cannot write {}: {error}", path.display())?;
        return Ok(ExitStatus::Error);
    }
    Ok(ExitStatus::Pass)
}

/// The rule set at `path`, or `None` once its problems are written to `err`.
fn rules_or_problems(
    path: &Path,
    problems: &Human,
    err: &mut dyn Write,
) -> io::Result<Option<Checked>> {
    match load_rules(path) {
        Ok(checked) => Ok(Some(checked)),
        Err(errors) => {
            write_problems(problems, &errors, err)?;
            Ok(None)
        }
    }
}

/// The rule book of the rules at `path`, titled by its pack's name (or its file or
/// directory name), so that how the path is typed never changes the book.
pub(crate) fn book_text(path: &Path, rules: &RuleSet, format: DocFormat) -> String {
    let pack = crossfoot_core::pack::find(path).ok().flatten();
    // `.` and `rules/` name the same directory: its own name, however it is typed.
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let title = match (&pack, full.file_name()) {
        (Some((pack, _)), _) => pack.name().to_owned(),
        (None, Some(name)) => name.to_string_lossy().into_owned(),
        (None, None) => path.display().to_string(),
    };
    let book = crossfoot_render::book::book(rules, &title);
    match format {
        DocFormat::Markdown => book.markdown(),
        DocFormat::Html => book.html(),
    }
}

/// `crossfoot sql`: the query on stdout, or why the rules cannot be compiled exactly.
pub fn sql(args: &SqlArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let Some(checked) = rules_or_problems(&args.rules, &problems, &mut err)? else {
        return Ok(ExitStatus::Error);
    };
    let options = crossfoot_sql::Options {
        dialect: match args.dialect {
            SqlDialect::Duckdb => crossfoot_sql::Dialect::DuckDb,
            SqlDialect::Spark => crossfoot_sql::Dialect::Spark,
        },
        layout: match args.layout {
            SqlLayout::Wide => crossfoot_sql::Layout::Wide,
            SqlLayout::Long => crossfoot_sql::Layout::Long,
        },
        table: args.table.clone(),
        precision: args.precision,
        scale: args.scale,
        input: match args.input {
            SqlInput::Text => crossfoot_sql::Input::Text,
            SqlInput::Decimal => crossfoot_sql::Input::Decimal,
        },
        unit: args.unit,
    };
    match crossfoot_sql::compile(&checked.rules, &options) {
        Ok(query) => {
            out.write_all(query.as_bytes())?;
            out.flush()?;
            Ok(ExitStatus::Pass)
        }
        Err(errors) => {
            problems.problems(&errors, &mut err)?;
            Ok(ExitStatus::Error)
        }
    }
}

/// `crossfoot coverage`.
pub fn coverage(args: &CoverageArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let Some(checked) = rules_or_problems(&args.rules, &problems, &mut err)? else {
        return Ok(ExitStatus::Error);
    };
    let coverage = crossfoot_core::coverage::coverage(&checked.rules);
    match args.format {
        CoverageFormat::Human => write!(out, "{}", crossfoot_render::coverage_text(&coverage))?,
        CoverageFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &coverage).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Pass)
}

/// The report `wanted` (or the inputs' one report) as `check` checks it among every
/// report of `paths`, which may hold its previous report.
fn checked_in_batch(
    engine: &crossfoot_core::engine::Engine,
    paths: &[PathBuf],
    args: &super::ExplainArgs,
    wanted: Option<&str>,
) -> Option<crossfoot_core::engine::ReportResult> {
    let format = args
        .input_format
        .map(crossfoot_core::report::InputFormat::from);
    let map = args.reading.column_map(paths, format).ok().flatten();
    let inputs = crossfoot_core::report::Inputs::new(engine.rules(), paths.to_vec(), format);
    let mut found = None;
    let Ok(()) = engine.check_each(args.reading.apply(inputs, map), |checked| {
        if let (Ok(result), None) = (checked, &found) {
            if wanted.is_none_or(|wanted| crossfoot_core::report::names(&result.row.meta, wanted)) {
                found = Some(result.clone());
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    found
}

//! The command line: arguments, output streams and the exit status.

mod batch;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::eval::{self, Summary};
use crate::load::{MAX_RULE_FILE_BYTES, load_report, load_rules, read_source, rule_files};
use crate::render::{Human, JsonOutput, json_report};

use crate::syntax::format_source;

const EXAMPLES: &str = "\
Examples:
  crossfoot check rules/focus examples/hsbc-2020-07.yaml
  crossfoot check rules/focus/cftc/segregation.xfoot july.yaml august.yaml
  crossfoot check --format json rules/focus report.yaml > results.json

Exit status: 0 every rule holds, 1 a rule of severity error failed,
2 the rules or a report could not be used.";

/// Check regulatory reports against rules written the way the form reads.
#[derive(Debug, Parser)]
#[command(name = "crossfoot", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check reports against a rule set.
    #[command(after_help = EXAMPLES)]
    Check(CheckArgs),
    /// Run the static checks on a rule set, without a report.
    Lint(LintArgs),
    /// Rewrite rule files in the canonical layout.
    Fmt(FmtArgs),
    /// Show how each rule (or the named ones) evaluates on one report, step by step.
    Explain(ExplainArgs),
    /// List, per page of the line catalogue, the lines no rule reads and the lines that
    /// several rules target.
    Coverage(CoverageArgs),
    /// Run the examples written beside each rule and the whole-report tests
    /// (`*.test.yaml`) beside the pack; `--mutate` also checks the examples catch mutants.
    Test(TestArgs),
}

/// `crossfoot test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A rule file or directory; its `*.test.yaml` files are the whole-report tests.
    #[arg(default_value = "rules")]
    pub path: PathBuf,
    /// Also generate mutants of every rule and report those no example kills.
    #[arg(long)]
    pub mutate: bool,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output formats of `crossfoot test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// Diagnostics for what failed, then `N passed, N failed`.
    Human,
    /// JUnit XML.
    Junit,
}

/// `crossfoot coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// How to print the coverage.
    #[arg(long, value_enum, default_value_t = CoverageFormat::Human)]
    pub format: CoverageFormat,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// `crossfoot explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// One report.
    pub report: PathBuf,
    /// Explain only this rule (repeatable); every rule when absent.
    #[arg(long = "rule", value_name = "ID")]
    pub rule_ids: Vec<String>,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// `crossfoot fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files, or directories of them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff for each file that is not canonical and exit 1.
    #[arg(long)]
    pub check: bool,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// `crossfoot lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// Make warnings fail the run (exit 2).
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// `crossfoot check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A `.xfoot` rule file, or a directory of them (read recursively, in path order).
    pub rules: PathBuf,
    /// Reports: YAML or JSON files, directories of them, JSON Lines (`.jsonl`), CSV (long
    /// `line,amount` or wide `report_id,<codes>`), or `-` for standard input.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour (`auto` respects `NO_COLOR` and whether the output is a terminal).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Make warnings fail the run: failing `warning` rules exit 1, static-check warnings
    /// about the rules exit 2.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// List every rule's status, not only the failures.
    #[arg(short, long)]
    pub verbose: bool,
    /// Write the `--format` output to this file, and the human output to the terminal.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// What the report inputs hold, when their extension does not say (or for `-`).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
}

/// `--input-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// One report per YAML file.
    Yaml,
    /// One report per JSON file.
    Json,
    /// One report per line of JSON.
    Jsonl,
    /// Long or wide CSV.
    Csv,
}

impl From<InputFormatArg> for crate::batch::InputFormat {
    fn from(format: InputFormatArg) -> Self {
        match format {
            InputFormatArg::Yaml => crate::batch::InputFormat::Yaml,
            InputFormatArg::Json => crate::batch::InputFormat::Json,
            InputFormatArg::Jsonl => crate::batch::InputFormat::Jsonl,
            InputFormatArg::Csv => crate::batch::InputFormat::Csv,
        }
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics and a summary for people.
    Human,
    /// The documented JSON contract (schema/check.json), for programs.
    Json,
    /// The same report objects, one per line, streamed in input order.
    Jsonl,
    /// SARIF 2.1.0, for code scanning: results located at the rules.
    Sarif,
    /// JUnit XML: a suite per report, a case per rule.
    Junit,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// Output formats of `crossfoot coverage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CoverageFormat {
    /// A list per page, for people.
    Human,
    /// JSON, for programs.
    Json,
}

/// Colour choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// What `--deny` can promote to a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Failing rules of severity `warning`.
    Warnings,
}

/// How a run ended, decided in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Every rule holds.
    Pass = 0,
    /// A rule failed.
    Fail = 1,
    /// Rules or a report could not be used.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}

/// Parse the arguments and run; the process's exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check(args) => check(&args),
        Command::Lint(args) => lint(&args),
        Command::Fmt(args) => fmt(&args),
        Command::Explain(args) => explain(&args),
        Command::Coverage(args) => coverage(&args),
        Command::Test(args) => test(&args),
    };
    match status {
        Ok(status) => status.into(),
        // A closed pipe (`crossfoot … | head`) is a normal end.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: cannot write output: {error}");
            ExitStatus::Error.into()
        }
    }
}

/// `crossfoot check`: results on stdout (or the machine format in `--output`), problems
/// with the inputs on stderr.
pub fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let human = Human::new(
        use_color(args.color, io::stdout().is_terminal()),
        args.verbose,
    );
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let deny_warnings = args.deny == Some(Deny::Warnings);

    let rules = match load_rules(&args.rules) {
        Ok(checked) => {
            let warnings: Vec<Error> = checked.warnings.into_iter().map(Error::from).collect();
            write_problems(&problems, &warnings, &mut err)?;
            if deny_warnings && !warnings.is_empty() {
                return Ok(ExitStatus::Error);
            }
            checked.rules
        }
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let input_format = args.input_format.map(crate::batch::InputFormat::from);
    let few_files = args.reports.len() <= MAX_DETAILED_REPORTS
        && args
            .reports
            .iter()
            .all(|path| crate::batch::is_single(path, input_format));
    if !few_files {
        return batch::check_batch(args, &rules, &human, &problems, deny_warnings);
    }
    let mut status = ExitStatus::Pass;
    let mut reports = Vec::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for path in &args.reports {
        match load_report(path) {
            Ok(report) => reports.push(report),
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                let name = path.display().to_string();
                unreadable.extend(errors.iter().map(|e| (name.clone(), e.to_string())));
                status = ExitStatus::Error;
            }
        }
    }
    let evaluations: Vec<_> = reports
        .iter()
        .map(|report| eval::evaluate(&rules, report))
        .collect();
    for evaluation in &evaluations {
        status = status.max(exit_status(&evaluation.summary(), deny_warnings));
    }
    // The human output goes to stdout unless stdout carries the machine format.
    let machine_on_stdout = args.format != Format::Human && args.output.is_none();
    for evaluation in &evaluations {
        if machine_on_stdout {
            problems.errors(evaluation, &mut err)?;
        } else {
            human.report(evaluation, deny_warnings, &mut out, &mut err)?;
        }
    }
    if args.format != Format::Human || args.output.is_some() {
        let text = machine_output(
            args.format,
            &rules,
            &evaluations,
            &unreadable,
            deny_warnings,
        );
        match &args.output {
            Some(path) => std::fs::write(path, text).map_err(|error| {
                io::Error::new(error.kind(), format!("{}: {error}", path.display()))
            })?,
            None => out.write_all(text.as_bytes())?,
        }
    }
    out.flush()?;
    Ok(status)
}

/// Up to this many report files, `check` shows every failing rule's diagnostic; beyond it,
/// or for batch inputs, one line per failing report and the totals.
pub const MAX_DETAILED_REPORTS: usize = 10;

/// The whole run in a machine format (or, for `--output` with `human`, plain human text).
pub(super) fn machine_output(
    format: Format,
    rules: &crate::check::RuleSet,
    evaluations: &[crate::eval::Evaluation<'_>],
    unreadable: &[(String, String)],
    deny_warnings: bool,
) -> String {
    match format {
        Format::Json => {
            let output = JsonOutput {
                reports: evaluations.iter().map(json_report).collect(),
                errors: unreadable
                    .iter()
                    .map(|(report, message)| crate::render::JsonProblem {
                        report: report.clone(),
                        message: message.clone(),
                    })
                    .collect(),
            };
            let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Sarif => {
            let mut text =
                serde_json::to_string_pretty(&crate::render::sarif(rules, evaluations, unreadable))
                    .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Jsonl => {
            let mut text = String::new();
            for evaluation in evaluations {
                text.push_str(&serde_json::to_string(&json_report(evaluation)).unwrap_or_default());
                text.push('\n');
            }
            for (report, message) in unreadable {
                let problem = crate::render::JsonProblem {
                    report: report.clone(),
                    message: message.clone(),
                };
                text.push_str(&serde_json::to_string(&problem).unwrap_or_default());
                text.push('\n');
            }
            text
        }
        Format::Junit => crate::render::junit(evaluations, unreadable),
        Format::Github => crate::render::github(evaluations, unreadable),
        Format::Human => {
            let plain = Human::new(false, false);
            let mut buffer = Vec::new();
            for evaluation in evaluations {
                let _ = plain.report(evaluation, deny_warnings, &mut buffer, &mut io::sink());
            }
            String::from_utf8_lossy(&buffer).into_owned()
        }
    }
}

/// `crossfoot lint`: every static problem of a rule set on stdout, then a count.
pub fn lint(args: &LintArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let human = Human::new(use_color(args.color, io::stdout().is_terminal()), false);
    let (problems, rules) = match load_rules(&args.rules) {
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
    match rules {
        Some(count) => writeln!(
            out,
            "{}: {}, {}",
            args.rules.display(),
            plural(count, "rule"),
            plural(warnings, "warning")
        )?,
        None => writeln!(
            out,
            "{}: {}, {}",
            args.rules.display(),
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

/// `crossfoot fmt`: canonical layout, checked to keep every rule's meaning.
pub fn fmt(args: &FmtArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let mut status = ExitStatus::Pass;
    for path in &args.paths {
        let files = match rule_files(path) {
            Ok(files) => files,
            Err(error) => {
                write_problems(&problems, &[error], &mut err)?;
                status = ExitStatus::Error;
                continue;
            }
        };
        for file in files {
            let source = match read_source(&file, MAX_RULE_FILE_BYTES) {
                Ok(source) => source,
                Err(error) => {
                    write_problems(&problems, &[error], &mut err)?;
                    status = ExitStatus::Error;
                    continue;
                }
            };
            let formatted = match format_source(&source) {
                Ok(formatted) => formatted,
                Err(errors) => {
                    let errors: Vec<Error> = errors.into_iter().map(Error::from).collect();
                    write_problems(&problems, &errors, &mut err)?;
                    status = ExitStatus::Error;
                    continue;
                }
            };
            if formatted == source.text() {
                continue;
            }
            let name = file.display().to_string();
            if args.check {
                let diff = similar::TextDiff::from_lines(source.text(), &formatted)
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string();
                write!(out, "{diff}")?;
                status = status.max(ExitStatus::Fail);
            } else {
                std::fs::write(&file, &formatted)?;
                writeln!(out, "formatted {name}")?;
            }
        }
    }
    out.flush()?;
    Ok(status)
}

/// `crossfoot explain`: each rule's evaluation tree on stdout.
pub fn explain(args: &ExplainArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let checked = match load_rules(&args.rules) {
        Ok(checked) => checked,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let report = match load_report(&args.report) {
        Ok(report) => report,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let rules = &checked.rules;
    let unknown: Vec<&String> = args
        .rule_ids
        .iter()
        .filter(|id| !rules.rules().iter().any(|r| &&r.id == id))
        .collect();
    if !unknown.is_empty() {
        for id in unknown {
            writeln!(err, "error: no rule `{id}` in {}", args.rules.display())?;
        }
        return Ok(ExitStatus::Error);
    }
    let mut first = true;
    for rule in rules.rules() {
        if !args.rule_ids.is_empty() && !args.rule_ids.contains(&rule.id) {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        write!(out, "{}", crate::render::explain(rules, rule, &report))?;
    }
    out.flush()?;
    Ok(ExitStatus::Pass)
}

/// `crossfoot coverage`.
pub fn coverage(args: &CoverageArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let checked = match load_rules(&args.rules) {
        Ok(checked) => checked,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let coverage = crate::coverage::coverage(&checked.rules);
    match args.format {
        CoverageFormat::Human => write!(out, "{}", crate::render::coverage_text(&coverage))?,
        CoverageFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &coverage).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Pass)
}

/// `crossfoot test`: examples, whole-report tests and, with `--mutate`, mutants.
pub fn test(args: &TestArgs) -> io::Result<ExitStatus> {
    use crate::testing;

    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let human = Human::new(use_color(args.color, io::stdout().is_terminal()), false);
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let checked = match load_rules(&args.path) {
        Ok(checked) => checked,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let rules = &checked.rules;
    let mut cases: Vec<crate::render::TestCase> = Vec::new();
    for run in testing::run_examples(rules) {
        let diagnostic = (!run.ok).then(|| {
            human.diagnostic(&crate::diagnostic::RuleDiagnostic::example(
                rules,
                run.rule,
                &run.outcome,
                run.example.expect,
                run.example.span,
            ))
        });
        let (line, _) = rules
            .source_of(run.rule)
            .map_or((0, 0), |s| s.line_col(run.example.span.start));
        cases.push(crate::render::TestCase {
            suite: "examples".to_owned(),
            name: format!(
                "{} {} (line {line})",
                run.rule.id,
                run.example.expect.as_str()
            ),
            failure: diagnostic,
        });
    }
    let mut unusable = false;
    for file in testing::test_files(&args.path) {
        let test = match testing::load_report_test(&file, rules) {
            Ok(test) => test,
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                unusable = true;
                continue;
            }
        };
        let report_cases = match testing::run_report_test(rules, &test) {
            Ok(report_cases) => report_cases,
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                unusable = true;
                continue;
            }
        };
        for case in report_cases {
            let failure = (!case.ok).then(|| {
                let got = testing::verdict_words(&case.outcome.status);
                let mut text = format!(
                    "{}: rule `{}` should {}, but it {got}\n",
                    file.display(),
                    case.rule.id,
                    case.expected.as_str()
                );
                if let Some(diagnostic) =
                    crate::diagnostic::RuleDiagnostic::new(rules, case.rule, &case.outcome)
                {
                    text.push_str(&human.diagnostic(&diagnostic));
                }
                text
            });
            cases.push(crate::render::TestCase {
                suite: file.display().to_string(),
                name: case.rule.id.clone(),
                failure,
            });
        }
    }
    let mut mutation = None;
    if args.mutate {
        let runs = testing::run_mutants(rules);
        let killed = runs.iter().filter(|r| r.killed).count();
        for run in &runs {
            let failure = (!run.killed).then(|| {
                human.diagnostic(&crate::diagnostic::RuleDiagnostic::survivor(
                    rules,
                    run.rule,
                    &run.mutant.description,
                    run.mutant.span,
                ))
            });
            cases.push(crate::render::TestCase {
                suite: "mutants".to_owned(),
                name: format!("{}: {}", run.rule.id, run.mutant.description),
                failure,
            });
        }
        mutation = Some((runs.len(), killed));
    }
    let failed = cases.iter().filter(|c| c.failure.is_some()).count();
    let passed = cases.len() - failed;
    match args.format {
        TestFormat::Human => {
            for case in &cases {
                if let Some(failure) = &case.failure {
                    writeln!(out, "{failure}")?;
                }
            }
            if let Some((generated, killed)) = mutation {
                writeln!(
                    out,
                    "mutants: {generated} generated, {killed} killed, {} survived",
                    generated - killed
                )?;
            }
            writeln!(out, "{passed} passed, {failed} failed")?;
        }
        TestFormat::Junit => write!(out, "{}", crate::render::test_junit(&cases))?,
    }
    out.flush()?;
    Ok(if unusable {
        ExitStatus::Error
    } else if failed > 0 {
        ExitStatus::Fail
    } else {
        ExitStatus::Pass
    })
}

pub(super) fn write_problems(
    human: &Human,
    errors: &[Error],
    err: &mut dyn Write,
) -> io::Result<()> {
    for error in errors {
        write!(err, "{}", human.diagnostic(error))?;
    }
    Ok(())
}

/// The exit status one report's outcomes call for.
pub fn exit_status(summary: &Summary, deny_warnings: bool) -> ExitStatus {
    if summary.errors > 0 {
        ExitStatus::Error
    } else if summary.failed_errors > 0 || (deny_warnings && summary.failed_warnings > 0) {
        ExitStatus::Fail
    } else {
        ExitStatus::Pass
    }
}

fn use_color(choice: Color, terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

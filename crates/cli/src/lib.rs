//! The command line: arguments, output streams and the exit status.
//!
//! The top of the workspace: it only parses arguments, picks outputs and sets the exit
//! code; the run itself is `crossfoot-core`'s, its outputs `crossfoot-render`'s.
#![forbid(unsafe_code)]

/// mimalloc rather than the system allocator: checking a large rule set makes millions of
/// small allocations on every core, where glibc's per-thread arenas spend as much time
/// growing heaps and faulting pages as the work itself. On the 100,000-rule benchmark
/// pack it halves parsing and checking (see the README's benchmarks). Built without
/// transparent huge pages (`no_thp`): asking for them makes the kernel compact memory to
/// find 2 MB pages, which on a busy machine cost more than the pages save.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod authoring;
mod check;
mod diff;
mod install;
mod output;
mod test;
mod textdiff;
mod verify;

pub use authoring::{coverage, explain, fmt, lint};
pub use check::check;
pub use install::{completions, man, reference_markdown};
pub use test::test;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crossfoot_core::engine::ExitStatus;
use crossfoot_core::error::{Error, NotOne};
use crossfoot_render::Human;
use crossfoot_syntax::date::Date;

const EXAMPLES: &str = "\
Examples:
  crossfoot check rules/focus examples/hsbc-2020-07.yaml
  crossfoot check rules/focus/cftc/1-segregation.xfoot july.yaml august.yaml
  crossfoot check rules/focus reports.csv entities/ daily.jsonl
  crossfoot check --format sarif --output results.sarif rules/focus report.yaml
  crossfoot check --format html --output july.html rules/focus reports/";

/// The exit status of `check`, said after its examples in `--help`.
const EXIT_STATUS: &str = "\
Exit status: 0 every rule holds, 1 a rule of severity error failed,
2 the rules or a report could not be used.";

/// The text after `--help` of `crossfoot` and `crossfoot check`.
fn check_after_help() -> String {
    format!("{EXAMPLES}\n\n{EXIT_STATUS}")
}

/// Check regulatory reports against rules written the way the form reads.
#[derive(Debug, Parser)]
#[command(
    name = "crossfoot",
    version,
    about = "An exact, friendly rules language for regulatory reports (FOCUS / 1-FR-FCM)",
    after_help = check_after_help()
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check reports against a rule set.
    #[command(after_help = check_after_help())]
    Check(CheckArgs),
    /// Run the static checks on a rule set, without a report.
    Lint(LintArgs),
    /// Rewrite rule files in the canonical layout.
    Fmt(FmtArgs),
    /// Show how each rule (or the named ones) evaluates on one report, step by step.
    #[command(
        after_help = "Exit status: 0 every rule explained holds (or was skipped), 1 one of severity error\nfails, 2 the rules or the report could not be used, or a rule's arithmetic failed."
    )]
    Explain(ExplainArgs),
    /// List, per page of the line catalogue, the lines no rule reads and the lines that
    /// several rules target.
    Coverage(CoverageArgs),
    /// Compare two rule sets by meaning, and show the verdicts the change flips on reports.
    Diff(DiffArgs),
    /// Prove what a rule set means, with an SMT solver (z3): rules no report can pass
    /// together, rules no report can fail, conditions that never hold, and evaluation
    /// errors some report reaches.
    #[command(
        after_help = "Exit status: 0 nothing found (every question decided), 1 something found or a
question the solver could not decide, 2 the rules could not be used or no solver runs."
    )]
    Prove(ProveArgs),
    /// List the days in a period on which a rule starts, ends or changes: the change log
    /// of the rule set's versions, with citations.
    Changes(ChangesArgs),
    /// Check that a run record still matches: hash its files again and re-run the check.
    VerifyRecord(VerifyArgs),
    /// Write the rule book: every page of the catalogue and every rule in the form's
    /// words, with its examples, for review and sign-off.
    Doc(DocArgs),
    /// Compile the rules into one SQL query (DuckDB or Spark) that gives exactly the
    /// failures `check` gives, for reports kept in a table.
    Sql(SqlArgs),
    /// Run the examples written beside each rule and the whole-report tests
    /// (`*.test.yaml`) beside the pack; `--mutate` also checks the examples catch mutants.
    Test(TestArgs),
    /// Serve the language server protocol on standard input and output, for editors:
    /// diagnostics, hover, definitions, references, formatting, completion, quick fixes.
    #[cfg(feature = "lsp")]
    Lsp(LspArgs),
    /// Print the shell completion script for bash, zsh, fish, PowerShell or elvish.
    #[command(after_help = COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of crossfoot, or of one of its commands.
    #[command(after_help = "Example:\n  crossfoot man > ~/.local/share/man/man1/crossfoot.1")]
    Man(ManArgs),
}

/// The examples of `crossfoot completions --help`.
const COMPLETIONS: &str = "\
Examples:
  crossfoot completions bash > ~/.local/share/bash-completion/completions/crossfoot
  crossfoot completions zsh > ~/.zfunc/_crossfoot      # with fpath+=~/.zfunc before compinit
  crossfoot completions fish > ~/.config/fish/completions/crossfoot.fish
  crossfoot completions powershell >> $PROFILE";

/// `crossfoot completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `crossfoot man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (`check`, `diff`, …) whose own page to print, `crossfoot-COMMAND(1)`;
    /// the page of `crossfoot` itself when absent.
    pub command: Option<String>,
}

/// `crossfoot lsp`.
#[cfg(feature = "lsp")]
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport, and the default; the
    /// flag is accepted because editor clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// `crossfoot diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old rule file or directory, or a git revision (`main`, `HEAD~1`): then NEW's
    /// path as committed at that revision.
    pub old: PathBuf,
    /// The new rule file or directory.
    pub new: PathBuf,
    /// Reports to evaluate both rule sets on: anything `check` reads (files, directories,
    /// JSON Lines, CSV).
    #[arg(long, num_args = 1..)]
    pub reports: Vec<PathBuf>,
    /// Only the report with this `id` (or place: `row 7`, `line 12`).
    #[arg(long = "report", value_name = "ID")]
    pub report_id: Option<String>,
    /// A previous report (repeatable): looked up by rules that read `prior(…)`, as `check
    /// --prior` does, not compared itself.
    #[arg(long, value_name = "FILE")]
    pub prior: Vec<PathBuf>,
    /// What the report inputs hold, when their extension does not say.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// `--sheet`, `--as-of`, `--firm`.
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// How to print the comparison.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Prove, with an SMT solver, that no report gets a different verdict under NEW than
    /// under OLD (at `--as-of`, or at every date), or find one that does.
    #[arg(long, conflicts_with_all = ["reports", "prior"])]
    pub prove: bool,
    /// With `--prove`: write the report the solver found (YAML, checked by the engine)
    /// to FILE.
    #[arg(long, value_name = "FILE", requires = "prove")]
    pub witness: Option<PathBuf>,
    /// `--solver`, `--timeout`.
    #[command(flatten)]
    pub solving: SolverArgs,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The solver of `prove` and `diff --prove`.
#[derive(Debug, Args)]
pub struct SolverArgs {
    /// The SMT solver to run (z3, reading SMT-LIB 2 on standard input); `z3` on `PATH`
    /// when absent.
    #[arg(long, value_name = "PATH")]
    pub solver: Option<PathBuf>,
    /// The time limit of each question to the solver, in seconds; a question not
    /// decided in time is `unknown`.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,
}

impl SolverArgs {
    /// The options of the prover, at `as_of`.
    pub fn options(&self, as_of: Option<Date>) -> crossfoot_prove::Options {
        crossfoot_prove::Options {
            solver: self.solver.clone(),
            as_of,
            timeout_ms: self.timeout.saturating_mul(1000),
        }
    }
}

/// `crossfoot prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// Prove at this date only (`YYYY-MM-DD`); without it, at every date on which the
    /// rules in force change, and for a report without a date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// How to print what was found.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// `--solver`, `--timeout`.
    #[command(flatten)]
    pub solving: SolverArgs,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output formats of `crossfoot diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For people.
    Human,
    /// JSON: `{"changes": [...], "flips": [...]}`.
    Json,
    /// Markdown, for a pull-request comment.
    Markdown,
}

/// `crossfoot changes`.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// The first day of the period (default: from the start).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<Date>,
    /// The last day of the period (default: with no end).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<Date>,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
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
    /// Instead of running the tests, propose a passing and a failing example for each
    /// rule that lacks one, found by an SMT solver (z3) with small round amounts and
    /// checked by the engine, ready to paste.
    #[arg(long, conflicts_with_all = ["mutate", "format"])]
    pub suggest: bool,
    /// With `--suggest`: the SMT solver to run; `z3` on `PATH` when absent.
    #[arg(long, value_name = "PATH", requires = "suggest")]
    pub solver: Option<PathBuf>,
    /// With `--suggest`: the time limit of each question to the solver, in seconds.
    #[arg(long, value_name = "SECONDS", requires = "suggest", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: Option<u32>,
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

/// `crossfoot sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// The SQL engine.
    #[arg(long, value_enum, default_value_t = SqlDialect::Duckdb)]
    pub dialect: SqlDialect,
    /// How the table holds the reports: `wide` (`report_id`, then a column per line code)
    /// or `long` (`report_id, line, amount` rows).
    #[arg(long, value_enum, default_value_t = SqlLayout::Wide)]
    pub layout: SqlLayout,
    /// The table (or view) holding the reports.
    #[arg(long, default_value = "reports")]
    pub table: String,
    /// The digits an amount may have, decimals included (amounts are read as
    /// `DECIMAL(precision, scale)`).
    #[arg(long, default_value_t = 15)]
    pub precision: u32,
    /// The decimals an amount may have; an amount with more stops the query.
    #[arg(long, default_value_t = 2)]
    pub scale: u32,
    /// What the amount columns hold: `text` (checked to be plain decimals) or `decimal`
    /// (DECIMAL columns with at most `--scale` decimals, or integers, cast with a range check).
    #[arg(long, value_enum, default_value_t = SqlInput::Text)]
    pub input: SqlInput,
    /// The unit every report's amounts are printed in (`dollars`, `thousands`, `millions`,
    /// `billions`). Without it, each report's unit is read from the table's `unit` column
    /// (blank is dollars) when a rule's verdict depends on it: a `$` constant or tolerance
    /// other than zero.
    #[arg(long)]
    pub unit: Option<crossfoot_core::unit::Unit>,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The engines `crossfoot sql` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    /// DuckDB.
    Duckdb,
    /// Spark SQL (ANSI mode).
    Spark,
}

/// What the amount columns of `crossfoot sql`'s table hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlInput {
    /// Text.
    Text,
    /// Numbers.
    Decimal,
}

/// The input layouts of `crossfoot sql`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlLayout {
    /// One row per report, a column per line.
    Wide,
    /// One row per report and line.
    Long,
}

/// `crossfoot doc`.
#[derive(Debug, Args)]
pub struct DocArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// Markdown (to commit beside the pack) or one self-contained HTML page.
    #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
    pub format: DocFormat,
    /// Write the book to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Change nothing: exit 1 with a diff if `--output` FILE is not the current book.
    #[arg(long, requires = "output")]
    pub check: bool,
    /// When to use colour in diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The forms of the rule book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown.
    Markdown,
    /// One HTML page.
    Html,
}

/// `crossfoot explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A `.xfoot` rule file, or a directory of them.
    pub rules: PathBuf,
    /// The report: a YAML or JSON file, or a JSON Lines or CSV file (or `-`) holding it
    /// among others (pick it with `--report`).
    pub report: PathBuf,
    /// Which report of a batch to explain: its `id`, or its place (`row 7`, `line 12`).
    #[arg(long = "report", value_name = "ID")]
    pub report_id: Option<String>,
    /// What the report input holds, when its extension does not say (or for `-`).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Explain only this rule (repeatable); every rule when absent.
    #[arg(long = "rule", value_name = "ID")]
    pub rule_ids: Vec<String>,
    /// A previous report for rules that read `prior(…)` (repeatable), as for `check`.
    #[arg(long, value_name = "FILE")]
    pub prior: Vec<PathBuf>,
    /// `--sheet`, `--as-of`, `--firm`.
    #[command(flatten)]
    pub reading: ReadingArgs,
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
    /// Which rules each report's JSON and JSON Lines object (and each page of the HTML
    /// view) lists: `all`, or only the `failing` ones (smaller output for large batches;
    /// the summary counts every rule).
    #[arg(long, value_enum, default_value_t = Results::All)]
    pub results: Results,
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
    /// A waivers file; by default `waivers.yaml` beside the rules (in the rules directory,
    /// or beside the rule file), when there is one.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// A previous report for rules that read `prior(…)` (repeatable): a report's previous
    /// report is the same firm's latest earlier one among these and the reports checked.
    #[arg(long, value_name = "FILE")]
    pub prior: Vec<PathBuf>,
    /// The day waivers' expiry is judged on (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<Date>,
    /// `--sheet`, `--as-of`, `--firm`.
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Write a record of the run (version, time, SHA-256 of every file read, every
    /// result) to FILE, for `crossfoot verify-record`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// How reports are read: the sheet of a workbook, and facts assumed of reports that do not
/// state them (`--as-of`, `--firm`).
#[derive(Clone, Debug, Default, Args)]
pub struct ReadingArgs {
    /// The sheet of each workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) to read; the
    /// first sheet by default.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A column map: the headers of a CSV file or workbook sheet mapped to line codes and
    /// report facts (`maps/cftc-fcm-monthly.yaml`).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The date of every report that has no `as_of` of its own (a long CSV, an undated
    /// YAML file): rules with an `effective` period are judged on it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<Date>,
    /// The firm of every report that names none (for waivers and previous reports).
    #[arg(long, value_name = "NAME")]
    pub firm: Option<String>,
}

impl ReadingArgs {
    /// The column map of `--map`, read, for reports at `paths` read as `format` says;
    /// an error when `--sheet` or `--map` is given and no input is of a form it applies to
    /// (a flag silently doing nothing would leave a wrong sheet or header unnoticed).
    pub fn column_map(
        &self,
        paths: &[PathBuf],
        format: Option<crossfoot_core::report::InputFormat>,
    ) -> Result<Option<std::sync::Arc<crossfoot_core::report::ColumnMap>>, Error> {
        use crossfoot_core::report::{InputFormat, may_read};
        if self.sheet.is_some() && !may_read(paths, format, &[InputFormat::Workbook]) {
            return Err(Error::FlagUnused {
                flag: "--sheet",
                what: "names a sheet of a workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`)",
                help: "leave --sheet out, or give the workbook",
            });
        }
        let Some(path) = &self.map else {
            return Ok(None);
        };
        if !may_read(paths, format, &[InputFormat::Csv, InputFormat::Workbook]) {
            return Err(Error::FlagUnused {
                flag: "--map",
                what: "renames the headers of a CSV file or a workbook sheet",
                help: "leave --map out, or give the CSV file or workbook it maps",
            });
        }
        let map = crossfoot_core::report::read_map(path)?;
        Ok(Some(std::sync::Arc::new(map)))
    }

    /// `inputs` reading what these arguments say: the sheet, the column map.
    pub fn apply<'a>(
        &self,
        inputs: crossfoot_core::report::Inputs<'a>,
        map: Option<std::sync::Arc<crossfoot_core::report::ColumnMap>>,
    ) -> crossfoot_core::report::Inputs<'a> {
        inputs.with_sheet(self.sheet.clone()).with_map(map)
    }

    /// The facts, for the engine.
    pub fn assumed(&self) -> crossfoot_core::report::Assumed {
        crossfoot_core::report::Assumed {
            as_of: self.as_of,
            firm: self.firm.clone(),
        }
    }
}

/// `crossfoot verify-record`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The record written by `check --record`.
    pub record: PathBuf,
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

impl From<InputFormatArg> for crossfoot_core::report::InputFormat {
    fn from(format: InputFormatArg) -> Self {
        match format {
            InputFormatArg::Yaml => crossfoot_core::report::InputFormat::Yaml,
            InputFormatArg::Json => crossfoot_core::report::InputFormat::Json,
            InputFormatArg::Jsonl => crossfoot_core::report::InputFormat::Jsonl,
            InputFormatArg::Csv => crossfoot_core::report::InputFormat::Csv,
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
    /// A CSV table: a row per rule that fails, is waived or could not be evaluated, and a
    /// row per input that could not be read.
    Csv,
    /// One self-contained HTML page: each report's pages with their lines, the lines
    /// failing rules read highlighted beside those rules, and an index of the reports.
    Html,
}

/// `--results`: which rules a report's JSON object lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Results {
    /// Every rule, with its status (the default: a report's object is complete).
    All,
    /// Only the rules that do not hold (failing, waived, or not evaluated); the summary
    /// still counts every rule.
    Failing,
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

/// The process's exit code for a run's status: 0, 1 or 2.
fn exit_code(status: ExitStatus) -> ExitCode {
    ExitCode::from(status as u8)
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
        Command::Doc(args) => authoring::doc(&args),
        Command::Sql(args) => authoring::sql(&args),
        Command::Test(args) => test(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Changes(args) => diff::changes(&args),
        Command::Prove(args) => diff::prove(&args),
        Command::VerifyRecord(args) => verify::verify_record(&args),
        Command::Completions(args) => completions(&args),
        Command::Man(args) => man(&args),
        #[cfg(feature = "lsp")]
        Command::Lsp(_) => return lsp(),
    };
    match status {
        Ok(status) => exit_code(status),
        // A closed pipe (`crossfoot … | head`) is a normal end.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: cannot write output: {error}");
            exit_code(ExitStatus::Error)
        }
    }
}

/// `crossfoot lsp`: exit 0 after the editor's `shutdown` and `exit`, 1 otherwise (as the
/// protocol says), with the reason on standard error when the connection failed.
#[cfg(feature = "lsp")]
fn lsp() -> ExitCode {
    match crossfoot_lsp::run_stdio() {
        Ok(ending) => ExitCode::from(ending.code()),
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Standard output for results: line by line to a terminal, in large blocks otherwise
/// (the standard handle is line-buffered always, and scans every byte it is given for a
/// newline: a cost that shows on a gigabyte of JSON).
pub(crate) fn stdout() -> Box<dyn Write> {
    let stdout = io::stdout();
    if stdout.is_terminal() {
        return Box::new(stdout.lock());
    }
    block_buffered(&stdout).unwrap_or_else(|| Box::new(stdout.lock()))
}

#[cfg(unix)]
fn block_buffered(stdout: &io::Stdout) -> Option<Box<dyn Write>> {
    use std::os::fd::AsFd;
    let file = std::fs::File::from(stdout.as_fd().try_clone_to_owned().ok()?);
    Some(Box::new(io::BufWriter::with_capacity(1 << 20, file)))
}

#[cfg(not(unix))]
fn block_buffered(_stdout: &io::Stdout) -> Option<Box<dyn Write>> {
    None
}

/// The reports of `--reports`/REPORT that `--report` picks.
pub(crate) struct Picked {
    /// The reports kept, in order (at most the number asked for).
    pub reports: Vec<crossfoot_core::report::Report>,
    /// How many the inputs hold that `--report` picks (all, without it).
    pub found: usize,
}

/// `--prior -`: standard input is for the reports checked, not for previous ones.
pub(crate) fn prior_from_stdin(priors: &[PathBuf]) -> Option<String> {
    priors
        .iter()
        .any(|path| path.as_os_str() == "-")
        .then(|| "--prior -: standard input cannot be a previous report; give its file".to_owned())
}

/// The reports the inputs hold, read for `rules`, keeping the first `keep` that `wanted`
/// names (every one, without `wanted`) and counting the rest; every problem with the
/// inputs that is in the way otherwise. With `wanted`, a row that cannot be read and is
/// not the one named is not in the way, unless nothing is found: then it may be why.
pub(crate) fn read_reports(
    rules: &crossfoot_core::compile::RuleSet,
    paths: &[PathBuf],
    format: Option<InputFormatArg>,
    wanted: Option<&str>,
    keep: usize,
    reading: Option<&ReadingArgs>,
) -> Result<Picked, Vec<Error>> {
    let mut picked = Picked {
        reports: Vec::new(),
        found: 0,
    };
    let mut errors = Vec::new();
    let mut passed_over = Vec::new();
    let format = format.map(crossfoot_core::report::InputFormat::from);
    let mut inputs = crossfoot_core::report::Inputs::new(rules, paths.to_vec(), format);
    if let Some(reading) = reading {
        let map = reading
            .column_map(paths, format)
            .map_err(|error| vec![error])?;
        inputs = reading.apply(inputs, map);
    }
    for read in crossfoot_core::report::read_inputs(rules, inputs) {
        match read {
            Ok(report) => {
                if wanted.is_none_or(|wanted| crossfoot_core::report::names(report.meta(), wanted))
                {
                    picked.found += 1;
                    if picked.reports.len() < keep {
                        picked.reports.push(report);
                    }
                }
            }
            Err(unreadable) => {
                let in_the_way = match (wanted, &unreadable.meta.place) {
                    (Some(wanted), Some(_)) => {
                        crossfoot_core::report::names(&unreadable.meta, wanted)
                    }
                    _ => true,
                };
                if in_the_way {
                    errors.extend(unreadable.errors.into_iter().map(Error::from));
                } else if passed_over.len() < 10 {
                    passed_over.extend(unreadable.errors.into_iter().map(Error::from));
                }
            }
        }
    }
    if let (0, Some(wanted), true) = (picked.found, wanted, errors.is_empty()) {
        // Nothing is the report named: the rows that could not be read may be why.
        let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        errors = passed_over;
        errors.push(Error::NotOneReport {
            inputs: inputs.join(", "),
            problem: NotOne::NoneIs(wanted.to_owned()),
        });
    }
    if errors.is_empty() {
        Ok(picked)
    } else {
        Err(errors)
    }
}

/// What is wrong when `--report` (or its absence) does not pick exactly one report, said
/// of the inputs (`r.csv: no report is `R7``).
pub(crate) fn not_one(found: usize, wanted: Option<&str>, what: &'static str) -> Option<NotOne> {
    match (found, wanted) {
        (1, _) => None,
        (0, Some(wanted)) => Some(NotOne::NoneIs(wanted.to_owned())),
        (0, None) => Some(NotOne::Empty),
        (n, Some(wanted)) => Some(NotOne::SeveralAre(n, wanted.to_owned())),
        (n, None) => Some(NotOne::Several(n, what)),
    }
}

/// When the rules path of `crossfoot COMMAND RULES REPORT...` names a report (`-`, or a
/// `.yaml`, `.json`, `.jsonl` or `.csv` file): the arguments are in the wrong order, and
/// the problem says the right one, with the rule set found among the reports first.
pub(crate) fn misordered(command: &str, rules: &Path, reports: &[PathBuf]) -> Option<Error> {
    // A pack, waivers or test file is not a report: the rules path's own message says
    // what it is.
    let side_file = |path: &Path| {
        path.file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| {
                name == crossfoot_core::pack::FILE_NAME
                    || name == crossfoot_core::waiver::FILE_NAME
                    || name.ends_with(".test.yaml")
                    || name.ends_with(".test.yml")
            })
    };
    let report_like = |path: &Path| {
        path == Path::new("-")
            || crossfoot_core::report::InputFormat::of(path).is_some()
                && !path.is_dir()
                && !side_file(path)
    };
    if !report_like(rules) {
        return None;
    }
    let rule_like = |path: &&PathBuf| {
        path.extension().is_some_and(|e| e == "xfoot")
            || path.is_dir() && crossfoot_core::load::rule_files(path).is_ok()
    };
    let shown = |path: &Path| {
        let text = path.display().to_string();
        if text.contains([' ', '\'', '"']) {
            format!("'{}'", text.replace('\'', "'\\''"))
        } else {
            text
        }
    };
    let suggestion = match reports.iter().find(rule_like) {
        Some(found) => {
            let others = std::iter::once(rules)
                .chain(reports.iter().map(PathBuf::as_path))
                .filter(|path| *path != found.as_path())
                .map(shown)
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "write the rule set first: `crossfoot {command} {} {others}`",
                shown(found)
            )
        }
        None => {
            let all = std::iter::once(rules)
                .chain(reports.iter().map(PathBuf::as_path))
                .map(shown)
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "write the rule set (a `.xfoot` file or a directory of them) first: `crossfoot {command} RULES {all}`"
            )
        }
    };
    Some(Error::ArgumentOrder {
        given: rules.display().to_string(),
        suggestion,
    })
}

pub(crate) fn write_problems(
    human: &Human,
    errors: &[Error],
    err: &mut dyn Write,
) -> io::Result<()> {
    human.problems(errors, err)
}

pub(crate) fn use_color(choice: Color, terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

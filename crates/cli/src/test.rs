//! `crossfoot test`: examples, whole-report tests and mutants.

use std::io::{self, IsTerminal, Write};

use super::{ExitStatus, TestArgs, TestFormat, use_color, write_problems};
use crossfoot_core::load::load_rules;
use crossfoot_render::Human;

/// `crossfoot test`: examples, whole-report tests and, with `--mutate`, mutants.
pub fn test(args: &TestArgs) -> io::Result<ExitStatus> {
    use crossfoot_core::testing;

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
    if args.suggest {
        return suggest(args, rules, &mut out, &mut err, &problems);
    }
    let mut cases: Vec<crossfoot_render::TestCase> = Vec::new();
    for run in testing::run_examples(rules) {
        let diagnostic = (!run.ok).then(|| {
            human.diagnostic(&crossfoot_core::diagnostic::RuleDiagnostic::example(
                rules,
                run.rule,
                &run.status,
                &crossfoot_core::eval::WithPrior {
                    current: &run.amounts,
                    prior: run
                        .prior
                        .as_deref()
                        .ok_or(crossfoot_core::eval::NoPrior::NoneEarlier),
                },
                run.example.expect,
                run.example.span,
            ))
        });
        let (line, _) = rules
            .source_of(run.rule)
            .map_or((0, 0), |s| s.line_col(run.example.span.start));
        cases.push(crossfoot_render::TestCase {
            suite: "examples".to_owned(),
            name: format!(
                "{} {} (line {line})",
                run.rule.id(),
                run.example.expect.as_str()
            ),
            failure: diagnostic,
        });
    }
    let mut unusable = false;
    let files = match testing::test_files(&args.path) {
        Ok(files) => files,
        Err(error) => {
            write_problems(&problems, &[error], &mut err)?;
            unusable = true;
            Vec::new()
        }
    };
    for file in files {
        let test = match testing::load_report_test(&file, rules) {
            Ok(test) => test,
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                unusable = true;
                continue;
            }
        };
        let (result, report_cases) = match testing::run_report_test(rules, &test) {
            Ok(ran) => ran,
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                unusable = true;
                continue;
            }
        };
        for case in report_cases {
            let failure = (!case.ok).then(|| {
                let status = result.status(case.rule);
                let got = testing::verdict_words(&status);
                let mut text = format!(
                    "{}: rule `{}` should {}, but it {got}\n",
                    file.display(),
                    case.rule.id(),
                    case.expected.as_str()
                );
                let amounts = result.amounts(case.rule);
                if let Some(diagnostic) = crossfoot_core::diagnostic::RuleDiagnostic::new(
                    rules,
                    case.rule,
                    &status,
                    &amounts,
                    result.facts(),
                ) {
                    text.push_str(&human.diagnostic(&diagnostic));
                }
                text
            });
            cases.push(crossfoot_render::TestCase {
                suite: file.display().to_string(),
                name: case.rule.id().to_owned(),
                failure,
            });
        }
    }
    // The rule book beside the rules must be the current one.
    let book = args.path.join("BOOK.md");
    if args.path.is_dir() && book.is_file() {
        let current =
            crossfoot_core::files::read_source(&book, crossfoot_core::files::MAX_REPORT_BYTES)
                .map(|source| source.text().to_owned())
                .unwrap_or_default();
        let text = super::authoring::book_text(&args.path, rules, super::DocFormat::Markdown);
        // A checkout that turned line ends into CRLF holds the same book.
        let failure = (current.replace("\r\n", "\n") != text).then(|| {
            format!(
                "{}: not the current rule book: run `crossfoot doc {} --output {}`\n",
                book.display(),
                args.path.display(),
                book.display()
            )
        });
        cases.push(crossfoot_render::TestCase {
            suite: "book".to_owned(),
            name: book.display().to_string(),
            failure,
        });
    }
    let mut mutation = None;
    if args.mutate {
        let runs = testing::run_mutants(rules);
        let killed = runs.iter().filter(|r| r.killed).count();
        for run in &runs {
            let failure = (!run.killed).then(|| {
                human.diagnostic(&crossfoot_core::diagnostic::RuleDiagnostic::survivor(
                    rules,
                    run.rule,
                    &run.mutant.description,
                    run.mutant.span,
                ))
            });
            cases.push(crossfoot_render::TestCase {
                suite: "mutants".to_owned(),
                name: format!("{}: {}", run.rule.id(), run.mutant.description),
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
        TestFormat::Junit => write!(out, "{}", crossfoot_render::test_junit(&cases))?,
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

/// `crossfoot test --suggest`: examples from the solver for rules that lack one; exit 0
/// when none lacks one, 1 when some do, 2 without a solver.
fn suggest(
    args: &TestArgs,
    rules: &crossfoot_core::compile::RuleSet,
    out: &mut impl Write,
    err: &mut impl Write,
    problems: &Human,
) -> io::Result<ExitStatus> {
    let defaults = crossfoot_prove::Options::default();
    let options = crossfoot_prove::Options {
        solver: args.solver.clone(),
        as_of: None,
        timeout_ms: args
            .timeout
            .map_or(defaults.timeout_ms, |s| s.saturating_mul(1000)),
    };
    let suggestions = match crossfoot_prove::suggest(rules, &options) {
        Ok(suggestions) => suggestions,
        Err(error) => {
            problems.problems(&[error], err)?;
            return Ok(ExitStatus::Error);
        }
    };
    out.write_all(crossfoot_prove::suggestions_text(&suggestions).as_bytes())?;
    out.flush()?;
    Ok(if suggestions.is_empty() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

//! What `prove` and `diff --prove` print: for people, and Markdown for a pull request.
//! (JSON is the serialized [`Proof`] and [`Equivalence`].)

use std::fmt::Write as _;

use crate::{Equivalence, Kind, Proof, Witness};
use crossfoot_syntax::date::Date;

fn date(as_of: Option<Date>) -> String {
    as_of.map_or_else(
        || "a report without a date".to_owned(),
        |d| format!("as of {d}"),
    )
}

fn heading(kind: Kind) -> &'static str {
    match kind {
        Kind::Contradiction => "contradiction",
        Kind::NeverPasses => "never passes",
        Kind::NeverFails => "never fails",
        Kind::NeverApplies => "never applies",
        Kind::ConditionNeverHolds => "condition never holds",
        Kind::ReachableError => "reachable error",
        Kind::Implied => "implied (info)",
        Kind::Unknown => "unknown",
    }
}

/// A witness as the lines of a report, indented.
fn witness_lines(witness: &Witness, indent: &str) -> String {
    let mut text = String::new();
    for line in witness.yaml().lines() {
        let _ = writeln!(text, "{indent}{line}");
    }
    if let Some(prior) = witness.prior_yaml() {
        let _ = writeln!(text, "{indent}# the previous report:");
        for line in prior.lines() {
            let _ = writeln!(text, "{indent}{line}");
        }
    }
    text
}

/// `prove`'s findings for people.
pub fn proof_text(proof: &Proof) -> String {
    let mut text = String::new();
    for case in &proof.cases {
        let _ = write!(
            text,
            "{}: {} rules in force; one report passes {} of them together",
            date(case.as_of),
            case.rules,
            case.passing
        );
        if case.set_aside.is_empty() {
            text.push('\n');
        } else {
            let _ = writeln!(
                text,
                " (set aside: {})",
                case.set_aside
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    for finding in &proof.findings {
        let rules = quoted(&finding.rules);
        let _ = writeln!(
            text,
            "\n{}: {rules} ({})\n  {}",
            heading(finding.kind),
            date(finding.as_of),
            finding.message
        );
        if let Some(witness) = &finding.witness {
            text.push_str("  a report that shows it (checked):\n");
            text.push_str(&witness_lines(witness, "    "));
        }
    }
    let counted = proof.findings.iter().filter(|f| f.kind.counts()).count();
    let _ = writeln!(
        text,
        "\n{}",
        if counted == 0 {
            "prove: nothing found".to_owned()
        } else {
            format!(
                "prove: {counted} finding{}",
                if counted == 1 { "" } else { "s" }
            )
        }
    );
    text
}

/// `prove`'s findings in Markdown.
pub fn proof_markdown(proof: &Proof) -> String {
    let mut text =
        "## crossfoot prove\n\n| date | rules in force | passing together |\n|---|---|---|\n"
            .to_owned();
    for case in &proof.cases {
        let _ = writeln!(
            text,
            "| {} | {} | {} |",
            case.as_of
                .map_or_else(|| "no date".to_owned(), |d| d.to_string()),
            case.rules,
            case.passing
        );
    }
    if proof.findings.is_empty() {
        text.push_str("\nNothing found.\n");
    }
    for finding in &proof.findings {
        let rules = quoted(&finding.rules);
        let _ = writeln!(
            text,
            "\n- **{}**: {rules}: {}",
            heading(finding.kind),
            finding.message.replace('|', "\\|")
        );
        if let Some(witness) = &finding.witness {
            let _ = write!(text, "\n  ```yaml\n{}  ```\n", witness_lines(witness, "  "));
        }
    }
    text
}

/// `diff --prove` for people.
pub fn diff_text(result: &Equivalence, witness_file: Option<&str>) -> String {
    let mut text = String::new();
    if result.compared.is_empty() {
        text.push_str("no rule changed in meaning: no report can get a different verdict\n");
        return text;
    }
    let _ = writeln!(
        text,
        "rules compared: {}",
        result
            .compared
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for case in &result.cases {
        let said = match case.answer {
            "same" => "proved: no report gets a different verdict",
            "differs" => "a report gets a different verdict",
            _ => "unknown",
        };
        let _ = writeln!(text, "{}: {said}", date(case.as_of));
    }
    if let Some(witness) = &result.witness {
        text.push_str("\nwitness (checked by the engine under both rule sets):\n");
        text.push_str(&witness_lines(witness, "  "));
        for flip in &result.flips {
            let _ = writeln!(
                text,
                "  {}: {} → {}{}",
                flip.rule,
                flip.old,
                flip.new,
                flip.detail
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
        }
        if let Some(file) = witness_file {
            let _ = writeln!(text, "written to {file}");
        }
    }
    for unknown in &result.unknown {
        let _ = writeln!(text, "unknown: {unknown}");
    }
    text
}

/// `diff --prove` in Markdown, for the pull-request comment.
pub fn diff_markdown(result: &Equivalence) -> String {
    let mut text = "## crossfoot diff --prove\n\n".to_owned();
    if result.proved_same() {
        text.push_str("**Proved:** no report gets a different verdict under the new rules.\n");
    } else if result.witness.is_some() {
        text.push_str("**A report gets a different verdict** (checked by the engine):\n\n| rule | old | new |\n|---|---|---|\n");
        for flip in &result.flips {
            let _ = writeln!(text, "| `{}` | {} | {} |", flip.rule, flip.old, flip.new);
        }
    } else {
        text.push_str("**Not decided:** the solver could not prove the change flips no verdict.\n");
    }
    if let Some(witness) = &result.witness {
        let _ = write!(text, "\n```yaml\n{}```\n", witness_lines(witness, ""));
    }
    for unknown in &result.unknown {
        let _ = writeln!(text, "\n- unknown: {}", unknown.replace('|', "\\|"));
    }
    text
}

/// Rules as a list in code quotes: `` `a`, `b` ``.
fn quoted(rules: &[String]) -> String {
    let quoted: Vec<String> = rules.iter().map(|rule| format!("`{rule}`")).collect();
    quoted.join(", ")
}

/// `crossfoot test --suggest` for people: each rule lacking an example, where to paste
/// the examples found, and why any was not found (as comments, so the indented block
/// pastes as it is).
pub fn suggestions_text(suggestions: &[crate::Suggestion]) -> String {
    let mut text = String::new();
    let mut found = 0;
    let mut missing = 0;
    for suggestion in suggestions {
        let kinds: Vec<&str> = suggestion
            .examples
            .iter()
            .filter_map(|e| e.split_whitespace().next())
            .chain(suggestion.missing.iter().map(|(kind, _)| kind.as_str()))
            .map(|kind| {
                if kind == "passes" {
                    "passing"
                } else {
                    "failing"
                }
            })
            .collect();
        let _ = write!(
            text,
            "{}:{}: `{}` has no {} example",
            suggestion.file,
            suggestion.line,
            suggestion.rule,
            kinds.join(" or ")
        );
        if suggestion.examples.is_empty() {
            text.push('\n');
        } else {
            let _ = writeln!(text, "; paste after line {}:", suggestion.line);
        }
        for example in &suggestion.examples {
            let _ = writeln!(text, "  {example}");
        }
        if !suggestion.examples.is_empty() && !suggestion.realistic {
            text.push_str(
                "  # another rule that reads these lines fails on one of them: no example keeps them all\n",
            );
        }
        for (kind, why) in &suggestion.missing {
            let _ = writeln!(text, "  # no `{kind}` example: {why}");
        }
        text.push('\n');
        found += suggestion.examples.len();
        missing += suggestion.missing.len();
    }
    if suggestions.is_empty() {
        text.push_str("suggest: every rule has a passing and a failing example\n");
    } else {
        let _ = write!(
            text,
            "suggest: {found} example{} for {} rule{}",
            if found == 1 { "" } else { "s" },
            suggestions.len(),
            if suggestions.len() == 1 { "" } else { "s" }
        );
        if missing > 0 {
            let _ = write!(text, "; {missing} not found");
        }
        text.push('\n');
    }
    text
}

//! The line catalogue: every line of the form, its label, its page, and whether the form
//! prints it as a deduction. Built from the `page` declarations of a rule set.

use crossfoot_syntax::line::CodeMap;

use crossfoot_syntax::ast::LineKind;
use crossfoot_syntax::date::{Date, Period};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// The declared lines of a rule set. Empty when no file declares a page, and then any
/// line code may be used.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub(super) pages: Vec<PageInfo>,
    pub(super) lines: CodeMap<LineInfo>,
}

/// A page of the form.
#[derive(Clone, Debug)]
pub struct PageInfo {
    /// `seg`
    pub id: String,
    /// The page's title on the form.
    pub title: String,
    /// Its lines, in the form's order.
    pub lines: Vec<LineCode>,
}

/// One declared line.
#[derive(Clone, Debug)]
pub struct LineInfo {
    /// The form's label: of the latest edition, when the label changes with the form.
    pub label: String,
    /// Each edition's label with the days it is the form's, in the order declared, when
    /// the line is declared with `effective` periods; empty when it has one label.
    pub labels: Vec<(Period, String)>,
    /// Index of its page in [`Catalogue::pages`].
    pub page: usize,
    /// Whether the form prints it as a deduction (stored negative).
    pub deduction: bool,
    /// Whether it is a total or subtotal: blank, it skips the rules that read it.
    pub total: bool,
    /// What its amount is: money, a percentage or a ratio.
    pub kind: LineKind,
    /// The file that declares it.
    pub source: usize,
    /// The declaration.
    pub span: Span,
}

impl LineInfo {
    /// The label, or for a label that changes with the form each edition's with its days:
    /// `8% of line A.i (through 2027-02-28); 10% of line A.i (from 2027-03-01)`.
    pub fn editions(&self) -> String {
        if self.labels.is_empty() {
            return self.label.clone();
        }
        let editions: Vec<String> = self
            .labels
            .iter()
            .map(|(period, label)| format!("{label} ({period})"))
            .collect();
        editions.join("; ")
    }
}

impl Catalogue {
    /// Whether any page is declared.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The pages, in declaration order.
    pub fn pages(&self) -> &[PageInfo] {
        &self.pages
    }

    /// A declared line.
    pub fn line(&self, code: LineCode) -> Option<&LineInfo> {
        self.lines.get(&code)
    }

    /// A line's label, if declared: of the latest edition when it changes with the form.
    pub fn label(&self, code: LineCode) -> Option<&str> {
        self.lines.get(&code).map(|info| info.label.as_str())
    }

    /// A line's label on a report's date: the edition in force that day (the latest when
    /// the report has no date, or no edition covers the day).
    pub fn label_on(&self, code: LineCode, date: Option<Date>) -> Option<&str> {
        let info = self.lines.get(&code)?;
        let dated = date.and_then(|date| {
            info.labels
                .iter()
                .find(|(period, _)| period.contains(date))
                .map(|(_, label)| label.as_str())
        });
        Some(dated.unwrap_or(info.label.as_str()))
    }

    /// The declared line closest to a mistyped code: one digit off (changed, missing or
    /// extra) or two adjacent digits swapped, numerically nearest first.
    pub fn suggest(&self, code: LineCode) -> Option<(LineCode, &LineInfo)> {
        let typed = code.to_string();
        self.lines
            .iter()
            .filter(|(known, _)| one_edit_apart(&typed, &known.to_string()))
            .min_by_key(|(known, _)| {
                let a: u128 = typed.parse().unwrap_or(0);
                let b: u128 = known.to_string().parse().unwrap_or(0);
                (a.abs_diff(b), known.to_string())
            })
            .map(|(known, info)| (*known, info))
    }
}

/// Whether two strings differ by one changed, inserted or deleted character, or by two
/// adjacent characters swapped (`9002` for `9020`).
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            let differ: Vec<usize> = (0..a.len()).filter(|&i| a.get(i) != b.get(i)).collect();
            match differ.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a.get(*i) == b.get(*j) && a.get(*j) == b.get(*i),
                _ => false,
            }
        }
        1 => {
            let prefix = short
                .iter()
                .zip(long.iter())
                .take_while(|(x, y)| x == y)
                .count();
            short.get(prefix..) == long.get(prefix + 1..)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(one_edit_apart("7191", "7190"));
        assert!(one_edit_apart("719", "7190"));
        assert!(one_edit_apart("71900", "7190"));
        assert!(!one_edit_apart("7190", "7190"));
        assert!(!one_edit_apart("7201", "7190"));
        assert!(one_edit_apart("9002", "9020"));
        assert!(one_edit_apart("7109", "7190"));
        assert!(!one_edit_apart("9200", "9002"));
        assert!(!one_edit_apart("7019", "7190"));
    }
}

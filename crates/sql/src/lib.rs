//! `crossfoot sql`: a checked rule set compiled into one SQL query for DuckDB or Spark that
//! gives exactly the verdicts `check` gives, one row per failing rule per report.
//!
//! Exactness is decided here, at compile time, from the same checked rules the evaluator
//! runs. Every amount is read as `DECIMAL(p, s)` (the `--precision` and `--scale` of the
//! input; text with more decimals, or that is not a plain decimal, stops the query with an
//! error instead of being rounded), and every intermediate value is cast to a `DECIMAL`
//! whose scale is its exact scale and whose width is a proven bound on its digits, so no
//! engine rule (mixed scales in `GREATEST`/`CASE`, decimal division to `DOUBLE`, float
//! literals, precision loss past 38 digits) can round anything. Division by a constant is
//! multiplication by its exact reciprocal; what has no exact SQL form (division by a line,
//! a reciprocal that does not terminate, a value past 38 digits, `within rounding`,
//! `prior(…)`) is refused with a diagnostic at the rule's span, never compiled inexactly.

mod error;
mod expr;

use std::cmp::Ordering;
use std::fmt::Write as _;

pub use error::SqlError;
use expr::{Compiler, Typed, literal, sql_op};

use crossfoot_core::compile::{CheckedRule, RuleSet, Within};
use crossfoot_core::diagnostic::failure_message;
use crossfoot_core::unit::Unit;
use crossfoot_syntax::ast::CmpOp;
use crossfoot_syntax::line::LineCode;

/// The SQL engine the query is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB (1.x).
    DuckDb,
    /// Spark SQL, with `spark.sql.ansi.enabled=true`.
    Spark,
}

/// How the input table holds the reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `report_id`, then one column per line code (named by the code).
    Wide,
    /// `report_id, line, amount` rows.
    Long,
}

/// What to compile for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The engine.
    pub dialect: Dialect,
    /// The input table's layout.
    pub layout: Layout,
    /// The input table (or view), possibly qualified: `reports`, `db.reports`.
    pub table: String,
    /// The digits of an amount, decimals included: amounts are read as
    /// `DECIMAL(precision, scale)`.
    pub precision: u32,
    /// The decimals an amount may have.
    pub scale: u32,
    /// Whether the amount columns hold text (validated as plain decimals) or numbers
    /// (checked to fit the type exactly).
    pub input: Input,
    /// The unit every report is printed in; `None`: each report's own, from the table's
    /// `unit` column (blank is dollars), read only when a rule's verdict depends on it (a
    /// `$` constant or tolerance other than zero).
    pub unit: Option<Unit>,
}

/// What the amount columns of the input table hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Input {
    /// Text (`'1234.56'`), as a CSV file read as text gives it.
    #[default]
    Text,
    /// Numbers: `DECIMAL` columns with at most `scale` decimals, or integer columns, each
    /// value cast to `DECIMAL(precision, scale)` by the engine's checked cast.
    Decimal,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dialect: Dialect::DuckDb,
            layout: Layout::Wide,
            table: "reports".to_owned(),
            precision: 15,
            scale: 2,
            input: Input::Text,
            unit: None,
        }
    }
}

/// The most digits an engine's `DECIMAL` holds.
const MAX_DIGITS: u32 = 38;

/// The query for a rule set: the failing rules of every report of the input table, or
/// every reason the rules cannot be compiled exactly.
pub fn compile(rules: &RuleSet, options: &Options) -> Result<String, Vec<SqlError>> {
    if options.scale > options.precision || options.precision > MAX_DIGITS || options.precision == 0
    {
        return Err(vec![SqlError::Options {
            precision: options.precision,
            scale: options.scale,
        }]);
    }
    let mut compiled = Vec::with_capacity(rules.rules().len());
    let mut errors = Vec::new();
    let mut reads_unit = false;
    for rule in rules.rules() {
        match compile_rule(rules, rule, options) {
            Ok((parts, by_unit)) => {
                reads_unit |= by_unit;
                compiled.push((rule, parts));
            }
            Err(mut found) => errors.append(&mut found),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let lines = lines_read(rules);
    let dated = rules.rules().iter().any(|rule| !rule.period().is_always());
    let sql = Sql::new(options, reads_unit);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- crossfoot sql: {} rules, {} lines, amounts as DECIMAL({}, {}); one row per failing rule per report.",
        compiled.len(),
        lines.len(),
        options.precision,
        options.scale
    );
    out.push_str("WITH ");
    out.push_str(&sql.typed(&lines, dated));
    if options.dialect == Dialect::Spark {
        out.push('\n');
        out.push_str(&sql.branches(&compiled));
        return Ok(out);
    }
    out.push_str(",\nchecked AS (\n  SELECT *");
    for (index, (_, parts)) in compiled.iter().enumerate() {
        let _ = write!(out, ",\n    {} AS f{index}", parts.violated);
    }
    out.push_str("\n  FROM typed\n),\nfailing AS (\n  SELECT * FROM checked WHERE ");
    // A report whose text the screen refused is kept whatever its rules say, in either order
    // an engine evaluates this OR, and stops the query below: so a bad amount stops it even
    // in a line no rule in force reads.
    let mut kept: Vec<String> = (0..compiled.len())
        .map(|index| format!("f{index}"))
        .collect();
    if sql.screens_reports() {
        kept.insert(0, "problem IS NOT NULL".to_owned());
    }
    if kept.is_empty() {
        kept.push("FALSE".to_owned());
    }
    out.push_str(&kept.join(" OR "));
    out.push_str("\n)\n");
    out.push_str(&sql.rows(&compiled));
    Ok(out)
}

/// One rule compiled, and whether its parts depend on each report's unit (read from the
/// `unit` column). The rule is compiled for reports printed in each unit, through the one
/// reading of a money constant ([`Money::in_unit`](crossfoot_core::compile::Money::in_unit)); where
/// the compilations differ, the parts pick by the report's unit.
fn compile_rule(
    rules: &RuleSet,
    rule: &CheckedRule,
    options: &Options,
) -> Result<(RuleParts, bool), Vec<SqlError>> {
    let units: &[Unit] = match &options.unit {
        Some(unit) => std::slice::from_ref(unit),
        None => &Unit::ALL,
    };
    let mut branches = Vec::with_capacity(units.len());
    for &unit in units {
        let mut compiler = Compiler::new(rules, rule, options, unit);
        match compiler.rule() {
            Some(parts) if compiler.errors.is_empty() => branches.push((unit, parts)),
            _ => return Err(compiler.errors),
        }
    }
    let mut branches = branches.into_iter();
    let Some((_, first)) = branches.next() else {
        return Err(Vec::new());
    };
    let others: Vec<(Unit, RuleParts)> = branches.collect();
    if others.iter().all(|(_, parts)| parts.same_as(&first)) {
        return Ok((first, false));
    }
    Ok((RuleParts::by_unit(first, others), true))
}

/// Every line the rules read, in slot order.
fn lines_read(rules: &RuleSet) -> Vec<LineCode> {
    let mut lines: Vec<LineCode> = Vec::new();
    for rule in rules.rules() {
        for code in rule.lines() {
            if !lines.contains(code) {
                lines.push(*code);
            }
        }
    }
    lines
}

/// One rule compiled: whether it fails, and its numbers when it does.
pub(crate) struct RuleParts {
    /// A boolean: the rule is in force, its condition holds, it read an amount, no total
    /// it reads is blank, and the assertion does not hold.
    pub(crate) fail: String,
    /// The same without the blank tests: true for every report the rule fails (and a few
    /// where every line it reads is blank), and cheaper, so it filters first.
    pub(crate) violated: String,
    /// The blank tests alone (`TRUE` when there are none).
    pub(crate) present: String,
    pub(crate) left: Typed,
    pub(crate) right: Typed,
    pub(crate) difference: Typed,
    pub(crate) tolerance: Typed,
}

impl RuleParts {
    /// Whether two compilations are the same query.
    fn same_as(&self, other: &RuleParts) -> bool {
        self.fail == other.fail
            && self.violated == other.violated
            && self.left.sql == other.left.sql
            && self.right.sql == other.right.sql
            && self.difference.sql == other.difference.sql
            && self.tolerance.sql == other.tolerance.sql
    }

    /// The parts of a rule compiled for dollars (`dollars`) and for other units, picked by
    /// each report's unit (`crossfoot_unit`, the unit's power of ten).
    fn by_unit(dollars: RuleParts, others: Vec<(Unit, RuleParts)>) -> RuleParts {
        let pick = |part: &dyn Fn(&RuleParts) -> String| {
            let mut sql = String::from("CASE crossfoot_unit");
            for (unit, parts) in &others {
                let _ = write!(sql, " WHEN {} THEN ({})", unit.exponent(), part(parts));
            }
            let _ = write!(sql, " ELSE ({}) END", part(&dollars));
            sql
        };
        let typed = |part: &dyn Fn(&RuleParts) -> &Typed| {
            let others: Vec<(Unit, &Typed)> = others.iter().map(|(u, p)| (*u, part(p))).collect();
            Typed::by_unit(part(&dollars), &others)
        };
        RuleParts {
            fail: pick(&|p| p.fail.clone()),
            violated: pick(&|p| p.violated.clone()),
            present: dollars.present.clone(),
            left: typed(&|p| &p.left),
            right: typed(&|p| &p.right),
            difference: typed(&|p| &p.difference),
            tolerance: typed(&|p| &p.tolerance),
        }
    }
}

/// Dialect-specific spellings.
struct Sql<'a> {
    options: &'a Options,
    /// Whether a rule's parts depend on each report's unit: the table's `unit` column is
    /// read into `crossfoot_unit`.
    reads_unit: bool,
}

impl<'a> Sql<'a> {
    fn new(options: &'a Options, reads_unit: bool) -> Self {
        Sql {
            options,
            reads_unit,
        }
    }

    fn spark(&self) -> bool {
        self.options.dialect == Dialect::Spark
    }

    /// A quoted identifier.
    fn ident(&self, name: &str) -> String {
        ident(self.options.dialect, name)
    }

    fn table(&self) -> String {
        self.options
            .table
            .split('.')
            .map(|part| self.ident(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Whether `text` holds a match of the regular expression `pattern` (anchor it for a
    /// whole match; the pattern has no quote or backslash).
    fn matches(&self, text: &str, pattern: &str) -> String {
        if self.spark() {
            format!("{text} RLIKE '{pattern}'")
        } else {
            format!("regexp_matches({text}, '{pattern}')")
        }
    }

    /// Whether the query screens each report's text as a whole (DuckDB over text), with a
    /// `problem` column that stops the query.
    fn screens_reports(&self) -> bool {
        self.options.input == Input::Text && !self.spark()
    }

    fn text_type(&self) -> &'static str {
        if self.spark() { "STRING" } else { "VARCHAR" }
    }

    /// The CTEs that read the input, ending in `typed`: each report's id, date and amounts,
    /// read exactly.
    fn typed(&self, lines: &[LineCode], dated: bool) -> String {
        let text = self.text_type();
        let amounts = ("l", self.decimal());
        match (self.options.input, self.options.dialect) {
            (Input::Decimal, _) => format!(
                "typed AS (\n{})",
                self.source(lines, dated, (amounts.0, &amounts.1), |raw, code| {
                    self.declared(raw, code)
                })
            ),
            // Spark runs one branch per rule, each keeping only the columns its rule reads:
            // each amount is screened on its own, so a branch screens what it reads, and one
            // more branch screens every report as a whole (see `branches`).
            (Input::Text, Dialect::Spark) => format!(
                "texts AS (\n{}),\nscreened AS (\n{}),\ntyped AS (\n{})",
                self.source(lines, dated, ("t", text), |raw, _| {
                    format!("NULLIF(CAST({raw} AS {text}), '')")
                }),
                self.screened(lines),
                self.source(lines, dated, (amounts.0, &amounts.1), |raw, code| {
                    self.screened_cell(&format!("NULLIF(CAST({raw} AS {text}), '')"), code)
                })
            ),
            // DuckDB runs every rule in one pass over every amount: the report is screened
            // once, as a whole.
            (Input::Text, Dialect::DuckDb) => format!(
                "texts AS (\n{}),\nscreened AS (\n{}),\ntyped AS (\n{})",
                self.source(lines, dated, ("t", text), |raw, _| {
                    format!("NULLIF(CAST({raw} AS {text}), '')")
                }),
                self.screened(lines),
                self.parsed(lines, dated)
            ),
        }
    }

    /// Each report's id, date and one column per line (`{prefix}{code}` of type `ty`, made
    /// by `cell` from the line's raw value), from either layout.
    fn source(
        &self,
        lines: &[LineCode],
        dated: bool,
        (prefix, ty): (&str, &str),
        cell: impl Fn(&str, LineCode) -> String,
    ) -> String {
        let mut out = String::new();
        let _ = write!(out, "  SELECT {} AS report_id", self.report_id_text());
        match self.options.layout {
            Layout::Wide => {
                if dated {
                    let date = self.date(&self.ident("as_of"));
                    let _ = write!(out, ",\n    {date} AS as_of");
                }
                if self.reads_unit {
                    let unit = self.unit(&self.ident("unit"));
                    let _ = write!(out, ",\n    COALESCE({unit}, 0) AS crossfoot_unit");
                }
                for code in lines {
                    let column = self.ident(&code.to_string());
                    let _ = write!(out, ",\n    {} AS {prefix}{code}", cell(&column, *code));
                }
                let _ = write!(out, "\n  FROM {}\n", self.table());
            }
            Layout::Long => {
                if dated {
                    let date = self.date(&self.ident("as_of"));
                    let one = self.one_per_report(&date, "as_of", "DATE");
                    let _ = write!(out, ",\n    {one} AS as_of");
                }
                if self.reads_unit {
                    let unit = self.unit(&self.ident("unit"));
                    let one = self.one_per_report(&unit, "unit", "INTEGER");
                    let _ = write!(out, ",\n    COALESCE({one}, 0) AS crossfoot_unit");
                }
                let amount = self.ident("amount");
                for code in lines {
                    let here = format!("crossfoot_line = '{code}'");
                    let count = format!("COUNT(CASE WHEN {here} THEN 1 END)");
                    let raw = format!("MAX(CASE WHEN {here} THEN {amount} END)");
                    let value = cell(&raw, *code);
                    let twice = self.raise(
                        &format!(
                            "'report ' || {} || ': line {code} appears twice'",
                            self.report_id_text()
                        ),
                        ty,
                    );
                    let _ = write!(
                        out,
                        ",\n    CASE WHEN {count} > 1 THEN {twice} ELSE {value} END AS {prefix}{code}"
                    );
                }
                let _ = write!(
                    out,
                    "\n  FROM (SELECT *, {} AS crossfoot_line FROM {}) AS input\n  GROUP BY {}\n",
                    self.line_code(),
                    self.table(),
                    self.ident("report_id")
                );
            }
        }
        out
    }

    /// A report's date from the text of `column`: blank is none, `YYYY-MM-DD` a day that
    /// exists is read, anything else stops the query, as `check` refuses it (no era, time,
    /// zone, other separator or missing zero).
    fn date(&self, column: &str) -> String {
        let text = format!("NULLIF(TRIM(CAST({column} AS {})), '')", self.text_type());
        let shaped = self.matches(&text, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
        let refused = self.raise(
            &format!(
                "'report ' || {} || ': as_of `' || {text} || '` is not a date: write YYYY-MM-DD'",
                self.report_id_text()
            ),
            "DATE",
        );
        format!(
            "CASE WHEN {text} IS NULL THEN CAST(NULL AS DATE) WHEN {shaped} AND TRY_CAST({text} AS DATE) IS NOT NULL THEN CAST({text} AS DATE) ELSE {refused} END"
        )
    }

    /// A report's unit from the text of `column`, as its power of ten (0, 3, 6, 9): blank is
    /// none (dollars), each unit by its name or number as `check` reads it, anything else
    /// stops the query.
    fn unit(&self, column: &str) -> String {
        let text = format!("NULLIF(TRIM(CAST({column} AS {})), '')", self.text_type());
        let lower = format!("LOWER({text})");
        let digits = format!("REPLACE(REPLACE({lower}, ',', ''), '_', '')");
        let mut sql = format!("CASE WHEN {text} IS NULL THEN CAST(NULL AS INTEGER)");
        for unit in Unit::ALL {
            let _ = write!(
                sql,
                " WHEN {lower} = '{}' OR {digits} = '{}' THEN {}",
                unit.name(),
                unit.digits(),
                unit.exponent()
            );
        }
        let refused = self.raise(
            &format!(
                "'report ' || {} || ': `' || {text} || '` is not a unit: write `dollars`, `thousands`, `millions` or `billions` (or 1, 1000, 1000000, 1000000000)'",
                self.report_id_text()
            ),
            "INTEGER",
        );
        let _ = write!(sql, " ELSE {refused} END");
        sql
    }

    /// A long layout report's one value of `per_row` (a date or a unit, NULL where a row
    /// leaves it blank): two different values among its rows stop the query.
    fn one_per_report(&self, per_row: &str, name: &str, ty: &str) -> String {
        let refused = self.raise(
            &format!(
                "'report ' || {} || ': its rows give two different values of {name}'",
                self.report_id_text()
            ),
            ty,
        );
        format!("CASE WHEN MIN({per_row}) <> MAX({per_row}) THEN {refused} ELSE MAX({per_row}) END")
    }

    /// `DECIMAL(precision, scale)`.
    fn decimal(&self) -> String {
        format!(
            "DECIMAL({}, {})",
            self.options.precision, self.options.scale
        )
    }

    /// A test that is true for text a cast to the amount type could round or misread:
    /// more decimals than the type keeps (anything after the point past the scale, spaces
    /// included), an exponent (`1e-5`) or a digit separator (`5_0`). Anything else that is
    /// not a number makes the cast itself fail (`+5`, `.5` and `5.` read as what they spell).
    /// `joined`: the text is a report's amounts joined by `|`, which no amount holds.
    fn unreadable(&self, text: &str, joined: bool) -> String {
        let scale = self.options.scale as usize;
        let has = |needle: &str| {
            if self.spark() {
                format!("instr({text}, '{needle}') > 0")
            } else {
                format!("contains({text}, '{needle}')")
            }
        };
        let decimals = if joined {
            self.matches(text, &format!("[.][^|]{{{}}}", scale + 1))
        } else {
            format!("{text} LIKE '%.{}%'", "_".repeat(scale + 1))
        };
        format!("{} OR {} OR {} OR {decimals}", has("e"), has("E"), has("_"))
    }

    /// Why `text`, the amount of line `code`, stops the query.
    fn refusal(&self, text: &str, code: LineCode) -> String {
        format!(
            "'line {code}: ' || {text} || ' is not an amount of at most {} digits before the point and {} decimals (--precision {} --scale {})'",
            self.options.precision - self.options.scale,
            self.options.scale,
            self.options.precision,
            self.options.scale
        )
    }

    /// One amount from its text (NULL when blank), read exactly or stopping the query.
    fn screened_cell(&self, text: &str, code: LineCode) -> String {
        let message = format!(
            "'report ' || {} || ': ' || {}",
            self.report_id_text(),
            self.refusal(text, code)
        );
        format!(
            "CASE WHEN {} THEN {} ELSE CAST({text} AS {}) END",
            self.unreadable(text, false),
            self.raise(&message, &self.decimal()),
            self.decimal()
        )
    }

    /// The texts with `problem`: NULL when every amount of the report is a plain decimal
    /// the type holds exactly, else what stops the query. The test runs once per report,
    /// on its amounts joined by `|`: a few byte searches over one string cost far less than
    /// a pattern per cell, and only a report that fails it is searched cell by cell for the
    /// message.
    fn screened(&self, lines: &[LineCode]) -> String {
        if lines.is_empty() {
            return format!(
                "  SELECT *, CAST(NULL AS {}) AS problem FROM texts\n",
                self.text_type()
            );
        }
        let decimal = self.decimal();
        let cells: Vec<String> = lines.iter().map(|code| format!("t{code}")).collect();
        // A cell that is not a number at all: text the cast could not read.
        let not_a_number = |code: &LineCode| format!("(t{code} IS NOT NULL AND r{code} IS NULL)");
        let reasons: Vec<String> = lines
            .iter()
            .zip(&cells)
            .map(|(code, cell)| {
                format!(
                    "CASE WHEN {} OR {} THEN {} END",
                    self.unreadable(cell, false),
                    not_a_number(code),
                    self.refusal(cell, *code)
                )
            })
            .collect();
        let unread: Vec<String> = lines.iter().map(not_a_number).collect();
        let read: Vec<String> = lines
            .iter()
            .map(|code| format!("TRY_CAST(t{code} AS {decimal}) AS r{code}"))
            .collect();
        format!(
            "  SELECT *, CASE WHEN {} OR {} THEN 'report ' || report_id || ': ' || concat_ws('; ', {}) END AS problem\n  FROM (SELECT *, concat_ws('|', {}) AS amounts,\n    {}\n    FROM texts)\n",
            self.unreadable("amounts", true),
            unread.join(" OR "),
            reasons.join(", "),
            cells.join(", "),
            read.join(",\n    ")
        )
    }

    /// The amounts of the screened texts, each read only where its report has no problem,
    /// so no value is read from a report the screen refused, whichever columns a plan
    /// keeps; `problem` goes on, so that every report with one stops the query, read or
    /// not (see `compile`).
    fn parsed(&self, lines: &[LineCode], dated: bool) -> String {
        let mut out = String::from("  SELECT report_id, problem");
        if dated {
            out.push_str(", as_of");
        }
        if self.reads_unit {
            out.push_str(", crossfoot_unit");
        }
        let decimal = self.decimal();
        let refused = self.raise("problem", &decimal);
        for code in lines {
            let _ = write!(
                out,
                ",\n    CASE WHEN problem IS NULL THEN r{code} ELSE {refused} END AS l{code}"
            );
        }
        out.push_str("\n  FROM screened\n");
        out
    }

    /// A long layout row's line code, as text: digits only (around spaces), as `check`
    /// reads a long report; anything else (`7010.0`, `abc`, a float column) stops the query,
    /// where matching it to no line would read the line as blank.
    fn line_code(&self) -> String {
        let line = format!("TRIM(CAST({} AS {}))", self.ident("line"), self.text_type());
        let digits = self.matches(&line, "^[0-9]+$");
        let refused = self.raise(
            &format!(
                "'report ' || {} || ': ' || {line} || ' is not a line code: a line code is digits only'",
                self.report_id_text()
            ),
            self.text_type(),
        );
        format!("CASE WHEN {digits} THEN {line} ELSE {refused} END")
    }

    /// The report's id as text; a missing id is empty, as `check` reads it.
    fn report_id_text(&self) -> String {
        format!(
            "COALESCE(CAST({} AS {}), '')",
            self.ident("report_id"),
            self.text_type()
        )
    }

    /// An error that stops the query, typed as `ty`. The message is never NULL: DuckDB's
    /// `error(NULL)` returns NULL instead of stopping.
    fn raise(&self, message: &str, ty: &str) -> String {
        let message = format!("COALESCE({message}, 'crossfoot: an amount the query cannot read')");
        if self.spark() {
            format!("CAST(raise_error({message}) AS {ty})")
        } else {
            format!("CAST(error({message}) AS {ty})")
        }
    }

    /// An amount from a number column (`--input decimal`): a `DECIMAL` of any width with at
    /// most `scale` decimals, or an integer. The type is checked by name (engines fold
    /// `typeof` to a constant, so the test costs nothing per row); a column with more
    /// decimals, a float or text is refused, since casting those could round. The value is
    /// cast to `DECIMAL(precision, scale)` by the engine's checked cast: an amount with more
    /// digits stops the query, and a column already of that type is left as it is.
    fn declared(&self, column: &str, code: LineCode) -> String {
        let scale = self.options.scale;
        let scales = (0..=scale)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("|");
        let (decimal, integers) = if self.spark() {
            ("decimal", "tinyint|smallint|int|bigint")
        } else {
            (
                "DECIMAL",
                "TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT",
            )
        };
        let test = self.matches(
            &format!("typeof({column})"),
            &format!("^({decimal}[(][0-9]+,({scales})[)]|{integers})$"),
        );
        let wrong = self.raise(
            &format!(
                "'line {code}: the column is ' || typeof({column}) || ', not a DECIMAL with at most {scale} decimals or an integer (--input decimal)'"
            ),
            &self.decimal(),
        );
        format!(
            "CASE WHEN {test} THEN CAST({column} AS {}) ELSE {wrong} END",
            self.decimal()
        )
    }

    /// The failing rows, one per failing rule per report.
    fn rows(&self, compiled: &[(&CheckedRule, RuleParts)]) -> String {
        let dialect = self.options.dialect;
        let text = self.text_type();
        // Each failing report unnests the numbers of the rules it fails (a NULL for each
        // other rule), and each field picks its value by the rule's number: only the
        // failing rules' amounts are ever formatted.
        let mut failed: Vec<String> = compiled
            .iter()
            .enumerate()
            .map(|(index, (_, parts))| {
                format!("CASE WHEN f{index} AND {} THEN {index} END", parts.present)
            })
            .collect();
        if self.screens_reports() {
            failed.insert(
                0,
                format!(
                    "CASE WHEN problem IS NOT NULL THEN {} END",
                    self.raise("problem", "INTEGER")
                ),
            );
        }
        if failed.is_empty() {
            failed.push("CAST(NULL AS INTEGER)".to_owned());
        }
        let pick = |name: &str, value: &dyn Fn(&CheckedRule, &RuleParts) -> String| {
            if compiled.is_empty() {
                return format!("CAST(NULL AS {text}) AS {name}");
            }
            let mut out = String::from("CASE n");
            for (index, (rule, parts)) in compiled.iter().enumerate() {
                let _ = write!(out, " WHEN {index} THEN {}", value(rule, parts));
            }
            let _ = write!(out, " END AS {name}");
            out
        };
        let shown = |value: &Typed| format!("CAST({} AS {text})", value.sql);
        let columns = [
            pick("rule", &|rule, _| literal(dialect, rule.id())),
            pick("severity", &|rule, _| {
                literal(dialect, rule.severity().as_str())
            }),
            "'fail' AS status".to_owned(),
            pick("\"left\"", &|_, parts| shown(&parts.left)),
            pick("\"right\"", &|_, parts| shown(&parts.right)),
            pick("difference", &|_, parts| shown(&parts.difference)),
            pick("tolerance", &|_, parts| shown(&parts.tolerance)),
            pick("description", &|rule, _| self.optional(rule.description())),
            pick("message", &|rule, _| {
                literal(dialect, &failure_message(rule))
            }),
            pick("citation", &|rule, _| self.optional(rule.citation())),
        ];
        format!(
            "SELECT report_id,\n  {}\nFROM (SELECT *, UNNEST([{}]) AS n FROM failing)\nWHERE n IS NOT NULL\nORDER BY report_id, n\n",
            columns.join(",\n  "),
            failed.join(", ")
        )
    }

    /// Spark: one branch of a `UNION ALL` per rule, each reading the typed view. (Spark's
    /// optimizer inlines a shared projection into every reference to it, so the one-pass
    /// query DuckDB runs grows, for Spark, past what its planner can hold at a few dozen
    /// rules; branches keep every plan as small as its rule.)
    fn branches(&self, compiled: &[(&CheckedRule, RuleParts)]) -> String {
        let dialect = self.options.dialect;
        let text = self.text_type();
        let mut branches = Vec::with_capacity(compiled.len());
        for (index, (rule, parts)) in compiled.iter().enumerate() {
            let citation = self.optional(rule.citation());
            let description = self.optional(rule.description());
            branches.push(format!(
                "  SELECT report_id, {} AS rule, {} AS severity, 'fail' AS status, CAST({} AS {text}) AS `left`, CAST({} AS {text}) AS `right`, CAST({} AS {text}) AS difference, CAST({} AS {text}) AS tolerance, {description} AS description, {} AS message, {citation} AS citation, {index} AS n\n  FROM typed\n  WHERE {}",
                literal(dialect, rule.id()),
                literal(dialect, rule.severity().as_str()),
                parts.left.sql,
                parts.right.sql,
                parts.difference.sql,
                parts.tolerance.sql,
                literal(dialect, &failure_message(rule)),
                parts.fail
            ));
        }
        if self.options.input == Input::Text {
            // Every report whose text the screen refuses stops the query, whether or not a
            // rule in force reads the bad amount.
            branches.push(format!(
                "  SELECT report_id, {} AS rule, CAST(NULL AS {text}) AS severity, 'fail' AS status, CAST(NULL AS {text}) AS `left`, CAST(NULL AS {text}) AS `right`, CAST(NULL AS {text}) AS difference, CAST(NULL AS {text}) AS tolerance, CAST(NULL AS {text}) AS description, CAST(NULL AS {text}) AS message, CAST(NULL AS {text}) AS citation, -1 AS n\n  FROM screened\n  WHERE problem IS NOT NULL",
                self.raise("problem", text)
            ));
        }
        if branches.is_empty() {
            branches.push(format!(
                "  SELECT report_id, CAST(NULL AS {text}) AS rule, CAST(NULL AS {text}) AS severity, 'fail' AS status, CAST(NULL AS {text}) AS `left`, CAST(NULL AS {text}) AS `right`, CAST(NULL AS {text}) AS difference, CAST(NULL AS {text}) AS tolerance, CAST(NULL AS {text}) AS description, CAST(NULL AS {text}) AS message, CAST(NULL AS {text}) AS citation, 0 AS n\n  FROM typed\n  WHERE FALSE"
            ));
        }
        format!(
            "SELECT report_id, rule, severity, status, `left`, `right`, difference, tolerance, description, message, citation\nFROM (\n{}\n)\nORDER BY report_id, n\n",
            branches.join("\n  UNION ALL\n")
        )
    }

    /// A text literal, or a typed NULL.
    fn optional(&self, text: Option<&str>) -> String {
        text.map_or_else(
            || format!("CAST(NULL AS {})", self.text_type()),
            |text| literal(self.options.dialect, text),
        )
    }
}

/// A quoted identifier in a dialect.
pub(crate) fn ident(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::Spark => format!("`{}`", name.replace('`', "``")),
    }
}

/// The rule's tolerance.
pub(crate) fn tolerance_of(rule: &CheckedRule) -> Option<Within> {
    rule.tolerance().copied()
}

/// The difference compared with zero and a tolerance the way that fails the rule: the
/// evaluator's decision ([`CmpOp::holds`] on the ordering, within the tolerance counting as
/// equal) negated, as SQL. Both sides are never NULL, so the negation is exact.
pub(crate) fn fails(op: CmpOp, difference: &str, tolerance: &str) -> String {
    let failing = op.negated();
    let ordered = format!("{difference} {} 0", sql_op(failing));
    if failing.holds(Ordering::Equal) {
        format!("(ABS({difference}) <= {tolerance} OR {ordered})")
    } else {
        format!("(ABS({difference}) > {tolerance} AND {ordered})")
    }
}

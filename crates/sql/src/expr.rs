//! One rule's expressions as exact SQL: every value a `DECIMAL` whose scale is its exact
//! scale and whose width bounds its digits, cast explicitly at every step.

use rust_decimal::Decimal;

use super::{Dialect, MAX_DIGITS, Options, RuleParts, SqlError, fails, tolerance_of};
use crossfoot_core::compile::{CheckedRule, Cond, Constant, Func, Money, Node, RuleSet, Within};
use crossfoot_core::eval::{RoundMode, Value, read};
use crossfoot_core::unit::Unit;
use crossfoot_syntax::ast::BinOp;
use crossfoot_syntax::source::{Source, Span};

/// A SQL expression of type `DECIMAL(int + scale, scale)`: at most `int` digits before
/// the point, exactly `scale` after it.
#[derive(Clone, Debug)]
pub(crate) struct Typed {
    pub(crate) sql: String,
    int: u32,
    scale: u32,
}

impl Typed {
    fn width(&self) -> u32 {
        (self.int + self.scale).max(1)
    }

    /// The value for each report's unit (`crossfoot_unit`): `dollars` unless the report's
    /// unit is one of `others`, each cast to a type that holds them all.
    pub(crate) fn by_unit(dollars: &Typed, others: &[(Unit, &Typed)]) -> Typed {
        let all = || std::iter::once(dollars).chain(others.iter().map(|(_, t)| *t));
        let int = all().map(|t| t.int).max().unwrap_or(dollars.int);
        let scale = all().map(|t| t.scale).max().unwrap_or(dollars.scale);
        let mut sql = String::from("CASE crossfoot_unit");
        for (unit, typed) in others {
            sql.push_str(&format!(
                " WHEN {} THEN {}",
                unit.exponent(),
                typed.cast(int, scale)
            ));
        }
        sql.push_str(&format!(" ELSE {} END", dollars.cast(int, scale)));
        Typed { sql, int, scale }
    }

    /// `CAST(sql AS DECIMAL(…))` for bounds at least this value's.
    fn cast(&self, int: u32, scale: u32) -> String {
        format!("CAST({} AS {})", self.sql, decimal(int, scale))
    }
}

fn decimal(int: u32, scale: u32) -> String {
    format!("DECIMAL({}, {scale})", (int + scale).max(1))
}

/// How many digits `n` terms can add to a sum: ⌈log10 n⌉.
fn carry_digits(terms: usize) -> u32 {
    let (mut digits, mut reach) = (0, 1usize);
    while reach < terms {
        reach = reach.saturating_mul(10);
        digits += 1;
    }
    digits
}

/// A string literal.
pub(crate) fn literal(dialect: Dialect, text: &str) -> String {
    let quoted = text.replace('\'', "''");
    match dialect {
        Dialect::DuckDb => format!("'{quoted}'"),
        Dialect::Spark => format!("'{}'", quoted.replace('\\', "\\\\")),
    }
}

/// Compiles one rule for reports printed in one unit.
pub(crate) struct Compiler<'a> {
    rules: &'a RuleSet,
    rule: &'a CheckedRule,
    options: &'a Options,
    /// The unit of the reports this compilation is for: money constants are read in it.
    unit: Unit,
    /// Why parts of the rule cannot be compiled.
    pub(crate) errors: Vec<SqlError>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(
        rules: &'a RuleSet,
        rule: &'a CheckedRule,
        options: &'a Options,
        unit: Unit,
    ) -> Self {
        Compiler {
            rules,
            rule,
            options,
            unit,
            errors: Vec::new(),
        }
    }

    /// The rule's failure predicate and numbers.
    pub(crate) fn rule(&mut self) -> Option<RuleParts> {
        let rule = self.rule;
        if rule.reads_prior() {
            return self.refuse(
                rule.assertion_span(),
                "it reads the previous report (`prior(…)`)",
                "reads another report",
                "check rules that compare periods with `crossfoot check`, which finds each report's previous one",
            );
        }
        let tolerance = tolerance_of(rule);
        if let Some(Within::Rounding) = tolerance {
            let span = rule.tolerance_span().unwrap_or(rule.assertion_span());
            return self.refuse(
                span,
                "`within rounding` depends on how each amount was printed",
                "the printed decimals are not in a DECIMAL column",
                "check reports printed in thousands or millions with `crossfoot check`",
            );
        }
        let left = self.node(&rule.assertion().left);
        let right = self.node(&rule.assertion().right);
        let condition = match &rule.condition() {
            Some(condition) => Some(self.condition(condition)?),
            None => None,
        };
        let (left, right) = (left?, right?);
        let difference = self.difference(&left, &right, rule.assertion_span())?;
        let tolerance = self.tolerance(tolerance, &left, &right)?;
        let scale = difference.scale.max(tolerance.scale);
        let int = difference.int.max(tolerance.int);
        let failing = if rule.tolerance().is_none() {
            // Without a tolerance the sides compare directly: engines compare DECIMALs of
            // any two types exactly.
            format!(
                "({}) {} ({})",
                left.sql,
                sql_op(rule.assertion().op.negated()),
                right.sql
            )
        } else {
            fails(
                rule.assertion().op,
                &difference.cast(int, scale),
                &tolerance.cast(int, scale),
            )
        };
        // Every part is a boolean that is never NULL (blank lines are COALESCEd, dates
        // compared under COALESCE), and every value fits its proven type, so the parts
        // combine with AND, which engines evaluate column-wise, faster than CASE.
        let mut parts: Vec<String> = Vec::new();
        if !rule.period().is_always() {
            let mut bounds = Vec::new();
            if let Some(from) = rule.period().from {
                bounds.push(format!("as_of >= DATE '{from}'"));
            }
            if let Some(until) = rule.period().until {
                bounds.push(format!("as_of < DATE '{until}'"));
            }
            parts.push(format!("COALESCE({}, FALSE)", bounds.join(" AND ")));
        }
        if let Some(condition) = condition {
            parts.push(format!("({condition})"));
        }
        parts.push(format!("({failing})"));
        let violated = parts.join(" AND ");
        let mut present = Vec::new();
        let blank: Vec<String> = (0..rule.assertion_lines())
            .filter_map(|slot| rule.lines().get(slot))
            .map(|code| format!("l{code} IS NOT NULL"))
            .collect();
        if !blank.is_empty() {
            present.push(format!("({})", blank.join(" OR ")));
        }
        // A rule that reads the previous report is refused above: every total it reads is
        // of the report itself.
        for code in rule
            .total_reads()
            .iter()
            .filter_map(|(slot, _)| rule.lines().get(*slot))
        {
            present.push(format!("l{code} IS NOT NULL"));
        }
        let present = if present.is_empty() {
            "TRUE".to_owned()
        } else {
            present.join(" AND ")
        };
        let fail = format!("{present} AND {violated}");
        Some(RuleParts {
            fail,
            violated,
            present,
            left,
            right,
            difference,
            tolerance,
        })
    }

    fn difference(&mut self, left: &Typed, right: &Typed, span: Span) -> Option<Typed> {
        let scale = left.scale.max(right.scale);
        let int = left.int.max(right.int) + 1;
        // DuckDB subtracts two DECIMALs of up to 18 digits in 18 digits, with an overflow
        // error: past 18, widen the left side so the engine subtracts in the bound's type.
        let minuend = if self.options.dialect == Dialect::DuckDb && int + scale > 18 {
            left.cast(int, scale)
        } else {
            left.sql.clone()
        };
        let sql = format!("({minuend}) - ({})", right.sql);
        self.bounded(Typed { sql, int, scale }, span)
            .map(|t| Typed {
                sql: t.cast(int, scale),
                ..t
            })
    }

    fn tolerance(
        &mut self,
        tolerance: Option<Within>,
        left: &Typed,
        right: &Typed,
    ) -> Option<Typed> {
        let span = self
            .rule
            .tolerance_span()
            .unwrap_or(self.rule.assertion_span());
        match tolerance {
            None | Some(Within::Rounding) => Some(self.constant(Value::ZERO, span)?),
            Some(Within::Amount(money)) => self.money(money, span),
            Some(Within::Relative(ratio)) => {
                let ratio = self.constant(ratio, span)?;
                let (int, scale) = (left.int.max(right.int), left.scale.max(right.scale));
                let larger = Typed {
                    sql: format!(
                        "GREATEST(ABS({}), ABS({}))",
                        left.cast(int, scale),
                        right.cast(int, scale)
                    ),
                    int,
                    scale,
                };
                self.product(&ratio, &larger, span)
            }
        }
    }

    fn condition(&mut self, condition: &Cond) -> Option<String> {
        Some(match condition {
            Cond::All(parts) | Cond::Any(parts) => {
                let joiner = if matches!(condition, Cond::All(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let mut sql = Vec::with_capacity(parts.len());
                for part in parts {
                    sql.push(format!("({})", self.condition(part)?));
                }
                sql.join(joiner)
            }
            Cond::Not(inner) => format!("NOT ({})", self.condition(inner)?),
            Cond::Blank { slot, blank, .. } => {
                let code = self.rule.lines().get(*slot)?;
                if *blank {
                    format!("l{code} IS NULL")
                } else {
                    format!("l{code} IS NOT NULL")
                }
            }
            Cond::Compare(comparison) => {
                let left = self.node(&comparison.left);
                let right = self.node(&comparison.right);
                let difference = self.difference(&left?, &right?, comparison.op_span)?;
                format!("{} {} 0", difference.sql, sql_op(comparison.op))
            }
        })
    }

    fn node(&mut self, node: &Node) -> Option<Typed> {
        match node {
            Node::Line { slot, prior, span } => {
                if *prior {
                    return self.refuse(*span, "it reads the previous report", "`prior`", "");
                }
                self.line(*slot, *span)
            }
            Node::Const {
                value: Constant::Money(money),
                span,
            } => self.money(*money, *span),
            Node::Const {
                value: Constant::Ratio(ratio),
                span,
            } => self.constant(*ratio, *span),
            Node::Neg { inner, .. } => {
                let inner = self.node(inner)?;
                Some(Typed {
                    sql: format!("-({})", inner.sql),
                    ..inner
                })
            }
            Node::Chain { first, rest, span } => {
                if rest.iter().all(|(op, _, _)| op.is_additive()) {
                    let mut terms = vec![(BinOp::Add, self.node(first))];
                    for (op, _, operand) in rest {
                        terms.push((*op, self.node(operand)));
                    }
                    self.sum(terms, *span)
                } else {
                    self.product_chain(first, rest)
                }
            }
            Node::Call { func, args, span } => self.call(*func, args, *span),
        }
    }

    /// A line's amount as the rule reads it ([`read::scale`]: a percentage as its ratio);
    /// blank is 0.
    fn line(&mut self, slot: usize, span: Span) -> Option<Typed> {
        let code = self.rule.lines().get(slot)?;
        let (precision, scale) = (self.options.precision, self.options.scale);
        let amount = Typed {
            sql: format!("COALESCE(l{code}, CAST(0 AS DECIMAL({precision}, {scale})))"),
            int: precision - scale,
            scale,
        };
        match read::scale(self.rule.kind(slot), false, None) {
            None => Some(amount),
            Some(factor) => {
                let factor = self.constant(factor, span)?;
                self.product(&amount, &factor, span)
            }
        }
    }

    /// A money constant as a report printed in this compilation's unit reads it.
    fn money(&mut self, money: Money, span: Span) -> Option<Typed> {
        match money.in_unit(self.unit) {
            Some(value) => self.constant(value, span),
            None => self.refuse(
                span,
                "this amount has no exact value in the report's unit",
                "too many digits",
                "",
            ),
        }
    }

    /// A constant, exactly: it must have a finite decimal expansion.
    fn constant(&mut self, value: Value, span: Span) -> Option<Typed> {
        let Some(exact) = value.to_decimal() else {
            return self.refuse(
                span,
                "a constant without a finite decimal expansion",
                "not a finite decimal",
                "",
            );
        };
        let (int, scale) = digits(exact);
        let text = exact.abs().to_string();
        let sql = format!("CAST('{text}' AS {})", decimal(int, scale));
        let sql = if exact.is_sign_negative() {
            format!("-({sql})")
        } else {
            sql
        };
        self.bounded(Typed { sql, int, scale }, span)
    }

    /// `a ± b ± …`, each partial sum cast to a bound every partial sum fits.
    fn sum(&mut self, terms: Vec<(BinOp, Option<Typed>)>, span: Span) -> Option<Typed> {
        let count = terms.len();
        let terms: Option<Vec<(BinOp, Typed)>> = terms
            .into_iter()
            .map(|(op, term)| term.map(|t| (op, t)))
            .collect();
        let terms = terms?;
        let int = terms.iter().map(|(_, t)| t.int).max().unwrap_or(1) + carry_digits(count);
        let scale = terms.iter().map(|(_, t)| t.scale).max().unwrap_or(0);
        // The engine adds one digit to the wider operand: leave room for it.
        self.room_for(int + 1, scale, span)?;
        let mut sql = String::new();
        if self.options.dialect == Dialect::DuckDb {
            // DuckDB adds in the wider operand's type, exactly or with an overflow error,
            // never widening: one cast of the first term to the bound, when the bound is
            // wider than 64 bits hold, is all a sum needs.
            for (index, (op, term)) in terms.iter().enumerate() {
                let operand = if index == 0 && int + scale > 18 {
                    term.cast(int, scale)
                } else {
                    term.sql.clone()
                };
                sql = match (index, op) {
                    (0, BinOp::Sub) => format!("-({operand})"),
                    (0, _) => operand,
                    (_, BinOp::Sub) => format!("{sql} - ({operand})"),
                    _ => format!("{sql} + ({operand})"),
                };
            }
            return Some(Typed {
                sql: format!("({sql})"),
                int,
                scale,
            });
        }
        // Spark widens every sum by a digit: each partial sum is cast back to the bound.
        for (index, (op, term)) in terms.iter().enumerate() {
            sql = if index == 0 {
                match op {
                    BinOp::Sub => format!("-({})", term.cast(int, scale)),
                    _ => term.cast(int, scale),
                }
            } else {
                let sign = if *op == BinOp::Sub { "-" } else { "+" };
                format!(
                    "CAST(({sql}) {sign} ({}) AS {})",
                    term.sql,
                    decimal(int, scale)
                )
            };
        }
        Some(Typed { sql, int, scale })
    }

    /// `a * b / c …`: division only by a constant whose reciprocal terminates.
    fn product_chain(&mut self, first: &Node, rest: &[(BinOp, Span, Node)]) -> Option<Typed> {
        let mut acc = self.node(first)?;
        for (op, span, operand) in rest {
            let factor = match op {
                BinOp::Div => self.reciprocal(operand, *span)?,
                _ => self.node(operand)?,
            };
            acc = self.product(&acc, &factor, *span)?;
        }
        Some(acc)
    }

    fn product(&mut self, a: &Typed, b: &Typed, span: Span) -> Option<Typed> {
        let (int, scale) = (a.int + b.int, a.scale + b.scale);
        // Spark's product has one digit more than the factors': leave room for it.
        self.room_for(int + 1, scale, span)?;
        // DuckDB multiplies two DECIMALs of up to 18 digits in 64 bits and keeps 18 digits:
        // past that, widen a factor so the engine's product has room for every digit.
        let width = int + scale;
        let (left, right) = if width <= 18 {
            (a.sql.clone(), b.sql.clone())
        } else if width - b.width() >= 19 {
            (a.cast(width - b.width() - a.scale, a.scale), b.sql.clone())
        } else if width - a.width() >= 19 {
            (a.sql.clone(), b.cast(width - a.width() - b.scale, b.scale))
        } else {
            (a.cast(19 - a.scale.min(19), a.scale), b.sql.clone())
        };
        let sql = if self.options.dialect == Dialect::DuckDb {
            format!("(({left}) * ({right}))")
        } else {
            format!("CAST(({left}) * ({right}) AS {})", decimal(int, scale))
        };
        Some(Typed { sql, int, scale })
    }

    /// `1 / c` for a constant divisor, as an exact decimal constant.
    fn reciprocal(&mut self, divisor: &Node, span: Span) -> Option<Typed> {
        let Some(value) = constant_value(divisor, self.unit) else {
            return self.refuse(
                span,
                "it divides by a value that is not a constant",
                "an exact decimal result is not certain",
                "SQL has no exact decimal division: write the comparison without it (`7140 >= 5% * 7150` for `7140 / 7150 >= 5%` when 7150 is positive)",
            );
        };
        match Value::ONE.checked_div(value) {
            Some(reciprocal) if reciprocal.to_decimal().is_some() => {
                self.constant(reciprocal, span)
            }
            _ => self.refuse(
                span,
                "dividing by this constant has no finite decimal result",
                "no finite decimal reciprocal",
                "divide by a constant made of 2s and 5s (`/ 4.0`, `/ 8%`), or multiply by a rounded ratio",
            ),
        }
    }

    fn call(&mut self, func: Func, args: &[Node], span: Span) -> Option<Typed> {
        match func {
            Func::Sum => {
                let terms = args.iter().map(|a| (BinOp::Add, self.node(a))).collect();
                self.sum(terms, span)
            }
            Func::Max | Func::Min => {
                let typed: Option<Vec<Typed>> = args.iter().map(|a| self.node(a)).collect();
                let typed = typed?;
                let int = typed.iter().map(|t| t.int).max().unwrap_or(1);
                let scale = typed.iter().map(|t| t.scale).max().unwrap_or(0);
                let name = if func == Func::Max {
                    "GREATEST"
                } else {
                    "LEAST"
                };
                let list: Vec<String> = typed.iter().map(|t| t.cast(int, scale)).collect();
                Some(Typed {
                    sql: format!("{name}({})", list.join(", ")),
                    int,
                    scale,
                })
            }
            Func::Abs => {
                let inner = self.node(args.first()?)?;
                Some(Typed {
                    sql: format!("ABS({})", inner.sql),
                    ..inner
                })
            }
            Func::Round { places, mode } => {
                let value = self.node(args.first()?)?;
                match (places, args.get(1)) {
                    (Some(places), _) => self.round_places(value, places, mode, span),
                    (None, Some(step)) => self.round_step(value, step, mode, span),
                    (None, None) => self.round_places(value, 0, mode, span),
                }
            }
        }
    }

    fn round_places(
        &mut self,
        value: Typed,
        places: u32,
        mode: RoundMode,
        span: Span,
    ) -> Option<Typed> {
        if value.scale <= places {
            return Some(value);
        }
        if mode == RoundMode::HalfAwayFromZero {
            // Both engines' ROUND on a DECIMAL rounds ties away from zero, exactly; one
            // digit more before the point for a carry.
            let int = value.int + 1;
            let widened = value.cast(int, value.scale);
            self.bounded(
                Typed {
                    sql: String::new(),
                    int,
                    scale: value.scale,
                },
                span,
            )?;
            return Some(Typed {
                sql: format!(
                    "CAST(ROUND({widened}, {places}) AS {})",
                    decimal(int, places)
                ),
                int,
                scale: places,
            });
        }
        let up = self.constant(Value::fraction(10i128.checked_pow(places)?, 1)?, span)?;
        let down = self.constant(Value::fraction(1, 10i128.checked_pow(places)?)?, span)?;
        let scaled = self.product(&value, &up, span)?;
        let whole = self.whole(&scaled, mode, span)?;
        self.product(&whole, &down, span)
    }

    fn round_step(
        &mut self,
        value: Typed,
        step: &Node,
        mode: RoundMode,
        span: Span,
    ) -> Option<Typed> {
        let inverse = self.reciprocal(step, span)?;
        let size = self.node(step)?;
        let scaled = self.product(&value, &inverse, span)?;
        let whole = self.whole(&scaled, mode, span)?;
        self.product(&whole, &size, span)
    }

    /// `y` rounded to a whole number as `mode` says, exactly.
    fn whole(&mut self, y: &Typed, mode: RoundMode, span: Span) -> Option<Typed> {
        if y.scale == 0 {
            return Some(y.clone());
        }
        let int = y.int + 1;
        let whole = decimal(int, 0);
        let wide = decimal(int, y.scale);
        let half = "CAST('0.5' AS DECIMAL(2, 1))";
        let v = &y.sql;
        let floor = format!("CAST(FLOOR({v}) AS {whole})");
        let ceil = format!("CAST(CEIL({v}) AS {whole})");
        let sql = match mode {
            RoundMode::HalfAwayFromZero => format!(
                "CASE WHEN {v} >= 0 THEN CAST(FLOOR(CAST({v} AS {wide}) + {half}) AS {whole}) ELSE CAST(-FLOOR({half} - CAST({v} AS {wide})) AS {whole}) END"
            ),
            RoundMode::HalfEven => {
                let rest = format!("CAST({v} - {floor} AS {wide})");
                let up = format!("CAST({floor} + 1 AS {whole})");
                let even = format!(
                    "{floor} = CAST(2 * FLOOR(CAST({floor} * CAST('0.5' AS DECIMAL(2, 1)) AS {})) AS {whole})",
                    decimal(int, 1)
                );
                format!(
                    "CASE WHEN {rest} > {half} THEN {up} WHEN {rest} < {half} THEN {floor} WHEN {even} THEN {floor} ELSE {up} END"
                )
            }
            RoundMode::TowardZero => format!("CASE WHEN {v} >= 0 THEN {floor} ELSE {ceil} END"),
            RoundMode::Floor => floor,
            RoundMode::Ceiling => ceil,
        };
        // `y` widened by a digit, before rounding up, must fit the engines too.
        self.bounded(
            Typed {
                sql: String::new(),
                int,
                scale: y.scale,
            },
            span,
        )?;
        Some(Typed {
            sql: format!("CAST({sql} AS {whole})"),
            int,
            scale: 0,
        })
    }

    /// `typed` when its width fits the engines' 38 digits.
    fn bounded(&mut self, typed: Typed, span: Span) -> Option<Typed> {
        if typed.width() <= MAX_DIGITS {
            return Some(typed);
        }
        self.refuse(
            span,
            &format!(
                "a value here may need {} digits, more than the {MAX_DIGITS} a SQL DECIMAL holds",
                typed.width()
            ),
            "may exceed DECIMAL(38)",
            "read the amounts with fewer digits (`--precision`), or check these reports with `crossfoot check`",
        )
    }

    /// Whether a value of `int` integer digits and `scale` decimals fits the engines'
    /// DECIMAL (else the rule is refused at `span`).
    fn room_for(&mut self, int: u32, scale: u32, span: Span) -> Option<()> {
        let typed = Typed {
            sql: String::new(),
            int,
            scale,
        };
        self.bounded(typed, span).map(|_| ())
    }

    fn refuse<T>(&mut self, span: Span, what: &str, label: &str, help: &str) -> Option<T> {
        let src = self
            .rules
            .source_of(self.rule)
            .map(Source::named)
            .unwrap_or_else(|| Source::new("", ""));
        self.errors.push(SqlError::Inexact {
            rule: self.rule.id().to_owned(),
            what: what.to_owned(),
            src,
            span: span.into(),
            label: label.to_owned(),
            help: if help.is_empty() {
                "check these rules with `crossfoot check`".to_owned()
            } else {
                help.to_owned()
            },
        });
        None
    }
}

/// The digits before and after the point of a decimal: none before for a value under 1
/// (`0.08` times anything is smaller than it).
fn digits(decimal: Decimal) -> (u32, u32) {
    let scale = decimal.scale();
    let whole = decimal.abs().trunc().to_string();
    let int = if whole == "0" { 0 } else { whole.len() as u32 };
    (int, scale)
}

/// The value of a node made of constants only, on reports printed in `unit`.
fn constant_value(node: &Node, unit: Unit) -> Option<Value> {
    match node {
        Node::Const { value, .. } => value.in_unit(unit),
        Node::Neg { inner, .. } => constant_value(inner, unit).map(|v| -v),
        _ => None,
    }
}

/// A comparison operator in SQL.
pub(crate) fn sql_op(op: crossfoot_syntax::ast::CmpOp) -> &'static str {
    use crossfoot_syntax::ast::CmpOp;
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

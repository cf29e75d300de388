//! The crossing tests' own model of crossfoot: a generator of rule packs and reports, and a
//! reference evaluator written from the README's semantics, in exact rationals of its own.
//! Nothing here uses the crate: the rules are generated as this module's own tree, printed
//! as `.xfoot` text for crossfoot, and evaluated here from the tree.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::expect_used,
    reason = "test helpers fail loudly; each test binary uses some of them"
)]

mod rational;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

pub use rational::Q;

/// The day waivers are judged on.
pub const TODAY: &str = "2024-12-31";

/// A small deterministic generator (64-bit LCG).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D);
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What a line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Money,
    Percent,
    Ratio,
}

/// A line of the catalogue.
#[derive(Clone, Debug)]
pub struct Line {
    pub code: u32,
    pub kind: Kind,
    pub total: bool,
}

/// Rounding modes, as rules name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    HalfAway,
    HalfEven,
    TowardZero,
    Floor,
    Ceiling,
}

impl Mode {
    const ALL: [Mode; 5] = [
        Mode::HalfAway,
        Mode::HalfEven,
        Mode::TowardZero,
        Mode::Floor,
        Mode::Ceiling,
    ];

    fn name(self) -> &'static str {
        match self {
            Mode::HalfAway => "half_away_from_zero",
            Mode::HalfEven => "half_even",
            Mode::TowardZero => "toward_zero",
            Mode::Floor => "floor",
            Mode::Ceiling => "ceiling",
        }
    }
}

/// An expression of the model.
#[derive(Clone, Debug)]
pub enum E {
    Line(u32),
    Prior(u32),
    /// Dollars, as written (`$250000`).
    Money(Q, String),
    /// A ratio, as written (`8%`, `1.10`).
    Ratio(Q, String),
    Neg(Box<E>),
    Add(Box<E>, Box<E>),
    Sub(Box<E>, Box<E>),
    Mul(Box<E>, Box<E>),
    Div(Box<E>, Box<E>),
    Sum(Vec<E>),
    Max(Vec<E>),
    Min(Vec<E>),
    Abs(Box<E>),
    Round(Box<E>, Step, Mode),
}

/// What `round` rounds to.
#[derive(Clone, Debug)]
pub enum Step {
    Places(u32),
    /// A constant step (money or ratio).
    Of(Box<E>),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];

    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// `left OP right` when left compares to right as `ordering` (written here, not taken
    /// from the crate).
    pub fn holds(self, ordering: Ordering) -> bool {
        match (self, ordering) {
            (Op::Eq, o) => o == Ordering::Equal,
            (Op::Ne, o) => o != Ordering::Equal,
            (Op::Lt, o) => o == Ordering::Less,
            (Op::Le, o) => o == Ordering::Less || o == Ordering::Equal,
            (Op::Gt, o) => o == Ordering::Greater,
            (Op::Ge, o) => o == Ordering::Greater || o == Ordering::Equal,
        }
    }
}

/// A `when` condition.
#[derive(Clone, Debug)]
pub enum C {
    Cmp(E, Op, E),
    Blank(u32, bool),
    And(Vec<C>),
    Or(Vec<C>),
    Not(Box<C>),
}

/// A tolerance.
#[derive(Clone, Debug)]
pub enum Tol {
    None,
    Dollars(Q, String),
    Percent(Q, String),
    Rounding,
}

/// A rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub left: E,
    pub op: Op,
    pub right: E,
    pub tol: Tol,
    pub cond: Option<C>,
    pub from: Option<u32>,
    pub until: Option<u32>,
    pub warning: bool,
}

/// A printed amount: its digits and how many decimals it was printed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount {
    pub mantissa: i128,
    pub scale: u32,
    /// How the report writes it.
    pub text: String,
}

impl Amount {
    fn value(&self) -> Q {
        Q::new(self.mantissa, 10i128.pow(self.scale))
    }

    /// Half a unit of the last printed digit.
    fn half(&self) -> Q {
        Q::new(1, 2 * 10i128.pow(self.scale))
    }
}

/// A report of the batch.
#[derive(Clone, Debug)]
pub struct Report {
    pub id: String,
    pub firm: Option<String>,
    /// Index into [`DATES`].
    pub date: Option<u32>,
    /// The power of ten of its unit.
    pub unit: u32,
    /// How the unit is spelled (blank: not given).
    pub unit_text: String,
    pub lines: BTreeMap<u32, Amount>,
    /// A line whose amount cannot be read (`1O0`): the report is unreadable.
    pub bad: Option<u32>,
}

impl Report {
    pub fn readable(&self) -> bool {
        self.bad.is_none()
    }
}

/// Month ends the reports and periods use (indices are days in order).
pub const DATES: [&str; 5] = [
    "2023-12-31",
    "2024-01-31",
    "2024-02-29",
    "2024-03-31",
    "2024-04-30",
];

/// A waiver.
#[derive(Clone, Debug)]
pub struct Waiver {
    pub rule: String,
    pub firm: Option<String>,
    pub date: Option<u32>,
    pub expired: bool,
}

/// A generated pack with its reports.
#[derive(Clone, Debug)]
pub struct Pack {
    pub seed: u64,
    pub lines: Vec<Line>,
    pub rules: Vec<Rule>,
    pub reports: Vec<Report>,
    pub waivers: Vec<Waiver>,
    /// Declared lapses: an id and the month ends (indices into [`DATES`]) after which and
    /// through which no version of it is in force.
    pub lapses: Vec<(String, u32, u32)>,
}

/// The reference verdict on one rule and one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Exact(Outcome),
    /// The reference's own arithmetic overflowed: no verdict to compare.
    Unknown,
    /// `within rounding` through a non-linear step: the band may be wider than the exact
    /// set, never narrower. `must_pass`: some choice of the true values satisfies the rule
    /// (so a failure would be wrong); a pass or an error (a divisor that could round from
    /// 0) is allowed otherwise too.
    Sound {
        must_pass: bool,
        waived: bool,
    },
}

/// A reference outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Waived,
    Error,
    Skipped(&'static str),
}

impl Verdict {
    pub fn kind(&self) -> String {
        match self {
            Verdict::Exact(Outcome::Pass) => "pass".to_owned(),
            Verdict::Exact(Outcome::Fail) => "fail".to_owned(),
            Verdict::Exact(Outcome::Waived) => "waived".to_owned(),
            Verdict::Exact(Outcome::Error) => "error".to_owned(),
            Verdict::Exact(Outcome::Skipped(reason)) => format!("skipped ({reason})"),
            Verdict::Sound { .. } => "sound".to_owned(),
            Verdict::Unknown => "unknown".to_owned(),
        }
    }

    /// The status `check` must print, when it is determined.
    pub fn status(&self) -> Option<String> {
        match self {
            Verdict::Exact(_) => Some(self.kind()),
            Verdict::Sound { .. } | Verdict::Unknown => None,
        }
    }
}

/// One rule on one report.
pub struct Case<'a> {
    pub report: &'a Report,
    pub rule: &'a Rule,
    pub verdict: &'a Verdict,
}

impl Case<'_> {
    /// Whether `check`'s status agrees with the reference.
    pub fn agrees(&self, status: &str) -> bool {
        match self.verdict {
            Verdict::Exact(_) => self.verdict.status().as_deref() == Some(status),
            Verdict::Unknown => true,
            Verdict::Sound { must_pass, waived } => {
                let failed = if *waived { "waived" } else { "fail" };
                match status {
                    "pass" | "error" => true,
                    s if s == failed => !must_pass,
                    _ => false,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Generation

impl Pack {
    pub fn generate(seed: u64) -> Pack {
        let mut rng = Rng::new(seed);
        let mut lines = Vec::new();
        let count = 6 + rng.below(5) as u32;
        for n in 0..count {
            let kind = match rng.below(10) {
                0 | 1 => Kind::Percent,
                2 => Kind::Ratio,
                _ => Kind::Money,
            };
            lines.push(Line {
                code: 7010 + n * 10,
                kind,
                total: rng.chance(20),
            });
        }
        // At least two money lines and one of another kind, so every kind of rule can be made.
        lines[0].kind = Kind::Money;
        lines[1].kind = Kind::Money;
        if lines.iter().all(|l| l.kind == Kind::Money) {
            lines[2].kind = Kind::Percent;
        }
        let mut maker = Gen {
            rng: &mut rng,
            lines: &lines,
            prior: false,
        };
        let mut rules = Vec::new();
        let mut lapses = Vec::new();
        let count = 6 + maker.rng.below(5);
        for n in 0..count {
            let rule = maker.rule(format!("r.n{n}"));
            // Now and then a second version of the rule, from the date the first ends.
            if maker.rng.chance(10) {
                let split = 1 + maker.rng.below(3) as u32;
                let mut before = rule.clone();
                before.from = None;
                before.until = Some(split);
                let mut after = maker.rule(rule.id.clone());
                after.from = Some(split);
                after.until = None;
                // Now and then a month between them with no version, declared as a lapse.
                if maker.rng.chance(30) {
                    after.from = Some(split + 1);
                    lapses.push((rule.id.clone(), split, split + 1));
                }
                rules.push(before);
                rules.push(after);
            } else {
                rules.push(rule);
            }
        }
        let reports = reports(&mut rng, &lines);
        let mut waivers = Vec::new();
        for _ in 0..rng.below(3) {
            let rule = rng.pick(&rules).id.clone();
            waivers.push(Waiver {
                rule,
                firm: if rng.chance(50) {
                    Some(rng.pick(&["F1", "F2"]).to_string())
                } else {
                    None
                },
                date: if rng.chance(40) {
                    Some(rng.below(DATES.len() as u64) as u32)
                } else {
                    None
                },
                expired: rng.chance(15),
            });
            // A waiver names a firm, a date or both.
            if let Some(waiver) = waivers.last_mut() {
                if waiver.firm.is_none() && waiver.date.is_none() {
                    waiver.firm = Some("F1".to_owned());
                }
            }
        }
        Pack {
            seed,
            lines,
            rules,
            reports,
            waivers,
            lapses,
        }
    }

    /// The same pack with every report that has no date or firm given `date` and `firm`,
    /// as `check --as-of --firm` gives them.
    pub fn assuming(&self, date: u32, firm: &str) -> Pack {
        let mut pack = self.clone();
        for report in &mut pack.reports {
            report.date = report.date.or(Some(date));
            if report.firm.is_none() {
                report.firm = Some(firm.to_owned());
            }
        }
        pack
    }
}

struct Gen<'r> {
    rng: &'r mut Rng,
    lines: &'r [Line],
    /// Whether the rule being made may read the previous report.
    prior: bool,
}

impl Gen<'_> {
    fn rule(&mut self, id: String) -> Rule {
        self.prior = self.rng.chance(30);
        let money = self.rng.chance(70);
        let op = *self.rng.pick(&Op::ALL);
        // One side a line now and then, as most rules are written.
        let left = if self.rng.chance(60) {
            self.line_of(money)
        } else {
            self.expr(money, 2)
        };
        let mut right = self.expr(money, 2);
        if !reads_line(&left) && !reads_line(&right) {
            right = self.line_of(money);
        }
        // The same formula on both sides is an error of its own (`trivial_rule`).
        if show(&left) == show(&right) {
            right = E::Add(Box::new(right), Box::new(self.constant(money)));
        }
        let tol = match self.rng.below(10) {
            0..=3 => Tol::None,
            4 | 5 if matches!(op, Op::Eq | Op::Ne) && money => {
                let (value, text) = self.money_constant(false);
                Tol::Dollars(value, text)
            }
            4..=6 if matches!(op, Op::Eq | Op::Ne) => {
                let (value, text) = *self.rng.pick(&[(5, "0.5%"), (10, "1%"), (1, "0.1%")]);
                Tol::Percent(Q::new(value, 1000), text.to_owned())
            }
            _ if self.rng.chance(70) => Tol::Rounding,
            _ => Tol::None,
        };
        let cond = self.rng.chance(30).then(|| self.condition(2));
        let (from, until) = match self.rng.below(10) {
            0 => (Some(1 + self.rng.below(3) as u32), None),
            1 => (None, Some(1 + self.rng.below(3) as u32)),
            2 => (Some(1), Some(3)),
            _ => (None, None),
        };
        Rule {
            id,
            left,
            op,
            right,
            tol,
            cond,
            from,
            until,
            warning: self.rng.chance(15),
        }
    }

    fn line_of(&mut self, money: bool) -> E {
        let wanted: Vec<u32> = self
            .lines
            .iter()
            .filter(|l| (l.kind == Kind::Money) == money)
            .map(|l| l.code)
            .collect();
        let code = *self.rng.pick(&wanted);
        if self.prior && self.rng.chance(35) {
            E::Prior(code)
        } else {
            E::Line(code)
        }
    }

    fn money_constant(&mut self, signed: bool) -> (Q, String) {
        let (n, d, text) = *self.rng.pick(&[
            (0, 1, "$0"),
            (1, 1, "$1"),
            (5, 1, "$5"),
            (1, 2, "$0.50"),
            (1000, 1, "$1,000"),
            (250_000, 1, "$250,000"),
            (2500, 1, "$2500"),
        ]);
        let _ = signed;
        (Q::new(n, d), text.to_owned())
    }

    fn ratio_constant(&mut self) -> (Q, String) {
        let (n, d, text) = *self.rng.pick(&[
            (8, 100, "8%"),
            (110, 100, "110%"),
            (1, 2, "50%"),
            (11, 10, "1.10"),
            (3, 2, "1.5"),
            (1, 4, "0.25"),
            (1, 100, "1%"),
            (0, 1, "0%"),
        ]);
        (Q::new(n, d), text.to_owned())
    }

    /// A non-zero constant whose reciprocal terminates (a divisor or a step).
    fn divisor(&mut self, money: bool) -> E {
        if money {
            let (n, text) = *self.rng.pick(&[(1000, "$1,000"), (500, "$500"), (1, "$1")]);
            E::Money(Q::new(n, 1), text.to_owned())
        } else {
            let (n, d, text) =
                *self
                    .rng
                    .pick(&[(8, 100, "8%"), (4, 1, "4.0"), (1, 2, "0.5"), (5, 4, "1.25")]);
            E::Ratio(Q::new(n, d), text.to_owned())
        }
    }

    fn constant(&mut self, money: bool) -> E {
        if money {
            let (value, text) = self.money_constant(true);
            E::Money(value, text)
        } else {
            let (value, text) = self.ratio_constant();
            E::Ratio(value, text)
        }
    }

    /// An expression of money (`money`) or of ratios.
    fn expr(&mut self, money: bool, depth: u32) -> E {
        if depth == 0 {
            return if self.rng.chance(75) {
                self.line_of(money)
            } else {
                self.constant(money)
            };
        }
        let d = depth - 1;
        match self.rng.below(13) {
            0 | 1 => self.line_of(money),
            2 => self.constant(money),
            3 => E::Add(Box::new(self.expr(money, d)), Box::new(self.expr(money, d))),
            4 => E::Sub(Box::new(self.expr(money, d)), Box::new(self.expr(money, d))),
            5 => {
                // ratio × money is money; ratio × ratio a ratio.
                let (value, text) = self.ratio_constant();
                E::Mul(
                    Box::new(E::Ratio(value, text)),
                    Box::new(self.expr(money, d)),
                )
            }
            6 if !money => {
                // money ÷ money is a ratio, by a line: it may divide by zero.
                E::Div(Box::new(self.expr(true, d)), Box::new(self.line_of(true)))
            }
            6 => E::Div(Box::new(self.expr(money, d)), Box::new(self.divisor(false))),
            7 => E::Sum(vec![
                self.expr(money, d),
                self.expr(money, d),
                self.line_of(money),
            ]),
            8 => E::Max(vec![self.expr(money, d), self.expr(money, d)]),
            9 => E::Min(vec![self.expr(money, d), self.line_of(money)]),
            10 => E::Abs(Box::new(self.expr(money, d))),
            11 => {
                let step = match self.rng.below(3) {
                    0 => Step::Places(0),
                    1 => Step::Places(1 + self.rng.below(2) as u32),
                    _ => Step::Of(Box::new(self.divisor(money))),
                };
                E::Round(
                    Box::new(self.expr(money, d)),
                    step,
                    *self.rng.pick(&Mode::ALL),
                )
            }
            _ => E::Neg(Box::new(self.expr(money, d))),
        }
    }

    fn condition(&mut self, depth: u32) -> C {
        match self.rng.below(if depth == 0 { 2 } else { 5 }) {
            0 => {
                let money = self.rng.chance(70);
                let left = self.line_of(money);
                let right = self.expr(money, 1);
                C::Cmp(left, *self.rng.pick(&Op::ALL), right)
            }
            1 => {
                let code = self.rng.pick(self.lines).code;
                C::Blank(code, self.rng.chance(50))
            }
            2 => C::And(vec![self.condition(depth - 1), self.condition(depth - 1)]),
            3 => C::Or(vec![self.condition(depth - 1), self.condition(depth - 1)]),
            _ => C::Not(Box::new(self.condition(depth - 1))),
        }
    }
}

fn reads_line(e: &E) -> bool {
    match e {
        E::Line(_) | E::Prior(_) => true,
        E::Money(..) | E::Ratio(..) => false,
        E::Neg(a) | E::Abs(a) => reads_line(a),
        E::Round(a, step, _) => reads_line(a) || matches!(step, Step::Of(s) if reads_line(s)),
        E::Add(a, b) | E::Sub(a, b) | E::Mul(a, b) | E::Div(a, b) => reads_line(a) || reads_line(b),
        E::Sum(items) | E::Max(items) | E::Min(items) => items.iter().any(reads_line),
    }
}

fn reports(rng: &mut Rng, lines: &[Line]) -> Vec<Report> {
    let mut reports: Vec<Report> = Vec::new();
    let count = 16 + rng.below(14);
    for n in 0..count {
        // Now and then a copy of an earlier report under another id (one report given
        // twice), or a report of the same firm and date that differs.
        if n > 0 && rng.chance(8) {
            let mut copy = rng.pick(&reports).clone();
            copy.id = format!("R{n:03}");
            if rng.chance(50) {
                if let Some((_, amount)) = copy.lines.iter_mut().next() {
                    amount.mantissa += 1;
                    amount.text = print(amount.mantissa, amount.scale, false);
                }
            }
            reports.push(copy);
            continue;
        }
        let firm = match rng.below(5) {
            0 => None,
            1 | 2 => Some("F1".to_owned()),
            _ => Some("F2".to_owned()),
        };
        let date = (!rng.chance(10)).then(|| rng.below(DATES.len() as u64) as u32);
        let (unit, unit_text) = *rng.pick(&[
            (0, ""),
            (0, ""),
            (0, "dollars"),
            (3, "thousands"),
            (3, "1000"),
            (6, "millions"),
        ]);
        let mut amounts = BTreeMap::new();
        for line in lines {
            if rng.chance(25) {
                continue;
            }
            amounts.insert(line.code, amount(rng, line.kind));
        }
        let bad = rng.chance(5).then(|| rng.pick(lines).code);
        reports.push(Report {
            id: format!("R{n:03}"),
            firm,
            date,
            unit,
            unit_text: unit_text.to_owned(),
            lines: amounts,
            bad,
        });
    }
    reports
}

/// An amount as a report prints it: small values often (so sides are equal, ties at .5
/// happen), printed decimals that vary, now and then thousands separators or parentheses.
fn amount(rng: &mut Rng, kind: Kind) -> Amount {
    let (mantissa, scale) = match kind {
        Kind::Percent => (rng.below(10_001) as i128, *rng.pick(&[0, 1, 2])),
        Kind::Ratio => (rng.below(400) as i128 - 100, *rng.pick(&[1, 2])),
        Kind::Money => match rng.below(6) {
            0 | 1 => (rng.below(11) as i128 - 5, 0),
            2 => (rng.below(21) as i128 * 5 - 50, 1),
            3 => (rng.below(2001) as i128 - 1000, 2),
            4 => (rng.below(2_000_000) as i128 - 500_000, 0),
            _ => (rng.below(600_000) as i128, 0),
        },
    };
    let fancy = rng.chance(10);
    Amount {
        mantissa,
        scale,
        text: print(mantissa, scale, fancy),
    }
}

/// `mantissa / 10^scale` as text; `fancy`: with thousands separators, a negative in
/// parentheses.
fn print(mantissa: i128, scale: u32, fancy: bool) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale as usize + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    let whole = if fancy {
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        grouped
    } else {
        whole.to_owned()
    };
    let number = if scale == 0 {
        whole
    } else {
        format!("{whole}.{fraction}")
    };
    match (mantissa < 0, fancy) {
        (true, true) => format!("({number})"),
        (true, false) => format!("-{number}"),
        _ => number,
    }
}

// ---------------------------------------------------------------------------------------
// Writing the pack and its reports

impl Pack {
    pub fn rules_text(&self) -> String {
        self.rules_text_of(&self.rules)
    }

    /// The catalogue and the given rules as a rule file.
    pub fn rules_text_of(&self, rules: &[Rule]) -> String {
        let mut text = String::from("page p \"Generated\"\n");
        for line in &self.lines {
            let flag = match line.kind {
                Kind::Money => "",
                Kind::Percent => " percent",
                Kind::Ratio => " ratio",
            };
            let total = if line.total { " total" } else { "" };
            let _ = writeln!(text, "  {} \"line {}\"{flag}{total}", line.code, line.code);
        }
        for rule in rules {
            let _ = write!(text, "\nrule {} \"generated\"\n", rule.id);
            if rule.warning {
                text.push_str("  severity warning\n");
            }
            match (rule.from, rule.until) {
                (None, None) => {}
                (Some(from), None) => {
                    let _ = writeln!(text, "  effective from {}", next_day(from));
                }
                // `through` the month end is `until` the day after it: both spellings.
                (None, Some(until)) if (rule.id.len() as u32 + until) % 2 == 0 => {
                    let _ = writeln!(text, "  effective through {}", DATES[until as usize]);
                }
                (None, Some(until)) => {
                    let _ = writeln!(text, "  effective until {}", next_day(until));
                }
                (Some(from), Some(until)) => {
                    let _ = writeln!(
                        text,
                        "  effective from {} until {}",
                        next_day(from),
                        next_day(until)
                    );
                }
            }
            let _ = writeln!(
                text,
                "  {} {} {}",
                show(&rule.left),
                rule.op.text(),
                show(&rule.right)
            );
            match &rule.tol {
                Tol::None => {}
                Tol::Dollars(_, t) | Tol::Percent(_, t) => {
                    let _ = writeln!(text, "  within {t}");
                }
                Tol::Rounding => text.push_str("  within rounding\n"),
            }
            if let Some(cond) = &rule.cond {
                let _ = writeln!(text, "  when {}", show_cond(cond));
            }
        }
        for (id, after, through) in &self.lapses {
            if rules.iter().any(|rule| &rule.id == id) {
                let _ = writeln!(
                    text,
                    "\nlapse {id} \"no version\"\n  effective from {} through {}",
                    next_day(*after),
                    DATES[*through as usize]
                );
            }
        }
        text
    }

    pub fn write(&self, dir: &Path) {
        std::fs::write(dir.join("rules.xfoot"), self.rules_text()).unwrap();
        std::fs::write(dir.join("waivers.yaml"), self.waivers_text()).unwrap();
        std::fs::create_dir_all(dir.join("reports")).unwrap();
        let mut jsonl = String::new();
        let codes: Vec<u32> = self.lines.iter().map(|l| l.code).collect();
        let mut csv = String::from("report_id,firm,as_of,unit");
        for code in &codes {
            let _ = write!(csv, ",{code}");
        }
        csv.push('\n');
        for (r, report) in self.reports.iter().enumerate() {
            std::fs::write(
                dir.join(format!("reports/{}.yaml", report.id)),
                yaml(report),
            )
            .unwrap();
            jsonl.push_str(&json_line(report));
            jsonl.push('\n');
            csv.push_str(&csv_row(report, &codes));
            csv.push('\n');
            if let Some(note) = note_after(r) {
                // A note under the data (only its firm cell has text) and a blank row:
                // neither is a report.
                let _ = writeln!(csv, ",\"{note}\",,{}", ",".repeat(codes.len()));
                let _ = writeln!(csv, ",,,{}", ",".repeat(codes.len()));
            }
        }
        std::fs::write(dir.join("reports.jsonl"), jsonl).unwrap();
        std::fs::write(dir.join("reports.csv"), csv).unwrap();
        self.write_workbook(dir, &codes);
    }

    /// The batch as a workbook sheet with descriptive headers (`Line 7010`) and the column
    /// map that names them: a title row above the header, the date as a date cell, an
    /// amount as a number cell where a spreadsheet holds it as typed (at most 15
    /// significant digits, no trailing zero after the point, which a number cell cannot
    /// keep) and as a text cell otherwise.
    fn write_workbook(&self, dir: &Path, codes: &[u32]) {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("Batch").unwrap();
        sheet.write_string(0, 0, "Generated batch").unwrap();
        let mut map = String::from("map: crossing\ncolumns:\n");
        let fixed = ["report_id", "firm", "as_of", "unit"];
        for (c, name) in fixed.iter().enumerate() {
            sheet.write_string(1, c as u16, *name).unwrap();
        }
        for (i, code) in codes.iter().enumerate() {
            let header = format!("Line {code}");
            sheet
                .write_string(1, (fixed.len() + i) as u16, &header)
                .unwrap();
            let _ = writeln!(map, "  \"{header}\": {code}");
        }
        let day = Format::new().set_num_format("yyyy-mm-dd");
        let mut row = 1;
        for (r, report) in self.reports.iter().enumerate() {
            row += 1;
            sheet.write_string(row, 0, &report.id).unwrap();
            if let Some(firm) = &report.firm {
                sheet.write_string(row, 1, firm).unwrap();
            }
            if let Some(date) = report.date {
                let date = ExcelDateTime::parse_from_str(DATES[date as usize]).unwrap();
                sheet
                    .write_datetime_with_format(row, 2, &date, &day)
                    .unwrap();
            }
            if !report.unit_text.is_empty() {
                sheet.write_string(row, 3, &report.unit_text).unwrap();
            }
            for (i, code) in codes.iter().enumerate() {
                let Some(text) = amount_text(report, *code) else {
                    continue;
                };
                let column = (fixed.len() + i) as u16;
                match as_number(&text) {
                    Some(number) => sheet.write_number(row, column, number).unwrap(),
                    None => sheet.write_string(row, column, &text).unwrap(),
                };
            }
            if let Some(note) = note_after(r) {
                // A note in the firm column, then a row left empty: no reports.
                row += 1;
                sheet.write_string(row, 1, note).unwrap();
                row += 1;
            }
        }
        book.save(dir.join("reports.xlsx")).unwrap();
        std::fs::write(dir.join("reports.map.yaml"), map).unwrap();
    }

    fn waivers_text(&self) -> String {
        let mut text = String::from("waivers:\n");
        if self.waivers.is_empty() {
            return "waivers: []\n".to_owned();
        }
        for waiver in &self.waivers {
            let _ = writeln!(text, "  - rule: {}", waiver.rule);
            if let Some(firm) = &waiver.firm {
                let _ = writeln!(text, "    firm: {firm}");
            }
            if let Some(date) = waiver.date {
                let _ = writeln!(text, "    as_of: {}", DATES[date as usize]);
            }
            text.push_str("    justification: generated\n    approver: the tests\n");
            let expires = if waiver.expired {
                "2024-06-30"
            } else {
                "2025-06-30"
            };
            let _ = writeln!(text, "    expires: {expires}");
        }
        text
    }
}

/// The day after a month end of [`DATES`]: periods start on the first of a month.
fn next_day(index: u32) -> &'static str {
    [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
    ][index as usize]
}

/// An amount's text as a spreadsheet holds it in a number cell, when one can: a plain
/// decimal of at most 15 significant digits with no trailing zero after its point.
fn as_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if unsigned.contains('.') && (unsigned.ends_with('0') || unsigned.ends_with('.')) {
        return None;
    }
    let digits = unsigned.trim_start_matches(['0', '.']).replace('.', "");
    if digits.len() > 15 {
        return None;
    }
    text.parse().ok()
}

fn amount_text(report: &Report, code: u32) -> Option<String> {
    if report.bad == Some(code) {
        return Some("1O0".to_owned());
    }
    report.lines.get(&code).map(|a| a.text.clone())
}

fn yaml(report: &Report) -> String {
    let mut text = format!("id: {}\n", report.id);
    if let Some(firm) = &report.firm {
        let _ = writeln!(text, "firm: {firm}");
    }
    if let Some(date) = report.date {
        let _ = writeln!(text, "as_of: {}", DATES[date as usize]);
    }
    if !report.unit_text.is_empty() {
        let _ = writeln!(text, "unit: \"{}\"", report.unit_text);
    }
    text.push_str("lines:\n");
    let mut codes: Vec<u32> = report.lines.keys().copied().collect();
    codes.extend(report.bad);
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        if let Some(amount) = amount_text(report, code) {
            let _ = writeln!(text, "  {code}: \"{amount}\"");
        }
    }
    text
}

fn json_line(report: &Report) -> String {
    let mut fields = vec![format!("\"id\":\"{}\"", report.id)];
    if let Some(firm) = &report.firm {
        fields.push(format!("\"firm\":\"{firm}\""));
    }
    if let Some(date) = report.date {
        fields.push(format!("\"as_of\":\"{}\"", DATES[date as usize]));
    }
    if !report.unit_text.is_empty() {
        fields.push(format!("\"unit\":\"{}\"", report.unit_text));
    }
    let mut codes: Vec<u32> = report.lines.keys().copied().collect();
    codes.extend(report.bad);
    codes.sort_unstable();
    codes.dedup();
    let lines: Vec<String> = codes
        .into_iter()
        .filter_map(|code| Some(format!("\"{code}\":\"{}\"", amount_text(report, code)?)))
        .collect();
    fields.push(format!("\"lines\":{{{}}}", lines.join(",")));
    format!("{{{}}}", fields.join(","))
}

/// The note a wide CSV file or sheet holds after its `r`-th report, if any: text only in
/// the firm column, as a published sheet's headings and footnotes are (quoted in CSV, so
/// the block is read by the CSV reader's general path).
fn note_after(r: usize) -> Option<&'static str> {
    (r % 9 == 8).then_some("Note: made-up figures, in the report's unit")
}

fn csv_row(report: &Report, codes: &[u32]) -> String {
    let quote = |text: &str| {
        if text.contains(',') {
            format!("\"{text}\"")
        } else {
            text.to_owned()
        }
    };
    let mut row = format!(
        "{},{},{},{}",
        report.id,
        report.firm.as_deref().unwrap_or(""),
        report.date.map_or("", |d| DATES[d as usize]),
        quote(&report.unit_text)
    );
    for code in codes {
        let _ = write!(
            row,
            ",{}",
            quote(&amount_text(report, *code).unwrap_or_default())
        );
    }
    row
}

fn show(e: &E) -> String {
    match e {
        E::Line(code) => code.to_string(),
        E::Prior(code) => format!("prior({code})"),
        E::Money(_, text) | E::Ratio(_, text) => text.clone(),
        E::Neg(a) => format!("-({})", show(a)),
        E::Add(a, b) => format!("({} + {})", show(a), show(b)),
        E::Sub(a, b) => format!("({} - {})", show(a), show(b)),
        E::Mul(a, b) => format!("({} * {})", show(a), show(b)),
        E::Div(a, b) => format!("({} / {})", show(a), show(b)),
        E::Sum(items) => format!("sum({})", list(items)),
        E::Max(items) => format!("max({})", list(items)),
        E::Min(items) => format!("min({})", list(items)),
        E::Abs(a) => format!("abs({})", show(a)),
        E::Round(a, step, mode) => {
            let step = match step {
                Step::Places(p) => p.to_string(),
                Step::Of(s) => show(s),
            };
            format!("round({}, {step}, {})", show(a), mode.name())
        }
    }
}

fn list(items: &[E]) -> String {
    items.iter().map(show).collect::<Vec<_>>().join(", ")
}

fn show_cond(c: &C) -> String {
    match c {
        C::Cmp(l, op, r) => format!("{} {} {}", show(l), op.text(), show(r)),
        C::Blank(code, true) => format!("{code} is blank"),
        C::Blank(code, false) => format!("{code} is not blank"),
        C::And(parts) => parts
            .iter()
            .map(|p| format!("({})", show_cond(p)))
            .collect::<Vec<_>>()
            .join(" and "),
        C::Or(parts) => parts
            .iter()
            .map(|p| format!("({})", show_cond(p)))
            .collect::<Vec<_>>()
            .join(" or "),
        C::Not(inner) => format!("not ({})", show_cond(inner)),
    }
}

// ---------------------------------------------------------------------------------------
// The reference evaluator

/// Why a rule has no previous report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NoPrior {
    None,
    Unreadable,
    Ambiguous,
}

/// An arithmetic error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Failed;

/// What a rule reads: the report, its previous report, and the pack.
struct Reading<'a> {
    pack: &'a Pack,
    report: &'a Report,
    prior: Option<&'a Report>,
}

impl Reading<'_> {
    fn kind(&self, code: u32) -> Kind {
        self.pack
            .lines
            .iter()
            .find(|l| l.code == code)
            .map_or(Kind::Money, |l| l.kind)
    }

    /// The printed amount of a line, of the report or its previous report.
    fn printed(&self, code: u32, prior: bool) -> Option<&Amount> {
        let report = if prior { self.prior? } else { self.report };
        report.lines.get(&code)
    }

    /// What one printed unit of a line is worth to a rule.
    fn scale(&self, code: u32, prior: bool) -> Q {
        match self.kind(code) {
            Kind::Percent => Q::new(1, 100),
            Kind::Ratio => Q::ONE,
            Kind::Money if prior => {
                let from = self.prior.map_or(0, |p| p.unit) as i32;
                let to = self.report.unit as i32;
                Q::pow10(from - to)
            }
            Kind::Money => Q::ONE,
        }
    }

    fn line(&self, code: u32, prior: bool) -> Q {
        match self.printed(code, prior) {
            Some(amount) => amount.value().mul(self.scale(code, prior)),
            None => Q::ZERO,
        }
    }

    /// Dollars in the report's unit.
    fn money(&self, dollars: Q) -> Q {
        dollars.mul(Q::pow10(-(self.report.unit as i32)))
    }

    fn eval(&self, e: &E) -> Result<Q, Failed> {
        Ok(match e {
            E::Line(code) => self.line(*code, false),
            E::Prior(code) => self.line(*code, true),
            E::Money(value, _) => self.money(*value),
            E::Ratio(value, _) => *value,
            E::Neg(a) => self.eval(a)?.neg(),
            E::Add(a, b) => self.eval(a)?.add(self.eval(b)?),
            E::Sub(a, b) => self.eval(a)?.sub(self.eval(b)?),
            E::Mul(a, b) => self.eval(a)?.mul(self.eval(b)?),
            E::Div(a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                a.div(b).ok_or(Failed)?
            }
            E::Sum(items) => {
                let mut total = Q::ZERO;
                for item in items {
                    total = total.add(self.eval(item)?);
                }
                total
            }
            E::Max(items) | E::Min(items) => {
                let values: Result<Vec<Q>, Failed> = items.iter().map(|i| self.eval(i)).collect();
                let values = values?;
                let mut best = values[0];
                for v in values {
                    let better = if matches!(e, E::Max(_)) {
                        v > best
                    } else {
                        v < best
                    };
                    if better {
                        best = v;
                    }
                }
                best
            }
            E::Abs(a) => self.eval(a)?.abs(),
            E::Round(a, step, mode) => {
                let value = self.eval(a)?;
                match step {
                    Step::Places(p) => {
                        let unit = Q::pow10(-(*p as i32));
                        round(value.div(unit).ok_or(Failed)?, *mode).mul(unit)
                    }
                    Step::Of(s) => {
                        let s = self.eval(s)?;
                        round(value.div(s).ok_or(Failed)?, *mode).mul(s)
                    }
                }
            }
        })
    }

    fn condition(&self, c: &C) -> Result<bool, Failed> {
        Ok(match c {
            C::Cmp(l, op, r) => op.holds(self.eval(l)?.cmp(&self.eval(r)?)),
            C::Blank(code, blank) => self.report.lines.contains_key(code) != *blank,
            C::And(parts) => {
                for part in parts {
                    if !self.condition(part)? {
                        return Ok(false);
                    }
                }
                true
            }
            C::Or(parts) => {
                for part in parts {
                    if self.condition(part)? {
                        return Ok(true);
                    }
                }
                false
            }
            C::Not(inner) => !self.condition(inner)?,
        })
    }
}

/// A value rounded to a whole number as `mode` says.
fn round(q: Q, mode: Mode) -> Q {
    let floor = q.floor();
    let rest = q.sub(Q::whole(floor));
    let half = Q::new(1, 2);
    let up = Q::whole(floor + 1);
    let down = Q::whole(floor);
    match mode {
        Mode::Floor => down,
        Mode::Ceiling => {
            if rest == Q::ZERO {
                down
            } else {
                up
            }
        }
        Mode::TowardZero => {
            if q >= Q::ZERO || rest == Q::ZERO {
                down
            } else {
                up
            }
        }
        Mode::HalfAway | Mode::HalfEven => match rest.cmp(&half) {
            Ordering::Less => down,
            Ordering::Greater => up,
            Ordering::Equal => match mode {
                Mode::HalfEven if floor % 2 == 0 => down,
                Mode::HalfEven => up,
                _ if q >= Q::ZERO => up,
                _ => down,
            },
        },
    }
}

/// Each line an expression reads, as (code, previous report).
fn reads(e: &E, found: &mut Vec<(u32, bool)>) {
    match e {
        E::Line(code) => found.push((*code, false)),
        E::Prior(code) => found.push((*code, true)),
        E::Money(..) | E::Ratio(..) => {}
        E::Neg(a) | E::Abs(a) => reads(a, found),
        E::Round(a, step, _) => {
            reads(a, found);
            if let Step::Of(s) = step {
                reads(s, found);
            }
        }
        E::Add(a, b) | E::Sub(a, b) | E::Mul(a, b) | E::Div(a, b) => {
            reads(a, found);
            reads(b, found);
        }
        E::Sum(items) | E::Max(items) | E::Min(items) => {
            for item in items {
                reads(item, found);
            }
        }
    }
}

fn cond_reads_prior(c: &C) -> bool {
    match c {
        C::Cmp(l, _, r) => {
            let mut found = Vec::new();
            reads(l, &mut found);
            reads(r, &mut found);
            found.iter().any(|(_, p)| *p)
        }
        C::Blank(..) => false,
        C::And(parts) | C::Or(parts) => parts.iter().any(cond_reads_prior),
        C::Not(inner) => cond_reads_prior(inner),
    }
}

/// A linear form: a constant plus a coefficient per figure (code, previous report).
#[derive(Clone, Debug, Default)]
struct Linear {
    constant: Q,
    terms: BTreeMap<(u32, bool), Q>,
}

impl Linear {
    fn scaled(mut self, by: Q) -> Linear {
        self.constant = self.constant.mul(by);
        for c in self.terms.values_mut() {
            *c = c.mul(by);
        }
        self
    }

    fn plus(mut self, other: Linear) -> Linear {
        self.constant = self.constant.add(other.constant);
        for (k, c) in other.terms {
            let e = self.terms.entry(k).or_insert(Q::ZERO);
            *e = e.add(c);
        }
        self
    }

    fn is_constant(&self) -> bool {
        self.terms.values().all(|c| *c == Q::ZERO)
    }
}

impl Reading<'_> {
    /// The expression as a linear form in the true values of its figures (each figure's
    /// coefficient applied to its value as the rule reads it), when it is linear.
    fn linear(&self, e: &E) -> Option<Linear> {
        Some(match e {
            E::Line(code) | E::Prior(code) => {
                let prior = matches!(e, E::Prior(_));
                if self.printed(*code, prior).is_none() {
                    return Some(Linear::default());
                }
                let mut form = Linear::default();
                form.terms.insert((*code, prior), Q::ONE);
                form
            }
            E::Money(..) | E::Ratio(..) => Linear {
                constant: self.eval(e).ok()?,
                terms: BTreeMap::new(),
            },
            E::Neg(a) => self.linear(a)?.scaled(Q::ONE.neg()),
            E::Add(a, b) => self.linear(a)?.plus(self.linear(b)?),
            E::Sub(a, b) => self.linear(a)?.plus(self.linear(b)?.scaled(Q::ONE.neg())),
            E::Sum(items) => {
                let mut total = Linear::default();
                for item in items {
                    total = total.plus(self.linear(item)?);
                }
                total
            }
            E::Mul(a, b) => {
                let (a, b) = (self.linear(a)?, self.linear(b)?);
                if a.is_constant() {
                    b.scaled(a.constant)
                } else if b.is_constant() {
                    a.scaled(b.constant)
                } else {
                    return None;
                }
            }
            E::Div(a, b) => {
                let (a, b) = (self.linear(a)?, self.linear(b)?);
                if !b.is_constant() || b.constant == Q::ZERO {
                    return None;
                }
                a.scaled(Q::ONE.div(b.constant)?)
            }
            E::Max(_) | E::Min(_) | E::Abs(_) | E::Round(..) => return None,
        })
    }

    /// Half of what the true value of a figure may differ from its printed value, in the
    /// terms the rule reads it.
    fn half(&self, code: u32, prior: bool) -> Q {
        self.printed(code, prior)
            .map_or(Q::ZERO, |a| a.half().mul(self.scale(code, prior)))
    }
}

/// The reference verdict before waivers, and whether it is exact.
fn decide(pack: &Pack, rule: &Rule, report: &Report, prior: Result<&Report, NoPrior>) -> Verdict {
    // `effective from` the day after month end `from`: in force on later month ends;
    // `until` the day after month end `until`: in force up to it.
    let in_force = match (rule.from, rule.until, report.date) {
        (None, None, _) => true,
        (_, _, None) => false,
        (from, until, Some(date)) => {
            from.is_none_or(|from| date > from) && until.is_none_or(|until| date <= until)
        }
    };
    if !in_force {
        return Verdict::Exact(Outcome::Skipped("not_in_force"));
    }
    let mut assertion_reads = Vec::new();
    reads(&rule.left, &mut assertion_reads);
    reads(&rule.right, &mut assertion_reads);
    let reads_prior =
        assertion_reads.iter().any(|(_, p)| *p) || rule.cond.as_ref().is_some_and(cond_reads_prior);
    let prior = match prior {
        Ok(prior) => Some(prior),
        Err(_) if reads_prior => return Verdict::Exact(Outcome::Skipped("no_prior")),
        Err(_) => None,
    };
    let reading = Reading {
        pack,
        report,
        prior,
    };
    if let Some(cond) = &rule.cond {
        match reading.condition(cond) {
            Err(Failed) => return Verdict::Exact(Outcome::Error),
            Ok(false) => return Verdict::Exact(Outcome::Skipped("condition_false")),
            Ok(true) => {}
        }
    }
    if assertion_reads
        .iter()
        .all(|(code, prior)| reading.printed(*code, *prior).is_none())
    {
        return Verdict::Exact(Outcome::Skipped("all_lines_blank"));
    }
    let total = |code: u32| pack.lines.iter().any(|l| l.code == code && l.total);
    if assertion_reads
        .iter()
        .any(|(code, prior)| total(*code) && reading.printed(*code, *prior).is_none())
    {
        return Verdict::Exact(Outcome::Skipped("blank_total"));
    }
    let (left, right) = match (reading.eval(&rule.left), reading.eval(&rule.right)) {
        (Ok(l), Ok(r)) => (l, r),
        _ => return Verdict::Exact(Outcome::Error),
    };
    let difference = left.sub(right);
    let exact = |holds: bool| Verdict::Exact(if holds { Outcome::Pass } else { Outcome::Fail });
    match &rule.tol {
        Tol::None => exact(rule.op.holds(left.cmp(&right))),
        Tol::Dollars(dollars, _) => {
            let tolerance = reading.money(*dollars);
            let ordering = if difference.abs() <= tolerance {
                Ordering::Equal
            } else {
                left.cmp(&right)
            };
            exact(rule.op.holds(ordering))
        }
        Tol::Percent(ratio, _) => {
            let larger = if left.abs() > right.abs() {
                left.abs()
            } else {
                right.abs()
            };
            let tolerance = ratio.mul(larger);
            let ordering = if difference.abs() <= tolerance {
                Ordering::Equal
            } else {
                left.cmp(&right)
            };
            exact(rule.op.holds(ordering))
        }
        Tol::Rounding => {
            let linear = reading
                .linear(&rule.left)
                .zip(reading.linear(&rule.right))
                .map(|(l, r)| l.plus(r.scaled(Q::ONE.neg())));
            match linear {
                Some(form) => {
                    // The band: half a printed unit times the absolute coefficient of each
                    // figure, summed.
                    let mut band = Q::ZERO;
                    for ((code, prior), c) in &form.terms {
                        band = band.add(c.abs().mul(reading.half(*code, *prior)));
                    }
                    let low = difference.sub(band);
                    let high = difference.add(band);
                    let mut orderings = Vec::new();
                    if low < Q::ZERO {
                        orderings.push(Ordering::Less);
                    }
                    if low <= Q::ZERO && Q::ZERO <= high {
                        orderings.push(Ordering::Equal);
                    }
                    if high > Q::ZERO {
                        orderings.push(Ordering::Greater);
                    }
                    exact(orderings.into_iter().any(|o| rule.op.holds(o)))
                }
                None => Verdict::Sound {
                    must_pass: sound_pass(&reading, rule, &assertion_reads),
                    waived: false,
                },
            }
        }
    }
}

/// Whether some choice of the figures' true values (the printed values, and each figure at
/// either end of its half-unit, a few choices at a time) satisfies the rule.
fn sound_pass(reading: &Reading<'_>, rule: &Rule, figures: &[(u32, bool)]) -> bool {
    let mut figures: Vec<(u32, bool)> = figures
        .iter()
        .copied()
        .filter(|(code, prior)| reading.printed(*code, *prior).is_some())
        .collect();
    figures.sort_unstable();
    figures.dedup();
    let choices = 1usize << figures.len().min(8);
    for choice in 0..=choices {
        let moved = move_figures(reading, &figures, choice, choice == choices);
        let reading = Reading {
            pack: reading.pack,
            report: &moved.0,
            prior: moved.1.as_ref(),
        };
        if let (Ok(l), Ok(r)) = (reading.eval(&rule.left), reading.eval(&rule.right)) {
            if rule.op.holds(l.cmp(&r)) {
                return true;
            }
        }
    }
    false
}

/// The report and its previous report with each figure moved to an end of its half-unit
/// (bit `i` of `choice`: up or down), or unmoved (`center`).
fn move_figures(
    reading: &Reading<'_>,
    figures: &[(u32, bool)],
    choice: usize,
    center: bool,
) -> (Report, Option<Report>) {
    let mut report = reading.report.clone();
    let mut prior = reading.prior.cloned();
    if center {
        return (report, prior);
    }
    for (i, (code, is_prior)) in figures.iter().enumerate() {
        let target = if *is_prior {
            prior.as_mut()
        } else {
            Some(&mut report)
        };
        let Some(target) = target else { continue };
        if let Some(amount) = target.lines.get_mut(code) {
            // One more decimal: the printed value ± a half of its last digit.
            let up = i >= 8 || choice & (1 << i) != 0;
            amount.mantissa = amount.mantissa * 10 + if up { 5 } else { -5 };
            amount.scale += 1;
        }
    }
    (report, prior)
}

impl Pack {
    /// The previous report of a report: the latest earlier one of its firm; none when that
    /// one could not be read or when two different reports share its date.
    fn prior_of(&self, report: &Report) -> Result<&Report, NoPrior> {
        let date = report.date.ok_or(NoPrior::None)?;
        let earlier: Vec<&Report> = self
            .reports
            .iter()
            .filter(|r| r.firm == report.firm && r.date.is_some_and(|d| d < date))
            .collect();
        let latest = earlier
            .iter()
            .filter_map(|r| r.date)
            .max()
            .ok_or(NoPrior::None)?;
        let that_day: Vec<&Report> = earlier
            .into_iter()
            .filter(|r| r.date == Some(latest))
            .collect();
        if that_day.iter().any(|r| !r.readable()) {
            return Err(NoPrior::Unreadable);
        }
        let first = that_day[0];
        let same = |a: &Report, b: &Report| {
            a.unit == b.unit
                && a.lines.len() == b.lines.len()
                && a.lines
                    .iter()
                    .all(|(code, x)| b.lines.get(code).is_some_and(|y| x.value() == y.value()))
        };
        if that_day.iter().any(|r| !same(first, r)) {
            return Err(NoPrior::Ambiguous);
        }
        Ok(first)
    }

    /// Whether a report's previous report is one that could not be read.
    pub fn prior_unreadable(&self, report: &Report) -> bool {
        matches!(self.prior_of(report), Err(NoPrior::Unreadable))
    }

    fn waived(&self, rule: &Rule, report: &Report) -> bool {
        self.waivers.iter().any(|w| {
            !w.expired
                && w.rule == rule.id
                && w.firm
                    .as_ref()
                    .is_none_or(|f| report.firm.as_ref() == Some(f))
                && w.date.is_none_or(|d| report.date == Some(d))
        })
    }

    /// Every readable report's verdicts, rule by rule.
    pub fn reference(&self) -> BTreeMap<&Report, Vec<Verdict>> {
        let mut found = BTreeMap::new();
        for report in self.reports.iter().filter(|r| r.readable()) {
            let prior = self.prior_of(report);
            let verdicts = self
                .rules
                .iter()
                .map(|rule| {
                    rational::overflowed();
                    let verdict = decide(self, rule, report, prior);
                    if rational::overflowed() {
                        return Verdict::Unknown;
                    }
                    let waived = self.waived(rule, report);
                    match verdict {
                        Verdict::Exact(Outcome::Fail) if waived => Verdict::Exact(Outcome::Waived),
                        Verdict::Sound { must_pass, .. } => Verdict::Sound { must_pass, waived },
                        other => other,
                    }
                })
                .collect();
            found.insert(report, verdicts);
        }
        found
    }

    /// The exit code `check` must give on the whole batch, when the verdicts decide it.
    pub fn exit_code(&self, expected: &BTreeMap<&Report, Vec<Verdict>>) -> Option<i32> {
        if self.reports.iter().any(|r| !r.readable()) {
            return Some(2);
        }
        let mut code = 0;
        let mut undecided = false;
        for verdicts in expected.values() {
            for (rule, verdict) in self.rules.iter().zip(verdicts) {
                match verdict {
                    Verdict::Exact(Outcome::Error) => return Some(2),
                    Verdict::Exact(Outcome::Fail) if !rule.warning => code = 1,
                    Verdict::Sound { .. } | Verdict::Unknown => undecided = true,
                    _ => {}
                }
            }
        }
        (!undecided).then_some(code)
    }
}

impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Report {}

impl PartialOrd for Report {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Report {
    fn cmp(&self, other: &Self) -> Ordering {
        self.id.cmp(&other.id)
    }
}

// ---------------------------------------------------------------------------------------
// The SQL query's share

impl Rule {
    /// Whether the SQL query can hold the rule at all: it reads no previous report and is
    /// not `within rounding` (the query refuses both; other refusals are found by compiling).
    pub fn sql_candidate(&self) -> bool {
        let mut found = Vec::new();
        reads(&self.left, &mut found);
        reads(&self.right, &mut found);
        !found.iter().any(|(_, prior)| *prior)
            && !self.cond.as_ref().is_some_and(cond_reads_prior)
            && !matches!(self.tol, Tol::Rounding)
    }
}

impl Pack {
    /// The readable reports as a wide CSV file for the query: plain amounts (no separators
    /// or parentheses, which the query refuses), `as_of` and `unit` columns.
    pub fn sql_csv(&self) -> String {
        let mut csv = String::from("report_id,as_of,unit");
        for line in &self.lines {
            let _ = write!(csv, ",{}", line.code);
        }
        csv.push('\n');
        for report in self.reports.iter().filter(|r| r.readable()) {
            let _ = write!(
                csv,
                "{},{},{}",
                report.id,
                report.date.map_or("", |d| DATES[d as usize]),
                report.unit_text
            );
            for line in &self.lines {
                let amount = report.lines.get(&line.code);
                let text = amount.map(|a| print(a.mantissa, a.scale, false));
                let _ = write!(csv, ",{}", text.unwrap_or_default());
            }
            csv.push('\n');
        }
        csv
    }

    /// The rows the query must give for `rules`: each readable report and each rule the
    /// reference fails (waived or not: the query knows no waivers), with both sides; and
    /// the (report, rule) pairs the reference cannot decide (its arithmetic overflowed).
    pub fn sql_rows(&self, rules: &[Rule]) -> (BTreeSet<SqlRow>, BTreeSet<(String, String)>) {
        let mut rows = BTreeSet::new();
        let mut unknown = BTreeSet::new();
        for report in self.reports.iter().filter(|r| r.readable()) {
            let prior = self.prior_of(report);
            for rule in rules {
                rational::overflowed();
                let verdict = decide(self, rule, report, prior);
                if rational::overflowed() {
                    unknown.insert((report.id.clone(), rule.id.clone()));
                    continue;
                }
                if verdict != Verdict::Exact(Outcome::Fail) {
                    continue;
                }
                let reading = Reading {
                    pack: self,
                    report,
                    prior: None,
                };
                let (Ok(left), Ok(right)) = (reading.eval(&rule.left), reading.eval(&rule.right))
                else {
                    continue;
                };
                rows.insert((report.id.clone(), rule.id.clone(), left, right));
            }
        }
        (rows, unknown)
    }
}

/// A row of the query: report, rule, left and right side.
pub type SqlRow = (String, String, Q, Q);

/// A decimal's text as an exact rational.
pub fn parse_decimal(text: &str) -> Q {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mantissa: i128 = format!("{whole}{fraction}").parse().expect("a decimal");
    let value = Q::new(mantissa, 10i128.pow(fraction.len() as u32));
    if negative { value.neg() } else { value }
}

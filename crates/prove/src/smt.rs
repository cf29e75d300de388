//! SMT-LIB 2 text: exact rational literals and the few term shapes the compiler writes.
//! Nothing here is a float: a value is written as the quotient of two integers.

use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::number::Value;

/// A real literal for an exact value: `5.0`, `(- 5.0)`, `(/ 1.0 3.0)`.
pub fn real(value: Value) -> String {
    let (num, den) = value.reduced().parts();
    let magnitude = if den == 1 {
        format!("{}.0", num.unsigned_abs())
    } else {
        format!("(/ {}.0 {}.0)", num.unsigned_abs(), den)
    };
    if num < 0 {
        format!("(- {magnitude})")
    } else {
        magnitude
    }
}

/// The variable of a line's printed amount, on the report or the previous report.
pub fn amount(code: LineCode, prior: bool) -> String {
    format!("{}v_{code}", if prior { "p" } else { "" })
}

/// The variable saying a line is blank.
pub fn blank(code: LineCode, prior: bool) -> String {
    format!("{}b_{code}", if prior { "p" } else { "" })
}

/// The variable of half a unit of the last digit a line is printed with (`within
/// rounding`).
pub fn decimals(code: LineCode, prior: bool) -> String {
    format!("{}e_{code}", if prior { "p" } else { "" })
}

/// `(and …)` of the parts, simplified for none or one.
pub fn and(parts: &[String]) -> String {
    let parts: Vec<&String> = parts.iter().filter(|p| p.as_str() != "true").collect();
    if parts.iter().any(|p| p.as_str() == "false") {
        return "false".to_owned();
    }
    match parts.as_slice() {
        [] => "true".to_owned(),
        [one] => (*one).clone(),
        more => format!(
            "(and {})",
            more.iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// `(or …)` of the parts, simplified for none or one.
pub fn or(parts: &[String]) -> String {
    let parts: Vec<&String> = parts.iter().filter(|p| p.as_str() != "false").collect();
    if parts.iter().any(|p| p.as_str() == "true") {
        return "true".to_owned();
    }
    match parts.as_slice() {
        [] => "false".to_owned(),
        [one] => (*one).clone(),
        more => format!(
            "(or {})",
            more.iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// `(not x)`, simplified for constants.
pub fn not(term: &str) -> String {
    match term {
        "true" => "false".to_owned(),
        "false" => "true".to_owned(),
        _ => format!("(not {term})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_exact_quotients() {
        let v = |text: &str| real(text.parse().unwrap());
        assert_eq!(v("5"), "5.0");
        assert_eq!(v("-5"), "(- 5.0)");
        assert_eq!(v("0.08"), "(/ 2.0 25)".replace("25", "25.0"));
        assert_eq!(v("-1.1"), "(- (/ 11.0 10.0))");
        assert_eq!(real(Value::fraction(1, 3).unwrap()), "(/ 1.0 3.0)");
    }

    #[test]
    fn connectives_simplify_constants() {
        let s = |t: &str| t.to_owned();
        assert_eq!(and(&[s("true"), s("a")]), "a");
        assert_eq!(and(&[s("a"), s("false")]), "false");
        assert_eq!(or(&[s("a"), s("b")]), "(or a b)");
        assert_eq!(or(&[]), "false");
        assert_eq!(not("true"), "false");
    }
}

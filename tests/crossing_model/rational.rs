//! Exact rationals for the reference evaluator: an `i128` numerator and denominator, always
//! in lowest terms. An operation past `i128` does not wrap: it marks the thread's current
//! evaluation as overflowed ([`overflowed`]), and the reference gives no verdict for it.

use std::cell::Cell;
use std::cmp::Ordering;

thread_local! {
    static OVERFLOWED: Cell<bool> = const { Cell::new(false) };
}

/// Whether an operation overflowed since the last call (which clears the mark).
pub fn overflowed() -> bool {
    OVERFLOWED.with(|flag| flag.replace(false))
}

fn overflow() -> Q {
    OVERFLOWED.with(|flag| flag.set(true));
    Q::ZERO
}

/// A rational number in lowest terms, the denominator positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Q {
    n: i128,
    d: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Q {
    pub const ZERO: Q = Q { n: 0, d: 1 };
    pub const ONE: Q = Q { n: 1, d: 1 };

    pub fn new(n: i128, d: i128) -> Q {
        assert!(d != 0, "a zero denominator");
        let g = gcd(n, d);
        let (n, d) = (n / g, d / g);
        if d < 0 {
            Q { n: -n, d: -d }
        } else {
            Q { n, d }
        }
    }

    pub fn whole(n: i128) -> Q {
        Q { n, d: 1 }
    }

    /// 10^exponent (negative: a tenth, a hundredth, …).
    pub fn pow10(exponent: i32) -> Q {
        let power = 10i128.pow(exponent.unsigned_abs());
        if exponent >= 0 {
            Q::whole(power)
        } else {
            Q::new(1, power)
        }
    }

    pub fn add(self, other: Q) -> Q {
        let g = gcd(self.d, other.d);
        let (a, b) = (self.d / g, other.d / g);
        let n = self
            .n
            .checked_mul(b)
            .zip(other.n.checked_mul(a))
            .and_then(|(x, y)| x.checked_add(y));
        let d = self.d.checked_mul(b);
        match (n, d) {
            (Some(n), Some(d)) => Q::new(n, d),
            _ => overflow(),
        }
    }

    pub fn neg(self) -> Q {
        Q {
            n: -self.n,
            d: self.d,
        }
    }

    pub fn sub(self, other: Q) -> Q {
        self.add(other.neg())
    }

    pub fn mul(self, other: Q) -> Q {
        let g1 = gcd(self.n, other.d);
        let g2 = gcd(other.n, self.d);
        let n = (self.n / g1).checked_mul(other.n / g2);
        let d = (self.d / g2).checked_mul(other.d / g1);
        match (n, d) {
            (Some(n), Some(d)) => Q::new(n, d),
            _ => overflow(),
        }
    }

    /// `None`: division by zero.
    pub fn div(self, other: Q) -> Option<Q> {
        if other.n == 0 {
            return None;
        }
        Some(self.mul(Q::new(other.d, other.n)))
    }

    pub fn abs(self) -> Q {
        Q {
            n: self.n.abs(),
            d: self.d,
        }
    }

    /// The greatest whole number at most this.
    pub fn floor(self) -> i128 {
        self.n.div_euclid(self.d)
    }
}

impl Default for Q {
    fn default() -> Q {
        Q::ZERO
    }
}

impl Ord for Q {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.n.checked_mul(other.d), other.n.checked_mul(self.d)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => {
                overflow();
                Ordering::Equal
            }
        }
    }
}

impl PartialOrd for Q {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

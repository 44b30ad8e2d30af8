//! Number formatting for people: thousands separators and rates that never
//! divide by zero.

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // A separator goes before every digit that starts a group of three.
    let head = digits.len() % 3;
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == head {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count per second as a short figure: `812`, `14.8 k`, `3.21 M`.
pub fn rate(per_second: f64) -> String {
    if per_second >= 1e9 {
        format!("{:.2} G", per_second / 1e9)
    } else if per_second >= 1e6 {
        format!("{:.2} M", per_second / 1e6)
    } else if per_second >= 1e4 {
        format!("{:.1} k", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

/// `count` per second of `wall_us`, or `None` for a run too short to time.
pub fn per_second(count: u64, wall_us: u64) -> Option<f64> {
    if wall_us == 0 {
        return None;
    }
    Some(count as f64 * 1e6 / wall_us as f64)
}

/// Microseconds as seconds with millisecond precision: `15.000 s`.
pub fn seconds(us: u64) -> String {
    format!("{}.{:03} s", grouped(us / 1_000_000), (us / 1_000) % 1_000)
}

/// Microseconds as milliseconds with 3 significant digits: `0.250`, `1.25`,
/// `12.5`, `125`, `1,250` (whole milliseconds from 100 up).
pub fn millis(us: u64) -> String {
    millis_f(us as f64)
}

/// [`millis`] of a fractional number of microseconds (a mean).
pub fn millis_f(us: f64) -> String {
    let ms = us / 1_000.0;
    // Decide the decimals on the rounded value, so 9.996 becomes 10.0, not 10.00.
    if (ms * 10.0).round() / 10.0 >= 100.0 {
        grouped(ms.round() as u64)
    } else if (ms * 100.0).round() / 100.0 >= 10.0 {
        format!("{ms:.1}")
    } else if (ms * 1_000.0).round() / 1_000.0 >= 1.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.3}")
    }
}

/// A ratio in [0, 1] as a percentage with one decimal: `4.1 %`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_three() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn rates_and_seconds() {
        assert_eq!(rate(812.4), "812");
        assert_eq!(rate(14_800.0), "14.8 k");
        assert_eq!(rate(3_210_000.0), "3.21 M");
        assert_eq!(per_second(10, 0), None);
        assert_eq!(per_second(10, 2_000_000), Some(5.0));
        assert_eq!(seconds(15_000_000), "15.000 s");
        assert_eq!(seconds(1_234_567_890), "1,234.567 s");
    }

    #[test]
    fn milliseconds_to_three_significant_digits() {
        assert_eq!(millis(0), "0.000");
        assert_eq!(millis(250), "0.250");
        assert_eq!(millis(1_254), "1.25");
        assert_eq!(millis(12_540), "12.5");
        assert_eq!(millis(9_999), "10.0");
        assert_eq!(millis(99_960), "100");
        assert_eq!(millis(1_250_400), "1,250");
        assert_eq!(millis_f(1_500.4), "1.50");
        assert_eq!(percent(0.0412), "4.1 %");
    }
}

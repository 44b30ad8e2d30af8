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
}

//! Amounts of money as the README prints them.

/// `$0.0225`: up to four decimals, at least two.
pub fn dollars(amount: f64) -> String {
    let text = format!("{amount:.4}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        format!("${amount:.2}")
    } else {
        format!("${trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn dollars_keep_what_matters() {
        assert_eq!(dollars(0.045), "$0.045");
        assert_eq!(dollars(0.0225), "$0.0225");
        assert_eq!(dollars(0.12), "$0.12");
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(1.5), "$1.50");
    }
}

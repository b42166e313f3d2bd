//! ISO 8601 durations as FIS accepts them: `PT` then hours, minutes and seconds (`PT3M`).

/// Seconds in `PT[nH][nM][nS]`, or why the text is not such a duration.
pub fn parse(s: &str) -> Result<u64, String> {
    let body = s.strip_prefix("PT").ok_or_else(|| {
        format!("`{s}` is not an ISO 8601 duration (expected e.g. PT3M, PT1H30M)")
    })?;
    if body.is_empty() {
        return Err(format!("`{s}` has no hours, minutes or seconds"));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut last_unit = 0;
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let (rank, secs) = match c {
            'H' => (1, 3600),
            'M' => (2, 60),
            'S' => (3, 1),
            _ => {
                return Err(format!(
                    "`{s}` has an unexpected `{c}` (units are H, M and S)"
                ));
            }
        };
        if digits.is_empty() || rank <= last_unit {
            return Err(format!("`{s}` is not of the form PT[nH][nM][nS]"));
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("`{s}` has a number that is too large"))?;
        total = n
            .checked_mul(secs)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("`{s}` is too long"))?;
        digits.clear();
        last_unit = rank;
    }
    if !digits.is_empty() {
        return Err(format!(
            "`{s}` ends with a number without a unit (H, M or S)"
        ));
    }
    Ok(total)
}

/// `PT1M`-style text for a number of seconds, for messages.
pub fn show(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || secs == 0 {
        out.push_str(&format!("{s}S"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse("PT3M"), Ok(180));
        assert_eq!(parse("PT1H30M"), Ok(5400));
        assert_eq!(parse("PT90S"), Ok(90));
        for bad in [
            "3M",
            "PT",
            "PT3",
            "PTM",
            "PT3M1H",
            "P1D",
            "PT3m",
            "PT99999999999999999999H",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(show(43200), "PT12H");
        assert_eq!(show(60), "PT1M");
    }
}

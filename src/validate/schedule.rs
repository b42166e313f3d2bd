//! `schedule:` on an experiment, checked against the forms EventBridge Scheduler takes
//! ("Schedule types in EventBridge Scheduler"): a bad expression or time zone would otherwise
//! surface only at `terraform apply`, and a bad window never fires at all.

use super::{Schedule, Validator};
use crate::errors::Code;
use crate::spec::{RawSchedule, Spanned, pos};

const EXPRESSION_HELP: &str = "use `rate(<n> minutes|hours|days)` (singular for 1), `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` with `?` in one of the day fields, or `at(yyyy-mm-ddThh:mm:ss)`";

impl Validator {
    pub(super) fn schedule(&mut self, field: &str, raw: &Spanned<RawSchedule>) -> Option<Schedule> {
        let s = &raw.value;
        let before = self.diags.len();
        if let Err(why) = expression(&s.expression.value) {
            self.err(
                Code::E070,
                pos(&s.expression),
                format!("{field}.expression"),
                format!(
                    "`{}` is not a schedule expression: {why}",
                    s.expression.value
                ),
                EXPRESSION_HELP,
            );
        }
        let timezone = match &s.timezone {
            None => "UTC".to_owned(),
            Some(tz) => {
                if !is_timezone(&tz.value) {
                    self.err(
                        Code::E070,
                        pos(tz),
                        format!("{field}.timezone"),
                        format!("`{}` is not a time zone name", tz.value),
                        "use an IANA name such as `Europe/Berlin` or `America/New_York`, or `UTC`",
                    );
                }
                tz.value.clone()
            }
        };
        let mut time = |t: &Option<Spanned<String>>, key: &str| {
            let t = t.as_ref()?;
            if timestamp(&t.value) {
                return Some(t.value.clone());
            }
            self.err(
                Code::E070,
                pos(t),
                format!("{field}.{key}"),
                format!("`{}` is not a UTC time", t.value),
                "write it as `yyyy-mm-ddThh:mm:ssZ`, e.g. `2027-01-04T09:00:00Z`",
            );
            None
        };
        let start = time(&s.start, "start");
        let end = time(&s.end, "end");
        if let (Some(a), Some(b), Some(at)) = (&start, &end, &s.end) {
            // One fixed-width UTC form, so text order is time order.
            if a >= b {
                self.err(
                    Code::E070,
                    pos(at),
                    format!("{field}.end"),
                    format!(
                        "the schedule ends at {b}, not after it starts ({a}): it would never fire"
                    ),
                    "set `end` after `start`, or leave it out to run until the schedule is deleted",
                );
            }
        }
        (self.diags.len() == before).then(|| Schedule {
            expression: s.expression.value.clone(),
            timezone,
            start,
            end,
            enabled: s.enabled.as_ref().is_none_or(|e| e.value),
        })
    }
}

/// Why `e` is not one of Scheduler's three expression forms.
fn expression(e: &str) -> Result<(), String> {
    let inner = |prefix: &str| e.strip_prefix(prefix).and_then(|r| r.strip_suffix(')'));
    if let Some(body) = inner("rate(") {
        let mut words = body.split(' ');
        let (Some(n), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err("a rate is a number and a unit, one space apart".to_owned());
        };
        let n: u64 = n
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or("the rate's value must be a whole number of at least 1")?;
        let singular = ["minute", "hour", "day"];
        let unit_ok = if n == 1 {
            singular.contains(&unit)
        } else {
            unit.strip_suffix('s')
                .is_some_and(|u| singular.contains(&u))
        };
        if !unit_ok {
            return Err(format!("`{unit}` is not a unit for {n}"));
        }
        Ok(())
    } else if let Some(body) = inner("cron(") {
        let fields: Vec<&str> = body.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(format!(
                "a cron expression has 6 fields, not {}",
                fields.len()
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || ",-*/?#".contains(c);
        if let Some(f) = fields.iter().find(|f| !f.chars().all(allowed)) {
            return Err(format!("`{f}` is not a cron field"));
        }
        // Day-of-month and day-of-week cannot both be given: one of them must be `?`.
        if (fields.get(2) == Some(&"?")) == (fields.get(4) == Some(&"?")) {
            return Err("exactly one of day-of-month and day-of-week must be `?`".to_owned());
        }
        Ok(())
    } else if let Some(body) = inner("at(") {
        if local_time(body) {
            Ok(())
        } else {
            Err("a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`".to_owned())
        }
    } else {
        Err("it is not rate(...), cron(...) or at(...)".to_owned())
    }
}

/// `yyyy-mm-ddThh:mm:ss` with each part in range.
fn local_time(t: &str) -> bool {
    let b = t.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    let num = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<u32>().ok());
    shape
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
        && num(11..13).is_some_and(|h| h <= 23)
        && num(14..16).is_some_and(|m| m <= 59)
        && num(17..19).is_some_and(|s| s <= 59)
}

/// `yyyy-mm-ddThh:mm:ssZ`, the form the provider's `start_date` and `end_date` take.
fn timestamp(t: &str) -> bool {
    t.strip_suffix('Z').is_some_and(local_time)
}

/// `UTC`, or an IANA-shaped `Area/City[/More]` (`Europe/Berlin`, `America/Argentina/Salta`,
/// `Etc/GMT+1`).
fn is_timezone(tz: &str) -> bool {
    if tz == "UTC" {
        return true;
    }
    let parts: Vec<&str> = tz.split('/').collect();
    parts.len() >= 2
        && parts
            .first()
            .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        for ok in [
            "rate(7 days)",
            "rate(1 hour)",
            "cron(0 9 ? * MON *)",
            "cron(0/15 * * * ? *)",
            "at(2027-01-04T09:00:00)",
        ] {
            assert_eq!(expression(ok), Ok(()), "{ok}");
        }
        for bad in [
            "rate(0 days)",
            "rate(7 weeks)",
            "rate(1 days)",
            "rate(2 day)",
            "rate(7days)",
            "cron(0 9 * * *)",
            "cron(0 9 * * MON *)",
            "at(2027-13-04T09:00:00)",
            "at(2027-01-04 09:00:00)",
            "every week",
        ] {
            assert!(expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_and_zones() {
        assert!(timestamp("2027-01-04T09:00:00Z"));
        assert!(!timestamp("2027-01-04T09:00:00"));
        assert!(!timestamp("2027-01-04T24:00:00Z"));
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Salta",
            "Etc/GMT+1",
        ] {
            assert!(is_timezone(ok), "{ok}");
        }
        for bad in [
            "Berlin",
            "europe/berlin",
            "Europe/",
            "CET ",
            "Europe/Ber lin",
        ] {
            assert!(!is_timezone(bad), "{bad}");
        }
    }
}

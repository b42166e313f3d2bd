//! How often a schedule runs, in words, for the lab README's opening lines: a lab that starts
//! experiments on its own says so before anything else.
//!
//! Only the plain forms are put into words (a fixed minute and hour; every day, some days of
//! the week, or one day of the month); anything else is left to the expression itself, which
//! the README always prints beside the words. The fields are EventBridge Scheduler's
//! ("Schedule types on EventBridge Scheduler", cron fields: minutes, hours, day-of-month,
//! month, day-of-week `1-7 or SUN-SAT`, year;
//! <https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>, read
//! 2026-12-07).

const DAYS: [(&str, &str); 7] = [
    ("SUN", "Sunday"),
    ("MON", "Monday"),
    ("TUE", "Tuesday"),
    ("WED", "Wednesday"),
    ("THU", "Thursday"),
    ("FRI", "Friday"),
    ("SAT", "Saturday"),
];

/// `rate(7 days)` → "every 7 days", `cron(0 10 ? * TUE *)` → "every Tuesday at 10:00",
/// `at(2027-01-04T09:00:00)` → "once, at 2027-01-04 09:00:00"; `None` for a form it does not
/// put into words.
pub fn how_often(expression: &str) -> Option<String> {
    if let Some(rate) = inner(expression, "rate") {
        let (value, unit) = rate.trim().split_once(' ')?;
        let n: u32 = value.parse().ok()?;
        let unit = unit.trim().trim_end_matches('s');
        return Some(if n == 1 {
            format!("every {unit}")
        } else {
            format!("every {n} {unit}s")
        });
    }
    if let Some(at) = inner(expression, "at") {
        return Some(format!("once, at {}", at.replace('T', " ")));
    }
    let fields: Vec<&str> = inner(expression, "cron")?.split_whitespace().collect();
    let [minute, hour, dom, month, dow, year] = fields.as_slice() else {
        return None;
    };
    let minute: u32 = minute.parse().ok().filter(|m| *m < 60)?;
    let hour: u32 = hour.parse().ok().filter(|h| *h < 24)?;
    if *month != "*" || *year != "*" {
        return None;
    }
    let time = format!("{hour:02}:{minute:02}");
    let any = |f: &str| f == "*" || f == "?";
    match (any(dom), any(dow)) {
        (true, true) => Some(format!("every day at {time}")),
        (true, false) => Some(format!("every {} at {time}", days(dow)?)),
        (false, true) => {
            let day: u32 = dom.parse().ok().filter(|d| (1..=31).contains(d))?;
            Some(format!("on day {day} of every month at {time}"))
        }
        (false, false) => None,
    }
}

/// The text inside `name(...)`.
fn inner<'a>(expression: &'a str, name: &str) -> Option<&'a str> {
    expression
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// `TUE` → "Tuesday", `MON-FRI` → "Monday to Friday", `MON,WED` → "Monday and Wednesday".
fn days(field: &str) -> Option<String> {
    if let Some((from, to)) = field.split_once('-') {
        return Some(format!("{} to {}", day(from)?, day(to)?));
    }
    let names = field.split(',').map(day).collect::<Option<Vec<&str>>>()?;
    (!names.is_empty()).then(|| crate::base::text::and_list(&names))
}

/// A day of the week by name (`TUE`) or number (`3`, Sunday being 1).
fn day(text: &str) -> Option<&'static str> {
    let upper = text.to_ascii_uppercase();
    DAYS.iter()
        .enumerate()
        .find(|(i, (abbr, _))| *abbr == upper || (i + 1).to_string() == upper)
        .map(|(_, (_, name))| *name)
}

#[cfg(test)]
mod tests {
    use super::how_often;

    #[test]
    fn the_documented_forms() {
        // The Scheduler guide's example: "at 8:00 am (UTC+0) every 1st day of the month".
        assert_eq!(
            how_often("cron(0 8 1 * ? *)").as_deref(),
            Some("on day 1 of every month at 08:00")
        );
        assert_eq!(
            how_often("cron(0 10 ? * TUE *)").as_deref(),
            Some("every Tuesday at 10:00")
        );
        // Day-of-week numbers count from Sunday = 1.
        assert_eq!(
            how_often("cron(30 9 ? * 2 *)").as_deref(),
            Some("every Monday at 09:30")
        );
        assert_eq!(
            how_often("cron(0 18 ? * MON-FRI *)").as_deref(),
            Some("every Monday to Friday at 18:00")
        );
        assert_eq!(
            how_often("cron(0 7 ? * MON,WED,FRI *)").as_deref(),
            Some("every Monday, Wednesday and Friday at 07:00")
        );
        assert_eq!(
            how_often("cron(15 12 * * ? *)").as_deref(),
            Some("every day at 12:15")
        );
        assert_eq!(how_often("rate(7 days)").as_deref(), Some("every 7 days"));
        assert_eq!(how_often("rate(1 hour)").as_deref(), Some("every hour"));
        assert_eq!(
            how_often("at(2027-01-04T09:00:00)").as_deref(),
            Some("once, at 2027-01-04 09:00:00")
        );
        // Left to the expression itself.
        for other in [
            "cron(0/15 * * * ? *)",
            "cron(0 9 ? * 2#1 *)",
            "cron(0 9 L * ? *)",
            "cron(0 9 1 JAN ? *)",
        ] {
            assert_eq!(how_often(other), None, "{other}");
        }
    }
}

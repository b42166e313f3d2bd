//! The CloudWatch evaluator against the CloudWatch User Guide's own worked examples: the
//! oracle is the documentation, each table copied with its URL and the date it was read.

use std::collections::BTreeMap;

use chaoslab::base::cloudwatch::alarm::{Comparison, Rule, State, TreatMissing};
use chaoslab::base::cloudwatch::math::{self, Value};

/// "How alarm state is evaluated when data is missing", both tables.
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
/// read 2026-12-07 (stored copy: awsdocs/amazon-cloudwatch-user-guide@b355497,
/// doc_source/AlarmThatSendsEmail.md). Data points oldest first, range 5, N = 3;
/// 0 not breaching, X breaching, - missing. Columns: MISSING, IGNORE, BREACHING, NOT BREACHING;
/// `R` is "Retain current state".
const TABLES: [(u32, &str, [&str; 4]); 10] = [
    // First table: Datapoints to Alarm 3.
    (3, "0 - X - X", ["OK", "OK", "OK", "OK"]),
    (3, "0 - - - -", ["OK", "OK", "OK", "OK"]),
    (3, "- - - - -", ["INSUFFICIENT_DATA", "R", "ALARM", "OK"]),
    (3, "0 X X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
    (3, "- - X - -", ["ALARM", "R", "ALARM", "OK"]),
    // Second table: Datapoints to Alarm 2 ("2 out of 3").
    (2, "0 - X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
    (2, "0 0 X 0 X", ["ALARM", "ALARM", "ALARM", "ALARM"]),
    (2, "0 - X - -", ["OK", "OK", "ALARM", "OK"]),
    (2, "- - - - 0", ["OK", "OK", "ALARM", "OK"]),
    (2, "- - - X -", ["ALARM", "R", "ALARM", "OK"]),
];

const TREATMENTS: [TreatMissing; 4] = [
    TreatMissing::Missing,
    TreatMissing::Ignore,
    TreatMissing::Breaching,
    TreatMissing::NotBreaching,
];

/// Threshold 3, GreaterThanThreshold: 0 is 0, X is 5.
fn points(row: &str) -> Vec<Option<f64>> {
    row.split(' ')
        .map(|p| match p {
            "0" => Some(0.0),
            "X" => Some(5.0),
            _ => None,
        })
        .collect()
}

fn rule(m: u32, treat_missing: TreatMissing) -> Rule {
    Rule {
        comparison: Comparison::GreaterThanThreshold,
        threshold: 3.0,
        evaluation_periods: 3,
        datapoints_to_alarm: m,
        treat_missing,
    }
}

fn state(name: &str, current: State) -> State {
    match name {
        "OK" => State::Ok,
        "ALARM" => State::Alarm,
        "INSUFFICIENT_DATA" => State::InsufficientData,
        _ => current,
    }
}

#[test]
fn missing_data_tables_of_the_user_guide() {
    let mut wrong = Vec::new();
    for (m, row, expected) in TABLES {
        for (treat, expected) in TREATMENTS.iter().zip(expected) {
            // "Retain current state" is checked from each state the alarm can be in.
            for current in [State::Ok, State::Alarm, State::InsufficientData] {
                let got = rule(m, *treat).evaluate(&points(row), current);
                let want = state(expected, current);
                if got != want {
                    wrong.push(format!(
                        "M={m} `{row}` {} from {current:?}: {got:?}, the guide says {want:?}",
                        treat.name()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// "Avoiding premature transitions to alarm state" (same page and date): with N = M = 3,
/// `- - - - X` and `- - - X -` do not go into ALARM right away under `missing`, `- - X - -`
/// does; and the rule "applies to M out of N alarms as well".
#[test]
fn premature_transition_examples() {
    let r = rule(3, TreatMissing::Missing);
    for row in ["- - - - X", "- - - X -"] {
        assert_ne!(r.evaluate(&points(row), State::Ok), State::Alarm, "{row}");
    }
    assert_eq!(r.evaluate(&points("- - X - -"), State::Ok), State::Alarm);
    assert_eq!(
        rule(2, TreatMissing::Missing).evaluate(&points("- - - X -"), State::Ok),
        State::Alarm
    );
}

/// "Evaluating an alarm" (same page and date): "The breaching data points don't have to be
/// consecutive, but they must all be within the last number of data points equal to
/// Evaluation Period"; with no data point missing, older ones in the range do not count.
#[test]
fn m_out_of_n_counts_within_the_last_n() {
    let r = rule(2, TreatMissing::NotBreaching);
    assert_eq!(r.evaluate(&points("0 0 X 0 X"), State::Ok), State::Alarm);
    assert_eq!(r.evaluate(&points("X X 0 0 X"), State::Ok), State::Ok);
    let all = rule(3, TreatMissing::NotBreaching);
    assert_eq!(all.evaluate(&points("0 0 X X X"), State::Ok), State::Alarm);
    assert_eq!(all.evaluate(&points("0 X X 0 X"), State::Alarm), State::Ok);
}

fn series(values: &[Option<f64>]) -> Vec<Option<f64>> {
    values.to_vec()
}

fn eval(expression: &str, ids: &[(&str, Vec<Option<f64>>)]) -> Value {
    let slots = ids.first().map_or(1, |(_, s)| s.len());
    let ids: BTreeMap<String, Vec<Option<f64>>> = ids
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let expr = math::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
    math::eval(&expr, &ids, slots).unwrap_or_else(|e| panic!("{expression}: {e}"))
}

const N: Option<f64> = None;

/// "Using metric math", comparison and logical operators: metric1 = [30, 20, 0, 0],
/// metric2 = [20, -, 20, -].
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
/// read 2026-12-07 (stored copy: awsdocs/amazon-cloudwatch-user-guide@b355497,
/// doc_source/using-metric-math.md).
#[test]
fn comparison_examples_of_the_user_guide() {
    let ids = [
        (
            "metric1",
            series(&[Some(30.0), Some(20.0), Some(0.0), Some(0.0)]),
        ),
        ("metric2", series(&[Some(20.0), N, Some(20.0), N])),
    ];
    let ones = |v: [f64; 4]| Value::Series(v.iter().map(|x| Some(*x)).collect());
    assert_eq!(
        eval("(metric1 < metric2)", &ids),
        ones([0.0, 0.0, 1.0, 0.0])
    );
    assert_eq!(eval("(metric1 >= 30)", &ids), ones([1.0, 0.0, 0.0, 0.0]));
    assert_eq!(
        eval("(metric1 > 15 AND metric2 > 15)", &ids),
        ones([1.0, 0.0, 0.0, 0.0])
    );
}

/// "Using IF expressions" (same page and date), its three tables: metric1 = [1, 1, 0, 0, -],
/// metric2 = [30, -, 0, 0, 30], metric3 = [0, 0, 20, -, 20].
#[test]
fn if_examples_of_the_user_guide() {
    let ids = [
        (
            "metric1",
            series(&[Some(1.0), Some(1.0), Some(0.0), Some(0.0), N]),
        ),
        (
            "metric2",
            series(&[Some(30.0), N, Some(0.0), Some(0.0), Some(30.0)]),
        ),
        (
            "metric3",
            series(&[Some(0.0), Some(0.0), Some(20.0), N, Some(20.0)]),
        ),
    ];
    assert_eq!(
        eval("IF(metric1, metric2, metric3)", &ids),
        Value::Series(vec![Some(30.0), Some(0.0), Some(20.0), N, N])
    );
    assert_eq!(
        eval("IF(metric1, 5, metric3)", &ids),
        Value::Series(vec![Some(5.0), Some(5.0), Some(20.0), N, N])
    );
    assert_eq!(
        eval("IF(metric1, metric2, 5)", &ids),
        Value::Series(vec![Some(30.0), Some(0.0), Some(5.0), Some(5.0), N])
    );
}

/// "Basic arithmetic functions" (same page and date): "Missing values in a time series are
/// treated as 0. If the value of a data point causes a function to attempt to divide by zero,
/// the data point is dropped." And FILL: "FILL replaces that missing data point with the
/// requested value".
#[test]
fn arithmetic_and_fill_as_the_user_guide_states() {
    let ids = [
        ("a", series(&[Some(4.0), N, Some(6.0), N])),
        ("b", series(&[Some(2.0), Some(3.0), Some(0.0), N])),
    ];
    assert_eq!(
        eval("a + b", &ids),
        Value::Series(vec![Some(6.0), Some(3.0), Some(6.0), N])
    );
    assert_eq!(
        eval("a / b", &ids),
        Value::Series(vec![Some(2.0), Some(0.0), N, N])
    );
    assert_eq!(
        eval("100 * FILL(a, 0) / FILL(b, 1)", &ids),
        Value::Series(vec![Some(200.0), Some(0.0), N, Some(0.0)])
    );
    assert_eq!(
        eval("-a", &ids),
        Value::Series(vec![Some(-4.0), N, Some(-6.0), N])
    );
}

/// What chaoslab's math does not support is refused, not guessed.
#[test]
fn unsupported_math_is_refused() {
    for e in [
        "METRICS()",
        "FILL(a, REPEAT)",
        "a ^ 2",
        "IF(a)",
        "(a + 1",
        "a +",
    ] {
        let ids: BTreeMap<String, Vec<Option<f64>>> =
            [("a".to_owned(), vec![Some(1.0)])].into_iter().collect();
        let r = math::parse(e).and_then(|x| math::eval(&x, &ids, 1));
        assert!(r.is_err(), "{e} gave {r:?}");
    }
}

/// One metric published once a minute with the minute's number as its value.
struct Minutes;

impl chaoslab::base::cloudwatch::alarm::Metrics for Minutes {
    fn window(
        &self,
        _: &chaoslab::base::cloudwatch::alarm::Metric,
        first: i64,
        last: i64,
    ) -> Vec<(f64, u64)> {
        (first.max(1)..=last).map(|m| (m as f64, 1)).collect()
    }
}

/// "Evaluating an alarm" (same page and date): "if the Period is 5 minutes (300 seconds) and
/// Evaluation Periods is 1, then at the end of minute 5 the alarm evaluates based on data from
/// minutes 1 to 5. Then at the end of minute 6, the alarm is evaluated based on the data from
/// minutes 2 to 6."
#[test]
fn a_long_period_slides_a_minute_at_a_time() {
    use chaoslab::base::cloudwatch::alarm::{Definition, Dimensions, Metric, Source, Statistic};
    let alarm = Definition {
        rule: Rule {
            comparison: Comparison::GreaterThanThreshold,
            threshold: 1000.0,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            treat_missing: TreatMissing::Missing,
        },
        period: 300,
        source: Source::Metric(Metric {
            namespace: "Test",
            name: "Minute",
            statistic: Statistic::Sum,
            dimensions: Dimensions::LoadBalancer,
        }),
    };
    let sum = |from: i64, to: i64| Some((from..=to).sum::<i64>() as f64);
    assert_eq!(alarm.range(&Minutes, 5, 1), Ok(vec![sum(1, 5)]));
    assert_eq!(alarm.range(&Minutes, 6, 1), Ok(vec![sum(2, 6)]));
    // Three data points back from minute 16: the periods ending at 6, 11 and 16.
    assert_eq!(
        alarm.range(&Minutes, 16, 3),
        Ok(vec![sum(2, 6), sum(7, 11), sum(12, 16)])
    );
}

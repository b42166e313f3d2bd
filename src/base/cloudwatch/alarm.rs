//! One CloudWatch metric alarm: its definition as chaoslab emits it, and the state it takes
//! over a metric series, minute by minute.
//!
//! The evaluation follows "Evaluating an alarm" and "How alarm state is evaluated when data is
//! missing" of the CloudWatch User Guide (see [`super::SOURCES`]); its worked tables are tests.
//! Two things the guide leaves open are parameters, never guesses: how many data points the
//! evaluation range holds beyond **Evaluation Periods** (the guide's example retrieves 5 for 3;
//! callers try a span of ranges), and which state an alarm that treats missing data as
//! `missing` takes when its few real points are all breaching but fewer than **Datapoints to
//! Alarm** and not old enough to alarm early (`INSUFFICIENT_DATA`, as the guide's tables up
//! to 2022 show for `- - - - X`).

use std::collections::BTreeMap;

use super::math;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Ok,
    Alarm,
    InsufficientData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    /// The name CloudWatch (and Terraform's `comparison_operator`) uses.
    pub fn name(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// The operator, for messages (`> 50`).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => ">",
            Comparison::GreaterThanOrEqualToThreshold => "≥",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "≤",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreatMissing {
    Missing,
    NotBreaching,
    Breaching,
    Ignore,
}

impl TreatMissing {
    /// The name CloudWatch (and Terraform's `treat_missing_data`) uses.
    pub fn name(self) -> &'static str {
        match self {
            TreatMissing::Missing => "missing",
            TreatMissing::NotBreaching => "notBreaching",
            TreatMissing::Breaching => "breaching",
            TreatMissing::Ignore => "ignore",
        }
    }
}

/// How data points become a state: threshold, M out of N, missing data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub comparison: Comparison,
    pub threshold: f64,
    /// N: the most recent data points the state is decided on.
    pub evaluation_periods: u32,
    /// M: how many of them must breach (M = N unless an "M out of N" alarm).
    pub datapoints_to_alarm: u32,
    pub treat_missing: TreatMissing,
}

impl Rule {
    pub fn breaches(&self, v: f64) -> bool {
        match self.comparison {
            Comparison::GreaterThanThreshold => v > self.threshold,
            Comparison::GreaterThanOrEqualToThreshold => v >= self.threshold,
            Comparison::LessThanThreshold => v < self.threshold,
            Comparison::LessThanOrEqualToThreshold => v <= self.threshold,
        }
    }

    /// One evaluation. `range` is the evaluation range, oldest first (`None`: missing);
    /// `current` the state before it.
    pub fn evaluate(&self, range: &[Option<f64>], current: State) -> State {
        let n = self.evaluation_periods as usize;
        let m = self.datapoints_to_alarm as usize;
        let real: Vec<f64> = range.iter().flatten().copied().collect();
        let decide = |breaching: usize| {
            if breaching >= m {
                State::Alarm
            } else {
                State::Ok
            }
        };
        // Enough real data points: the most recent N of them decide; how missing data is
        // treated is not needed (with none missing, these are simply the last N).
        if real.len() >= n {
            let recent = real.get(real.len() - n..).unwrap_or_default();
            return decide(recent.iter().filter(|v| self.breaches(**v)).count());
        }
        let breaching = real.iter().filter(|v| self.breaches(**v)).count();
        let fill = n - real.len();
        match self.treat_missing {
            // Every real point is evaluated, and missing ones fill up to N, as few as possible.
            TreatMissing::Breaching => decide(breaching + fill),
            TreatMissing::NotBreaching => decide(breaching),
            TreatMissing::Missing | TreatMissing::Ignore => {
                let undetermined = if real.is_empty() {
                    Some(State::InsufficientData)
                } else if self.early_alarm(range) {
                    Some(State::Alarm)
                } else if breaching >= m || breaching < real.len() {
                    None
                } else {
                    Some(State::InsufficientData)
                };
                match (undetermined, self.treat_missing) {
                    (None, _) => decide(breaching),
                    // `ignore` keeps the state where `missing` would decide without enough data.
                    (Some(_), TreatMissing::Ignore) => current,
                    (Some(state), _) => state,
                }
            }
        }
    }

    /// "Avoiding premature transitions to alarm state": the alarm goes into ALARM when the
    /// oldest breaching data point of the range is at least M data points old and every more
    /// recent one is breaching or missing, however few real points there are. A non-breaching
    /// point anywhere in the range prevents it (the guide's `0 - X - -`, M = 2, stays `OK`).
    fn early_alarm(&self, range: &[Option<f64>]) -> bool {
        if range.iter().flatten().any(|v| !self.breaches(*v)) {
            return false;
        }
        range
            .iter()
            .position(Option::is_some)
            .is_some_and(|oldest| range.len() - oldest >= self.datapoints_to_alarm as usize)
    }
}

/// Which load balancer dimensions a metric is queried with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimensions {
    /// The whole load balancer (every target group behind it).
    LoadBalancer,
    /// The app's target group on the load balancer.
    AppTargetGroup,
}

/// How a period's values become its data point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    Sum,
    Maximum,
    /// `pNN`: the percentile, as a fraction (0.99 for p99).
    Percentile(f64),
}

impl Statistic {
    /// The name CloudWatch uses (`Sum`, `Maximum`, `p99`).
    pub fn name(self) -> String {
        match self {
            Statistic::Sum => "Sum".to_owned(),
            Statistic::Maximum => "Maximum".to_owned(),
            Statistic::Percentile(p) => format!("p{}", p * 100.0),
        }
    }

    /// The data point of weighted samples `(value, count)`; `None` when there are none.
    /// A percentile is the nearest-rank one: CloudWatch does not document its interpolation.
    pub fn of(self, samples: &[(f64, u64)]) -> Option<f64> {
        let samples: Vec<(f64, u64)> = samples.iter().copied().filter(|(_, c)| *c > 0).collect();
        if samples.is_empty() {
            return None;
        }
        match self {
            Statistic::Sum => Some(samples.iter().map(|(v, c)| v * *c as f64).sum()),
            Statistic::Maximum => samples.iter().map(|(v, _)| *v).reduce(f64::max),
            Statistic::Percentile(p) => {
                let mut sorted = samples;
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                let total: u64 = sorted.iter().map(|(_, c)| c).sum();
                let rank = ((p * total as f64).ceil() as u64).clamp(1, total);
                let mut seen = 0;
                sorted.into_iter().find_map(|(v, c)| {
                    seen += c;
                    (seen >= rank).then_some(v)
                })
            }
        }
    }
}

/// One metric an alarm reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub namespace: &'static str,
    pub name: &'static str,
    pub statistic: Statistic,
    pub dimensions: Dimensions,
}

/// What the alarm watches: one metric, or a math expression over several.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Metric(Metric),
    Math {
        /// The id of the expression's query.
        id: &'static str,
        expression: &'static str,
        label: &'static str,
        /// The queries the expression reads, by id.
        metrics: Vec<(&'static str, Metric)>,
    },
}

/// A metric alarm as chaoslab writes it to monitoring.tf.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub rule: Rule,
    /// Seconds; a multiple of 60.
    pub period: u32,
    pub source: Source,
}

/// The values a metric was published with, as weighted samples `(value, count)`; empty when
/// nothing was published.
pub trait Metrics {
    /// In minutes `first..=last` together (a period's window): a source whose minutes repeat
    /// answers this without walking every minute.
    fn window(&self, metric: &Metric, first: i64, last: i64) -> Vec<(f64, u64)>;
}

/// What happened when an alarm was run over a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The first minute (counted from the series' minute 0) at whose end the alarm is in
    /// ALARM, if any; the run stops there.
    pub alarm_at_minute: Option<i64>,
    /// The highest data point the alarm computed for a period ending at minute 0 or later.
    pub peak: Option<f64>,
    /// Some data point the run could reach was missing: only then can the evaluation range
    /// (how far back CloudWatch looks for real points) change the outcome.
    pub missing: bool,
}

/// A parsed alarm source, so that a run parses its expression once.
enum Parsed<'a> {
    Metric(&'a Metric),
    Math(math::Expr, &'a [(&'static str, Metric)]),
}

impl Definition {
    fn period_minutes(&self) -> i64 {
        i64::from(self.period / 60).max(1)
    }

    fn parsed(&self) -> Result<Parsed<'_>, String> {
        Ok(match &self.source {
            Source::Metric(m) => Parsed::Metric(m),
            Source::Math {
                expression,
                metrics,
                ..
            } => Parsed::Math(math::parse(expression)?, metrics),
        })
    }

    /// The data point of the period that ends with minute `end`. The expressions chaoslab
    /// supports work point by point, so a data point needs only its own period's values.
    fn point(
        &self,
        metrics: &dyn Metrics,
        source: &Parsed,
        end: i64,
    ) -> Result<Option<f64>, String> {
        let first = end - self.period_minutes() + 1;
        let of = |m: &Metric| m.statistic.of(&metrics.window(m, first, end));
        match source {
            Parsed::Metric(m) => Ok(of(m)),
            Parsed::Math(expr, queries) => {
                let ids: BTreeMap<String, Vec<Option<f64>>> = queries
                    .iter()
                    .map(|(id, m)| ((*id).to_owned(), vec![of(m)]))
                    .collect();
                match math::eval(expr, &ids, 1)? {
                    math::Value::Series(s) => Ok(s.first().copied().flatten()),
                    math::Value::Scalar(_) => {
                        Err("the expression gives a number, not a time series".to_owned())
                    }
                }
            }
        }
    }

    /// The evaluation range at the end of minute `end`: `range` data points, oldest first.
    pub fn range(
        &self,
        metrics: &dyn Metrics,
        end: i64,
        range: usize,
    ) -> Result<Vec<Option<f64>>, String> {
        let source = self.parsed()?;
        let step = self.period_minutes();
        (0..range as i64)
            .rev()
            .map(|k| self.point(metrics, &source, end - k * step))
            .collect()
    }

    /// Evaluates the alarm at the end of every minute from `from` to `to` (inclusive), with
    /// an evaluation range of `range` data points, starting in `OK`; stops at the first ALARM
    /// from minute 0 on.
    pub fn run(
        &self,
        metrics: &dyn Metrics,
        from: i64,
        to: i64,
        range: usize,
    ) -> Result<Run, String> {
        let source = self.parsed()?;
        let step = self.period_minutes();
        // Every data point a range can reach, computed once: index = end - base.
        let base = from - (range as i64) * step;
        let points = (base..=to)
            .map(|end| self.point(metrics, &source, end))
            .collect::<Result<Vec<_>, String>>()?;
        let at = |end: i64| {
            usize::try_from(end - base)
                .ok()
                .and_then(|i| points.get(i))
                .copied()
                .flatten()
        };
        let peak = (0..=to).filter_map(at).reduce(f64::max);
        let missing = points.iter().any(Option::is_none);
        let mut state = State::Ok;
        for end in from..=to {
            let window: Vec<Option<f64>> = (0..range as i64)
                .rev()
                .map(|k| at(end - k * step))
                .collect();
            state = self.rule.evaluate(&window, state);
            if end >= 0 && state == State::Alarm {
                return Ok(Run {
                    alarm_at_minute: Some(end),
                    peak,
                    missing,
                });
            }
        }
        Ok(Run {
            alarm_at_minute: None,
            peak,
            missing,
        })
    }
}

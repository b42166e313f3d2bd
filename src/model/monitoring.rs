//! monitoring.tf: CloudWatch alarms on the load balancer, usable as FIS stop conditions.
//!
//! Missing data never breaches: a quiet lab must not stop an experiment. The 5xx alarm is a
//! rate, not a count, so a handful of errors on an idle lab does not trip it.

use super::Tree;
use super::address::{ALB, Address, NAME_PREFIX, TARGET_GROUP};
use super::hcl::{Block, Expr, interp, lit};
use crate::cloudwatch::alarm::{
    Comparison, Definition, Dimensions, Metric, Rule, Source, Statistic, TreatMissing,
};
use crate::validate::{Alarm, AlarmMetric, Lab, tf_name};

const FILE: &str = "monitoring.tf";

/// 5xx share of all requests, from the targets *and* from the load balancer itself. A request
/// the load balancer answers with its own 502 or 504 had a target chosen, so `RequestCount`
/// already counts it; only its 503 for "no registered target" is not in `RequestCount` (which
/// counts requests where a target could be chosen) and is added to the denominator. With every
/// target silent the rate is then 100, not the 50 that adding every load balancer 5xx to the
/// denominator gave (each 502/504 counted twice): a stop condition above 50 % could never fire
/// (the guardrail evaluation found it on Article 2's `errors-fast`).
/// Source: "CloudWatch metrics for your Application Load Balancer", ELB User Guide (RequestCount,
/// HTTPCode_ELB_5XX_Count, HTTPCode_ELB_503_Count); `validate::guardrails::FACTS`.
const ERROR_RATE: &str = "IF(FILL(requests, 0) + FILL(elb_503, 0) > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_503, 0)), 0)";

fn alb_dimensions(with_target_group: bool) -> Expr {
    let mut dims = vec![("LoadBalancer", ALB.attr("arn_suffix"))];
    if with_target_group {
        dims.push(("TargetGroup", TARGET_GROUP.attr("arn_suffix")));
    }
    Expr::map(dims)
}

/// Human summary of what the alarm watches, for its description and the lab README.
pub fn describe(alarm: &Alarm) -> String {
    let minutes = alarm.seconds_to_alarm() / 60;
    let span = if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    };
    match alarm.metric {
        AlarmMetric::UnhealthyHosts => format!(
            "{} or more app instances fail the /health check for {span}",
            alarm.threshold
        ),
        AlarmMetric::ErrorRate => format!(
            "more than {}% of requests get a 5xx from the app or the load balancer for {span}",
            alarm.threshold
        ),
        AlarmMetric::P99Latency => {
            format!("p99 response time above {} s for {span}", alarm.threshold)
        }
    }
}

/// The alarm a spec name stands for (stop conditions refer to it).
pub fn alarm(name: &str) -> Address {
    Address::resource("aws_cloudwatch_metric_alarm", tf_name(name))
}

/// The alarm as CloudWatch gets it: monitoring.tf is written from this, and the guardrail
/// check (`validate::guardrails`) evaluates this, so both judge the same alarm.
pub fn definition(alarm: &Alarm) -> Definition {
    let metric = |name: &'static str, statistic: Statistic, dimensions: Dimensions| Metric {
        namespace: "AWS/ApplicationELB",
        name,
        statistic,
        dimensions,
    };
    let (comparison, source) = match alarm.metric {
        AlarmMetric::UnhealthyHosts => (
            Comparison::GreaterThanOrEqualToThreshold,
            Source::Metric(metric(
                "UnHealthyHostCount",
                Statistic::Maximum,
                Dimensions::AppTargetGroup,
            )),
        ),
        AlarmMetric::P99Latency => (
            Comparison::GreaterThanThreshold,
            Source::Metric(metric(
                "TargetResponseTime",
                Statistic::Percentile(0.99),
                Dimensions::LoadBalancer,
            )),
        ),
        AlarmMetric::ErrorRate => (
            Comparison::GreaterThanThreshold,
            Source::Math {
                id: "rate",
                expression: ERROR_RATE,
                label: "5xx % of requests",
                metrics: [
                    ("elb_503", "HTTPCode_ELB_503_Count"),
                    ("elb_5xx", "HTTPCode_ELB_5XX_Count"),
                    ("requests", "RequestCount"),
                    ("target_5xx", "HTTPCode_Target_5XX_Count"),
                ]
                .into_iter()
                .map(|(id, name)| (id, metric(name, Statistic::Sum, Dimensions::LoadBalancer)))
                .collect(),
            },
        ),
    };
    Definition {
        rule: Rule {
            comparison,
            threshold: alarm.threshold,
            evaluation_periods: alarm.evaluation_periods,
            datapoints_to_alarm: alarm.evaluation_periods,
            treat_missing: TreatMissing::NotBreaching,
        },
        period: alarm.period,
        source,
    }
}

fn dimensions(d: Dimensions) -> Expr {
    alb_dimensions(d == Dimensions::AppTargetGroup)
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.app.is_none() {
        return;
    }
    for alarm in &lab.alarms {
        let d = definition(alarm);
        let mut b = self::alarm(&alarm.name)
            .block()
            .attr(
                "alarm_name",
                Expr::template(vec![
                    interp(NAME_PREFIX.expr()),
                    lit(format!("-{}", alarm.name)),
                ]),
            )
            .attr("alarm_description", Expr::str(describe(alarm)))
            .attr("comparison_operator", Expr::str(d.rule.comparison.name()))
            .attr("threshold", Expr::num(d.rule.threshold))
            .attr(
                "evaluation_periods",
                Expr::int(d.rule.evaluation_periods.into()),
            );
        if d.rule.datapoints_to_alarm != d.rule.evaluation_periods {
            b = b.attr(
                "datapoints_to_alarm",
                Expr::int(d.rule.datapoints_to_alarm.into()),
            );
        }
        b = b.attr("treat_missing_data", Expr::str(d.rule.treat_missing.name()));
        b = match &d.source {
            Source::Metric(m) => {
                let stat = match m.statistic {
                    Statistic::Percentile(_) => "extended_statistic",
                    _ => "statistic",
                };
                b.attr("namespace", Expr::str(m.namespace))
                    .attr("metric_name", Expr::str(m.name))
                    .attr(stat, Expr::str(m.statistic.name()))
                    .attr("period", Expr::int(d.period.into()))
                    .attr("dimensions", dimensions(m.dimensions))
            }
            Source::Math {
                id,
                expression,
                label,
                metrics,
            } => {
                let mut b = b.block(
                    Block::new("metric_query", &[])
                        .attr("id", Expr::str(*id))
                        .attr("expression", Expr::str(*expression))
                        .attr("label", Expr::str(*label))
                        .attr("return_data", Expr::Bool(true)),
                );
                for (id, m) in metrics {
                    b = b.block(
                        Block::new("metric_query", &[])
                            .attr("id", Expr::str(*id))
                            .block(
                                Block::new("metric", &[])
                                    .attr("namespace", Expr::str(m.namespace))
                                    .attr("metric_name", Expr::str(m.name))
                                    .attr("stat", Expr::str(m.statistic.name()))
                                    .attr("period", Expr::int(d.period.into()))
                                    .attr("dimensions", dimensions(m.dimensions)),
                            ),
                    );
                }
                b
            }
        };
        tree.add(FILE, b);
    }
}

//! monitoring.tf: CloudWatch alarms on the load balancer, usable as FIS stop conditions.
//!
//! Missing data never breaches: a quiet lab must not stop an experiment. The 5xx alarm is a
//! rate, not a count, so a handful of errors on an idle lab does not trip it.

use crate::base::address::{ALB, Address, NAME_PREFIX, TARGET_GROUP};
use crate::base::cloudwatch::alarm::{Dimensions, Source, Statistic};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::alarms::{Alarm, AlarmMetric, definition};
use crate::resources::services::{Service, TypeUse};
use crate::resources::tf_name;
use crate::resources::tree::Tree;

const FILE: &str = "monitoring.tf";

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

fn dimensions(d: Dimensions) -> Expr {
    alb_dimensions(d == Dimensions::AppTargetGroup)
}

/// `app`: the lab has the app (every alarm watches its load balancer).
pub fn build(alarms: &[Alarm], app: bool, tree: &mut Tree) {
    if !app {
        return;
    }
    for alarm in alarms {
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

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[(
    "aws_cloudwatch_metric_alarm",
    Service::CLOUDWATCH,
    Some("alarms"),
)];

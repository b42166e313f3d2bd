//! monitoring.tf: CloudWatch alarms on the load balancer, usable as FIS stop conditions.
//!
//! Missing data never breaches: a quiet lab must not stop an experiment. The 5xx alarm is a
//! rate, not a count, so a handful of errors on an idle lab does not trip it.

use super::Tree;
use super::address::{ALB, Address, NAME_PREFIX, TARGET_GROUP};
use super::hcl::{Block, Expr, interp, lit};
use crate::validate::{Alarm, AlarmMetric, Lab, tf_name};

const FILE: &str = "monitoring.tf";

/// 5xx share of all requests, from the targets *and* from the load balancer itself: with the
/// targets stopped or cut off, the 502/503/504s are `HTTPCode_ELB_5XX_Count`, and a 503 for
/// "no healthy target" is not in `RequestCount` (which counts only requests that reached a
/// target choice), so it is added to the denominator too. A 502/504 is then counted twice in
/// the denominator, which can only lower the rate, never raise it past 100.
/// Source: "CloudWatch metrics for your Application Load Balancer", ELB User Guide.
const ERROR_RATE: &str = "IF(FILL(requests, 0) + FILL(elb_5xx, 0) > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_5xx, 0)), 0)";

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

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.app.is_none() {
        return;
    }
    for alarm in &lab.alarms {
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
            .attr("comparison_operator", Expr::str(alarm.metric.comparison()))
            .attr("threshold", Expr::num(alarm.threshold))
            .attr(
                "evaluation_periods",
                Expr::int(alarm.evaluation_periods.into()),
            )
            .attr("treat_missing_data", Expr::str("notBreaching"));
        b = match alarm.metric {
            AlarmMetric::UnhealthyHosts => b
                .attr("namespace", Expr::str("AWS/ApplicationELB"))
                .attr("metric_name", Expr::str("UnHealthyHostCount"))
                .attr("statistic", Expr::str("Maximum"))
                .attr("period", Expr::int(alarm.period.into()))
                .attr("dimensions", alb_dimensions(true)),
            AlarmMetric::P99Latency => b
                .attr("namespace", Expr::str("AWS/ApplicationELB"))
                .attr("metric_name", Expr::str("TargetResponseTime"))
                .attr("extended_statistic", Expr::str("p99"))
                .attr("period", Expr::int(alarm.period.into()))
                .attr("dimensions", alb_dimensions(false)),
            AlarmMetric::ErrorRate => {
                let metric = |id: &'static str, name: &str| {
                    Block::new("metric_query", &[])
                        .attr("id", Expr::str(id))
                        .block(
                            Block::new("metric", &[])
                                .attr("namespace", Expr::str("AWS/ApplicationELB"))
                                .attr("metric_name", Expr::str(name))
                                .attr("stat", Expr::str("Sum"))
                                .attr("period", Expr::int(alarm.period.into()))
                                .attr("dimensions", alb_dimensions(false)),
                        )
                };
                b.block(
                    Block::new("metric_query", &[])
                        .attr("id", Expr::str("rate"))
                        .attr("expression", Expr::str(ERROR_RATE))
                        .attr("label", Expr::str("5xx % of requests"))
                        .attr("return_data", Expr::Bool(true)),
                )
                .block(metric("elb_5xx", "HTTPCode_ELB_5XX_Count"))
                .block(metric("requests", "RequestCount"))
                .block(metric("target_5xx", "HTTPCode_Target_5XX_Count"))
            }
        };
        tree.add(FILE, b);
    }
}

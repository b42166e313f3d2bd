//! dashboard.tf: one CloudWatch dashboard per lab with an app, so a person can watch an
//! experiment instead of reading numbers: requests, 5xx by who answered them, latency, the
//! targets' health and the lab's alarms. FIS experiment reports snapshot the same dashboard.
//!
//! The load balancer's metrics are per load balancer and target group, not per path, so the
//! three endpoints share the graphs; `chaoslab probe` is the per-endpoint view.
//! Source: "CloudWatch metrics for your Application Load Balancer" (ELB User Guide) and
//! "Dashboard Body Structure and Syntax" (CloudWatch API Reference).

use super::Tree;
use super::monitoring;
use crate::base::address::{ALB, AWS_REGION, DASHBOARD, TARGET_GROUP};
use crate::base::hcl::{Expr, interp, lit};
use crate::experiments::Lab;

const FILE: &str = "dashboard.tf";
const NAMESPACE: &str = "AWS/ApplicationELB";
/// Widgets are laid out two to a row on the dashboard's 24-column grid.
const WIDTH: i64 = 12;
const HEIGHT: i64 = 6;

/// One metric line: namespace, name, dimension pairs, then its rendering options.
fn metric(name: &str, target_group: bool, options: Expr) -> Expr {
    let mut line = vec![Expr::str(NAMESPACE), Expr::str(name)];
    if target_group {
        line.push(Expr::str("TargetGroup"));
        line.push(TARGET_GROUP.attr("arn_suffix"));
    }
    line.push(Expr::str("LoadBalancer"));
    line.push(ALB.attr("arn_suffix"));
    line.push(options);
    Expr::List(line)
}

fn options(stat: &str, label: &str) -> Expr {
    Expr::map([("stat", Expr::str(stat)), ("label", Expr::str(label))])
}

/// A time-series widget at slot `index` (row-major, two per row), one-minute periods.
fn graph(index: i64, title: &str, metrics: Vec<Expr>) -> Expr {
    Expr::map([
        ("type", Expr::str("metric")),
        ("x", Expr::int(index % 2 * WIDTH)),
        ("y", Expr::int(index / 2 * HEIGHT)),
        ("width", Expr::int(WIDTH)),
        ("height", Expr::int(HEIGHT)),
        (
            "properties",
            Expr::map([
                ("title", Expr::str(title)),
                ("region", AWS_REGION.expr()),
                ("view", Expr::str("timeSeries")),
                ("stacked", Expr::Bool(false)),
                ("period", Expr::int(60)),
                ("metrics", Expr::List(metrics)),
            ]),
        ),
    ])
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.app.is_none() {
        return;
    }
    let mut widgets = vec![
        graph(
            0,
            "Requests per minute",
            vec![metric("RequestCount", false, options("Sum", "requests"))],
        ),
        graph(
            1,
            "5xx per minute, by who answered",
            vec![
                metric(
                    "HTTPCode_Target_5XX_Count",
                    false,
                    options("Sum", "from the app (a guarded 503)"),
                ),
                metric(
                    "HTTPCode_ELB_5XX_Count",
                    false,
                    options("Sum", "from the load balancer (no healthy target, timeout)"),
                ),
            ],
        ),
        graph(
            2,
            "Response time (seconds)",
            vec![
                metric("TargetResponseTime", false, options("p50", "p50")),
                metric("TargetResponseTime", false, options("p99", "p99")),
            ],
        ),
        graph(
            3,
            "App targets",
            vec![
                metric("HealthyHostCount", true, options("Minimum", "healthy")),
                metric("UnHealthyHostCount", true, options("Maximum", "unhealthy")),
            ],
        ),
    ];
    // An alarm widget must name at least one alarm.
    if !lab.alarms.is_empty() {
        widgets.push(Expr::map([
            ("type", Expr::str("alarm")),
            ("x", Expr::int(0)),
            ("y", Expr::int(2 * HEIGHT)),
            ("width", Expr::int(2 * WIDTH)),
            ("height", Expr::int(3)),
            (
                "properties",
                Expr::map([
                    (
                        "title",
                        Expr::str("Alarms (the experiments' stop conditions)"),
                    ),
                    (
                        "alarms",
                        Expr::List(
                            lab.alarms
                                .iter()
                                .map(|a| monitoring::alarm(&a.name).attr("arn"))
                                .collect(),
                        ),
                    ),
                ]),
            ),
        ]));
    }
    tree.add(
        FILE,
        DASHBOARD
            .block()
            .attr("dashboard_name", super::prefixed("lab"))
            .attr(
                "dashboard_body",
                Expr::call(
                    "jsonencode",
                    vec![Expr::map([("widgets", Expr::List(widgets))])],
                ),
            ),
    );
    tree.output(
        "dashboard_url",
        "CloudWatch dashboard of the app: watch it while an experiment runs.",
        Expr::template(vec![
            lit("https://"),
            interp(AWS_REGION.expr()),
            lit(".console.aws.amazon.com/cloudwatch/home?region="),
            interp(AWS_REGION.expr()),
            lit("#dashboards/dashboard/"),
            interp(DASHBOARD.attr("dashboard_name")),
        ]),
    );
}

//! sqs.tf: the queue that holds orders while the catalog database fails (`app.write_behind`,
//! Article 4). Encrypted with SQS-managed keys; a message stays hidden for 30 s after the
//! app's drainer receives it, so an order it could not store comes back, and is kept for
//! four days, longer than any lab outage.

use crate::base::address::ORDERS_QUEUE;
use crate::base::hcl::Expr;
use crate::resources::App;
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{ConfigSection, PolicySection, Setting, Slots, Statement};
use crate::resources::tree::{Accepted, Tree, prefixed};

const FILE: &str = "sqs.tf";

/// The queue's URL in the app's config; sending, receiving and deleting its messages.
pub fn contribute(app: &App, slots: &mut Slots) {
    if !app.write_behind {
        return;
    }
    slots.config.push(Setting {
        section: ConfigSection::Feature,
        key: "orders_queue_url",
        value: ORDERS_QUEUE.attr("url"),
    });
    slots.app_iam.push(Statement {
        section: PolicySection::Feature,
        sid: "BufferOrders",
        actions: vec!["sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"],
        resources: vec![ORDERS_QUEUE.attr("arn")],
    });
}

pub fn build(app: &App, tree: &mut Tree) {
    if !app.write_behind {
        return;
    }
    tree.accept(&SQS_MANAGED_KEY);
    tree.add(
        FILE,
        ORDERS_QUEUE
            .block()
            .attr("name", prefixed("orders"))
            .attr("sqs_managed_sse_enabled", Expr::Bool(true))
            .attr("visibility_timeout_seconds", Expr::int(30))
            .attr("message_retention_seconds", Expr::int(4 * 24 * 3600))
            .attr("receive_wait_time_seconds", Expr::int(1)),
    );
    tree.output(
        "orders_queue_url",
        "SQS queue that buffers orders while Aurora fails.",
        ORDERS_QUEUE.attr("url"),
    );
}

const SQS_MANAGED_KEY: Accepted = Accepted {
    findings: "CKV_AWS_27 (SQS queue without a customer-managed KMS key)",
    reason: "the order queue is encrypted with SQS-managed keys (`sqs_managed_sse_enabled`), which need no key policy for a short-lived lab",
};

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[("aws_sqs_queue", Service::SQS, Some("queue"))];

//! sqs.tf: the queue that holds orders while the catalog database fails (`app.write_behind`,
//! Article 4). Encrypted with SQS-managed keys; a message stays hidden for 30 s after the
//! app's drainer receives it, so an order it could not store comes back, and is kept for
//! four days, longer than any lab outage.

use super::{Accepted, Tree, prefixed};
use crate::base::address::ORDERS_QUEUE;
use crate::base::hcl::Expr;
use crate::experiments::Lab;

const FILE: &str = "sqs.tf";

pub fn build(lab: &Lab, tree: &mut Tree) {
    if !lab.app.as_ref().is_some_and(|a| a.write_behind) {
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

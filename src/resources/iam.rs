//! IAM building blocks shared by every role the lab creates: the trust policy of a service
//! role and policy statements, as `aws_iam_policy_document` blocks a reviewer can read.

use crate::base::address::PARTITION;
use crate::base::hcl::{Block, Expr, interp, lit};

/// `data "aws_iam_policy_document" "<name>"` letting `service` assume a role, under `conditions`.
pub fn trust_policy(name: &str, service: &str, conditions: Vec<Block>) -> Block {
    let mut statement = Block::new("statement", &[])
        .attr("actions", Expr::List(vec![Expr::str("sts:AssumeRole")]))
        .block(
            Block::new("principals", &[])
                .attr("type", Expr::str("Service"))
                .attr("identifiers", Expr::List(vec![Expr::str(service)])),
        );
    for c in conditions {
        statement = statement.block(c);
    }
    Block::data("aws_iam_policy_document", name).block(statement)
}

/// One `statement` block.
pub fn statement(sid: &str, actions: Vec<Expr>, resources: Vec<Expr>) -> Block {
    Block::new("statement", &[])
        .attr("sid", Expr::str(sid))
        .attr("actions", Expr::List(actions))
        .attr("resources", Expr::List(resources))
}

/// One `condition` block.
pub fn condition(test: &str, variable: &str, value: Expr) -> Block {
    Block::new("condition", &[])
        .attr("test", Expr::str(test))
        .attr("variable", Expr::str(variable))
        .attr("values", Expr::List(vec![value]))
}

/// `aws_iam_role_policy_attachment "<name>"` of AmazonSSMManagedInstanceCore to `role`: what
/// an instance or a registered task needs to talk to Systems Manager.
pub fn ssm_core_attachment(name: &str, role: Expr) -> Block {
    Block::resource("aws_iam_role_policy_attachment", name)
        .attr("role", role)
        .attr(
            "policy_arn",
            Expr::template(vec![
                lit("arn:"),
                interp(PARTITION.attr("partition")),
                lit(":iam::aws:policy/AmazonSSMManagedInstanceCore"),
            ]),
        )
}

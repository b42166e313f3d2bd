//! iam_app.tf: the app's role, the instance role on EC2 or the task role on ECS. It may query
//! the reviews table, read the promo object and the database secret, and (instances) register
//! with SSM; nothing else. The task role's SSM registration for FIS lives in `ecs.tf`.

use crate::base::address::{APP_PROFILE, APP_ROLE, AWS_REGION, ECS_TASKS_ASSUME, PARTITION};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::App;
use crate::resources::iam;
use crate::resources::slots::Slots;
use crate::resources::tree::{Tree, account_id, prefixed};

const FILE: &str = "iam_app.tf";

pub fn build(app: &App, slots: &Slots, tree: &mut Tree) {
    let ec2 = app.fargate().is_none();
    let (trust, description) = if ec2 {
        tree.add(
            FILE,
            iam::trust_policy("ec2_assume", "ec2.amazonaws.com", Vec::new()),
        );
        (
            Expr::r("data.aws_iam_policy_document.ec2_assume.json"),
            "Chaos Shop instances.",
        )
    } else {
        // Confused-deputy guard the ECS guide recommends for task roles ("Amazon ECS task
        // IAM role"): only ECS acting for this account's tasks in the lab's Region. The
        // execution role (`ecs.tf`) trusts the same.
        tree.add(
            FILE,
            iam::trust_policy(
                "ecs_tasks_assume",
                "ecs-tasks.amazonaws.com",
                vec![
                    iam::condition("StringEquals", "aws:SourceAccount", account_id()),
                    iam::condition(
                        "ArnLike",
                        "aws:SourceArn",
                        Expr::template(vec![
                            lit("arn:"),
                            interp(PARTITION.attr("partition")),
                            lit(":ecs:"),
                            interp(AWS_REGION.expr()),
                            lit(":"),
                            interp(account_id()),
                            lit(":*"),
                        ]),
                    ),
                ],
            ),
        );
        (ECS_TASKS_ASSUME.attr("json"), "Chaos Shop tasks.")
    };
    tree.add(
        FILE,
        APP_ROLE
            .block()
            .attr("name", prefixed("app"))
            .attr("description", Expr::str(description))
            .attr("assume_role_policy", trust),
    );
    if !ec2 {
        app_policy(slots, tree);
        return;
    }
    tree.add(
        FILE,
        iam::ssm_core_attachment("app_ssm", APP_ROLE.attr("name")),
    );
    app_policy(slots, tree);
    tree.add(
        FILE,
        APP_PROFILE
            .block()
            .attr("name", prefixed("app"))
            .attr("role", APP_ROLE.attr("name")),
    );
}

/// What the app itself calls, on an instance or in a task: the statements the kinds it uses
/// contribute.
fn app_policy(slots: &Slots, tree: &mut Tree) {
    let mut policy = Block::data("aws_iam_policy_document", "app");
    for s in slots.statements() {
        policy = policy.block(iam::statement(
            s.sid,
            s.actions.iter().map(|a| Expr::str(*a)).collect(),
            s.resources.clone(),
        ));
    }
    tree.add(FILE, policy);
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "app")
            .attr("name", Expr::str("chaos-shop"))
            .attr("role", APP_ROLE.attr("id"))
            .attr("policy", Expr::r("data.aws_iam_policy_document.app.json")),
    );
}

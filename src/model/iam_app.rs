//! iam_app.tf: the app's role, the instance role on EC2 or the task role on ECS. It may query
//! the reviews table, read the promo object and the database secret, and (instances) register
//! with SSM; nothing else. The task role's SSM registration for FIS lives in `ecs.tf`.

use super::{Tree, account_id, iam, prefixed};
use crate::base::address::{APP_PROFILE, APP_ROLE, AWS_REGION, ECS_TASKS_ASSUME, PARTITION};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::experiments::{Lab, tf_name};

const FILE: &str = "iam_app.tf";

pub fn build(lab: &Lab, tree: &mut Tree) {
    let Some(app) = &lab.app else { return };
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
        app_policy(app, tree);
        return;
    }
    tree.add(
        FILE,
        iam::ssm_core_attachment("app_ssm", APP_ROLE.attr("name")),
    );
    app_policy(app, tree);
    tree.add(
        FILE,
        APP_PROFILE
            .block()
            .attr("name", prefixed("app"))
            .attr("role", APP_ROLE.attr("name")),
    );
}

/// What the app itself calls, on an instance or in a task.
fn app_policy(app: &crate::experiments::App, tree: &mut Tree) {
    let table = tf_name(&app.reviews_table);
    let bucket = tf_name(&app.promo_bucket);
    let statement = |sid: &str, action: &str, resource: Expr| {
        iam::statement(sid, vec![Expr::str(action)], vec![resource])
    };
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "app")
            .block(statement(
                "QueryReviews",
                "dynamodb:Query",
                Expr::r(format!("aws_dynamodb_table.{table}.arn")),
            ))
            .block(statement(
                "ReadPromo",
                "s3:GetObject",
                Expr::template(vec![
                    interp(Expr::r(format!("aws_s3_bucket.{bucket}.arn"))),
                    lit(format!("/{}", app.promo_key)),
                ]),
            ))
            // The RDS-managed secret is encrypted with the AWS managed key `aws/secretsmanager`,
            // which needs no KMS grant; a customer key would need `kms:Decrypt` here too.
            .block(statement(
                "ReadDatabaseSecret",
                "secretsmanager:GetSecretValue",
                super::aurora::secret_arn(),
            ))
            .blocks(app.catalog_cache.then(|| {
                let cache = tf_name(crate::experiments::CACHE_TABLE);
                iam::statement(
                    "CacheCatalog",
                    vec![Expr::str("dynamodb:GetItem"), Expr::str("dynamodb:PutItem")],
                    vec![Expr::r(format!("aws_dynamodb_table.{cache}.arn"))],
                )
            }))
            .blocks(app.write_behind.then(|| {
                iam::statement(
                    "BufferOrders",
                    vec![
                        Expr::str("sqs:DeleteMessage"),
                        Expr::str("sqs:ReceiveMessage"),
                        Expr::str("sqs:SendMessage"),
                    ],
                    vec![crate::base::address::ORDERS_QUEUE.attr("arn")],
                )
            })),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "app")
            .attr("name", Expr::str("chaos-shop"))
            .attr("role", APP_ROLE.attr("id"))
            .attr("policy", Expr::r("data.aws_iam_policy_document.app.json")),
    );
}

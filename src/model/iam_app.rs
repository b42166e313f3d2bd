//! iam_app.tf: the instance role. It may query the reviews table, read the promo object and
//! the database secret, and register with SSM; nothing else.

use super::address::{APP_PROFILE, APP_ROLE, PARTITION};
use super::hcl::{Block, Expr, interp, lit};
use super::{Tree, iam, prefixed};
use crate::validate::{Lab, tf_name};

const FILE: &str = "iam_app.tf";

pub fn build(lab: &Lab, tree: &mut Tree) {
    let Some(app) = &lab.app else { return };
    let table = tf_name(&app.reviews_table);
    let bucket = tf_name(&app.promo_bucket);
    tree.add(
        FILE,
        iam::trust_policy("ec2_assume", "ec2.amazonaws.com", Vec::new()),
    );
    tree.add(
        FILE,
        APP_ROLE
            .block()
            .attr("name", prefixed("app"))
            .attr("description", Expr::str("Chaos Shop instances."))
            .attr(
                "assume_role_policy",
                Expr::r("data.aws_iam_policy_document.ec2_assume.json"),
            ),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy_attachment", "app_ssm")
            .attr("role", APP_ROLE.attr("name"))
            .attr(
                "policy_arn",
                Expr::template(vec![
                    lit("arn:"),
                    interp(PARTITION.attr("partition")),
                    lit(":iam::aws:policy/AmazonSSMManagedInstanceCore"),
                ]),
            ),
    );
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
                let cache = tf_name(crate::validate::CACHE_TABLE);
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
                    vec![super::address::ORDERS_QUEUE.attr("arn")],
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
    tree.add(
        FILE,
        APP_PROFILE
            .block()
            .attr("name", prefixed("app"))
            .attr("role", APP_ROLE.attr("name")),
    );
}

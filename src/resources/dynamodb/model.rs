//! dynamodb.tf: one table per spec entry, with its seed items; and what the app's use of its
//! tables (the reviews table, the catalog cache) adds to its config and its role.

use super::{AttrValue, Billing, Table};
use crate::base::hcl::{Block, Expr};
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{ConfigSection, PolicySection, Setting, Slots, Statement};
use crate::resources::tree::{Accepted, Tree, prefixed};
use crate::resources::{App, CACHE_TABLE, tf_name};

const FILE: &str = "dynamodb.tf";

/// The reviews table's name and key in the app's config, `dynamodb:Query` on it in the app's
/// role; with `catalog_cache`, the cache table likewise.
pub fn contribute(app: &App, tables: &[Table], slots: &mut Slots) {
    let table_name = |name: &str| Expr::r(format!("aws_dynamodb_table.{}.name", tf_name(name)));
    let table_arn = |name: &str| Expr::r(format!("aws_dynamodb_table.{}.arn", tf_name(name)));
    if let Some(reviews) = tables.iter().find(|t| t.name == app.reviews_table) {
        let connection = |key, value| Setting {
            section: ConfigSection::Connection,
            key,
            value,
        };
        slots.config.extend([
            connection("reviews_table", table_name(&reviews.name)),
            connection("reviews_key", Expr::str(&reviews.hash_key.name)),
            connection(
                "reviews_key_type",
                Expr::str(reviews.hash_key.kind.as_str()),
            ),
        ]);
    }
    slots.app_iam.push(Statement {
        section: PolicySection::Data,
        sid: "QueryReviews",
        actions: vec!["dynamodb:Query"],
        resources: vec![table_arn(&app.reviews_table)],
    });
    if app.catalog_cache {
        slots.config.push(Setting {
            section: ConfigSection::Feature,
            key: "cache_table",
            value: table_name(CACHE_TABLE),
        });
        slots.app_iam.push(Statement {
            section: PolicySection::Feature,
            sid: "CacheCatalog",
            actions: vec!["dynamodb:GetItem", "dynamodb:PutItem"],
            resources: vec![table_arn(CACHE_TABLE)],
        });
    }
}

pub fn build(tables: &[Table], tree: &mut Tree) {
    for t in tables {
        tree.accept(&AWS_MANAGED_KEY);
        let id = tf_name(&t.name);
        let mut table = Block::resource("aws_dynamodb_table", &id)
            .attr("name", prefixed(&t.name))
            .attr(
                "billing_mode",
                Expr::str(match t.billing {
                    Billing::PayPerRequest => "PAY_PER_REQUEST",
                    Billing::Provisioned { .. } => "PROVISIONED",
                }),
            );
        if let Billing::Provisioned { read, write } = t.billing {
            table = table
                .attr("read_capacity", Expr::int(i64::from(read)))
                .attr("write_capacity", Expr::int(i64::from(write)));
        }
        table = table
            .attr("hash_key", Expr::str(&t.hash_key.name))
            .attr_opt(
                "range_key",
                t.range_key.as_ref().map(|k| Expr::str(&k.name)),
            );
        for key in std::iter::once(&t.hash_key).chain(t.range_key.as_ref()) {
            table = table.block(
                Block::new("attribute", &[])
                    .attr("name", Expr::str(&key.name))
                    .attr("type", Expr::str(key.kind.as_str())),
            );
        }
        table = table
            .block(Block::new("point_in_time_recovery", &[]).attr("enabled", Expr::Bool(true)))
            .block(Block::new("server_side_encryption", &[]).attr("enabled", Expr::Bool(true)));
        if !t.replicas.is_empty() {
            // Version 2019.11.21 global tables replicate through the table's stream, which
            // must carry new and old images. Source: "Global tables: how it works" (DynamoDB
            // Developer Guide) and the provider's `replica` argument reference.
            table = table
                .attr("stream_enabled", Expr::Bool(true))
                .attr("stream_view_type", Expr::str("NEW_AND_OLD_IMAGES"));
            for region in &t.replicas {
                table = table.block(
                    Block::new("replica", &[])
                        .attr("region_name", Expr::str(region))
                        .attr("point_in_time_recovery", Expr::Bool(true)),
                );
            }
        }
        tree.add(FILE, table);
        for region in &t.replicas {
            replica_view(tree, &id, &t.name, region);
        }

        if !t.items.is_empty() {
            let items = t.items.iter().map(|item| {
                let attrs = item.attrs.iter().map(|(name, value)| {
                    let typed = match value {
                        AttrValue::S(s) => ("S", Expr::str(s)),
                        AttrValue::N(n) => ("N", Expr::str(n)),
                        AttrValue::Bool(b) => ("BOOL", Expr::Bool(*b)),
                    };
                    (name.clone(), Expr::map([typed]))
                });
                (item.id.clone(), Expr::map(attrs))
            });
            let table_ref = |attr: &str| Expr::r(format!("aws_dynamodb_table.{id}.{attr}"));
            tree.add(
                FILE,
                Block::resource("aws_dynamodb_table_item", &id)
                    .attr("for_each", Expr::map(items))
                    .blank()
                    .attr("table_name", table_ref("name"))
                    .attr("hash_key", table_ref("hash_key"))
                    .attr_opt(
                        "range_key",
                        t.range_key.as_ref().map(|_| table_ref("range_key")),
                    )
                    .attr(
                        "item",
                        Expr::call("jsonencode", vec![Expr::r("each.value")]),
                    ),
            );
        }
        tree.output(
            &format!("{id}_table_name"),
            &format!("Name of the {} DynamoDB table.", t.name),
            Expr::r(format!("aws_dynamodb_table.{id}.name")),
        );
    }
}

/// The replica as its own Region sees it, read through that Region's provider: `apply` fails
/// if the replica is not there, and its outputs are what the RPO script reads from.
fn replica_view(tree: &mut Tree, id: &str, name: &str, region: &str) {
    let alias = crate::base::address::region_alias(region);
    let view = format!("{id}_{alias}");
    tree.add(
        FILE,
        Block::data("aws_dynamodb_table", &view)
            .attr(
                "provider",
                Expr::r(crate::base::address::region_provider(region)),
            )
            .attr("name", Expr::r(format!("aws_dynamodb_table.{id}.name")))
            .blank()
            .attr(
                "depends_on",
                Expr::List(vec![Expr::r(format!("aws_dynamodb_table.{id}"))]),
            ),
    );
    tree.output(
        &format!("{view}_replica_arn"),
        &format!("ARN of the {name} table's replica in {region}."),
        Expr::r(format!("data.aws_dynamodb_table.{view}.arn")),
    );
}

const AWS_MANAGED_KEY: Accepted = Accepted {
    findings: "CKV_AWS_119 (DynamoDB without a customer-managed KMS key)",
    reason: "tables are encrypted with the AWS-managed key; a customer key would outlive the lab",
};

/// One run of the RPO measurement (`rpo.py`, Article 9) the lab README prints: for a table
/// and one of its replica Regions.
pub struct RpoCommand {
    pub table: String,
    pub replica: String,
    /// One shell line: the table name from the tree's output, every other value a checked
    /// spec value quoted as one shell word.
    pub command: String,
}

/// One `rpo.py` command per replicated table and replica Region.
pub fn rpo_commands(tables: &[Table], region: &str) -> Vec<RpoCommand> {
    use crate::base::escape::sh_word;
    let mut out = Vec::new();
    for t in tables {
        for replica in &t.replicas {
            let mut command = format!(
                "python3 rpo.py --table \"$(terraform output -raw {}_table_name)\" --primary {} --replica {} --hash-key {} --hash-type {}",
                tf_name(&t.name),
                sh_word(region),
                sh_word(replica),
                sh_word(&t.hash_key.name),
                t.hash_key.kind.as_str(),
            );
            if let Some(r) = &t.range_key {
                command.push_str(&format!(
                    " --range-key {} --range-type {}",
                    sh_word(&r.name),
                    r.kind.as_str()
                ));
            }
            out.push(RpoCommand {
                table: t.name.clone(),
                replica: replica.clone(),
                command,
            });
        }
    }
    out
}

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    ("aws_dynamodb_table", Service::DYNAMODB, Some("tables")),
    (
        "aws_dynamodb_table_item",
        Service::DYNAMODB,
        Some("seed items"),
    ),
];

//! s3.tf: private, encrypted, versioned buckets and their objects; and what the app's promo
//! object adds to its config and its role.

use super::Bucket;
use crate::base::address::{FIS_CONFIG, FIS_CONFIG_ID, NAME_PREFIX};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::functions::CONFIG_BUCKET;
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{ConfigSection, PolicySection, Setting, Slots, Statement};
use crate::resources::tree::{Accepted, Context, Tree, account_id};
use crate::resources::{App, tf_name};

const FILE: &str = "s3.tf";

/// The promo bucket and key in the app's config; `s3:GetObject` on that one object.
pub fn contribute(app: &App, slots: &mut Slots) {
    let bucket = tf_name(&app.promo_bucket);
    slots.config.extend([
        Setting {
            section: ConfigSection::Connection,
            key: "promo_bucket",
            value: Expr::r(format!("aws_s3_bucket.{bucket}.bucket")),
        },
        Setting {
            section: ConfigSection::Connection,
            key: "promo_key",
            value: Expr::str(&app.promo_key),
        },
    ]);
    slots.app_iam.push(Statement {
        section: PolicySection::Data,
        sid: "ReadPromo",
        actions: vec!["s3:GetObject"],
        resources: vec![Expr::template(vec![
            interp(Expr::r(format!("aws_s3_bucket.{bucket}.arn"))),
            lit(format!("/{}", app.promo_key)),
        ])],
    });
}

pub fn build(buckets: &[Bucket], context: &Context, tree: &mut Tree) {
    for b in buckets {
        tree.accept(&LAB_BUCKETS);
        let id = tf_name(&b.name);
        let bucket_id = || Expr::r(format!("aws_s3_bucket.{id}.id"));
        private_bucket(tree, FILE, &id, &b.name);
        if !b.objects.is_empty() {
            let objects = b.objects.iter().map(|o| {
                (
                    o.key.clone(),
                    Expr::map([
                        ("content", Expr::str(&o.content)),
                        ("content_type", Expr::str(&o.content_type)),
                    ]),
                )
            });
            tree.add(
                FILE,
                Block::resource("aws_s3_object", &id)
                    .attr("for_each", Expr::map(objects))
                    .blank()
                    .attr("bucket", bucket_id())
                    .attr("key", Expr::r("each.key"))
                    .attr("content", Expr::r("each.value.content"))
                    .attr("content_type", Expr::r("each.value.content_type")),
            );
        }
        tree.output(
            &format!("{id}_bucket_name"),
            &format!("Name of the {} S3 bucket.", b.name),
            Expr::r(format!("aws_s3_bucket.{id}.bucket")),
        );
    }
    fis_config(context, tree);
}

/// The bucket FIS writes Lambda fault configurations to and the extension polls: one per
/// Region, as the AWS guide asks, made with the lab when a function carries the extension.
fn fis_config(context: &Context, tree: &mut Tree) {
    if !context.fis_extension {
        return;
    }
    tree.accept(&LAB_BUCKETS);
    private_bucket(tree, FILE, FIS_CONFIG_ID, CONFIG_BUCKET);
    tree.output(
        "fis_config_bucket_name",
        "Name of the S3 bucket FIS writes Lambda fault configurations to.",
        FIS_CONFIG.attr("bucket"),
    );
}

/// A private, SSE-S3 encrypted, versioned bucket named `<prefix>-<name>-<account>` (names are
/// global: the account id keeps two accounts' labs apart), emptied on destroy with the lab.
pub fn private_bucket(tree: &mut Tree, file: &'static str, id: &str, name: &str) {
    let bucket_id = || Expr::r(format!("aws_s3_bucket.{id}.id"));
    tree.add(
        file,
        Block::resource("aws_s3_bucket", id)
            .attr(
                "bucket",
                Expr::template(vec![
                    interp(NAME_PREFIX.expr()),
                    lit(format!("-{name}-")),
                    interp(account_id()),
                ]),
            )
            .attr("force_destroy", Expr::Bool(true)),
    );
    tree.add(
        file,
        Block::resource("aws_s3_bucket_public_access_block", id)
            .attr("bucket", bucket_id())
            .attr("block_public_acls", Expr::Bool(true))
            .attr("block_public_policy", Expr::Bool(true))
            .attr("ignore_public_acls", Expr::Bool(true))
            .attr("restrict_public_buckets", Expr::Bool(true)),
    );
    tree.add(
        file,
        Block::resource("aws_s3_bucket_server_side_encryption_configuration", id)
            .attr("bucket", bucket_id())
            .block(
                Block::new("rule", &[]).block(
                    Block::new("apply_server_side_encryption_by_default", &[])
                        .attr("sse_algorithm", Expr::str("AES256")),
                ),
            ),
    );
    tree.add(
        file,
        Block::resource("aws_s3_bucket_versioning", id)
            .attr("bucket", bucket_id())
            .block(
                Block::new("versioning_configuration", &[]).attr("status", Expr::str("Enabled")),
            ),
    );
}

const LAB_BUCKETS: Accepted = Accepted {
    findings: "CKV_AWS_144, CKV_AWS_145, CKV_AWS_18, CKV2_AWS_61, CKV2_AWS_62 (S3 replication, KMS, access logs, lifecycle, notifications)",
    reason: "lab buckets hold a few seeded objects and go with the lab; they are private, versioned and SSE-S3 encrypted",
};

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    ("aws_s3_bucket", Service::S3, Some("buckets")),
    (
        "aws_s3_bucket_public_access_block",
        Service::S3,
        Some("bucket settings"),
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        Service::S3,
        Some("bucket settings"),
    ),
    (
        "aws_s3_bucket_versioning",
        Service::S3,
        Some("bucket settings"),
    ),
    ("aws_s3_object", Service::S3, Some("objects")),
];

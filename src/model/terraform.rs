//! versions.tf, providers.tf, variables.tf and the shared data sources.

use super::Tree;
use crate::base::address::{AWS_REGION, AZS_AVAILABLE, CALLER, NAME_PREFIX, PARTITION};
use crate::base::hcl::{Block, Expr};
use crate::catalog::{Action, PROVIDER_BASE};
use crate::experiments::Lab;

/// The Terraform the tree needs (the lab README repeats it).
pub const TERRAFORM_VERSION: &str = ">= 1.5.0";

/// With the S3 backend: `use_lockfile` (S3-native state locking, no DynamoDB table) arrived in
/// Terraform 1.10, and older releases reject the argument.
pub const TERRAFORM_VERSION_S3_LOCKFILE: &str = ">= 1.10.0";

/// The `required_version` of this lab's tree.
pub fn terraform_version(lab: &Lab) -> &'static str {
    if lab.state.is_some() {
        TERRAFORM_VERSION_S3_LOCKFILE
    } else {
        TERRAFORM_VERSION
    }
}

/// `~> <major>.<minor>` for the highest provider floor among `actions` (at least the 6.x line
/// chaoslab is schema-checked against): a lab asks for no newer provider than it needs.
pub fn aws_provider<'a>(actions: impl IntoIterator<Item = &'a Action>) -> String {
    let (major, minor) = actions
        .into_iter()
        .map(|a| a.provider_floor)
        .fold(PROVIDER_BASE, std::cmp::max);
    format!("~> {major}.{minor}")
}

fn required_providers(lab: &Lab) -> Block {
    let provider = |source: &str, version: &str| {
        Expr::map([
            ("source", Expr::str(source)),
            ("version", Expr::str(version)),
        ])
    };
    let version = aws_provider(
        lab.experiments
            .iter()
            .flat_map(|e| e.actions())
            .map(|e| e.action),
    );
    let block =
        Block::new("required_providers", &[]).attr("aws", provider("hashicorp/aws", &version));
    // The functions' code is zipped by the archive provider's `archive_file` (2.x).
    if lab.functions.is_empty() {
        block
    } else {
        block.attr("archive", provider("hashicorp/archive", ARCHIVE_VERSION))
    }
}

/// hashicorp/archive 2.x: `archive_file` with `source_content` and `source_content_filename`.
pub const ARCHIVE_VERSION: &str = "~> 2.4";

/// The value of the `Lab` tag the provider's default_tags put on every resource: the lab's
/// name, unless the spec's `tags:` sets `Lab` itself. The FIS role's grants are narrowed to
/// resources carrying it.
pub fn lab_tag(lab: &Lab) -> &str {
    lab.tags
        .iter()
        .find(|(k, _)| k == "Lab")
        .map_or(lab.name.as_str(), |(_, v)| v.as_str())
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    let terraform = Block::new("terraform", &[])
        .attr("required_version", Expr::str(terraform_version(lab)))
        .block(required_providers(lab));
    // Empty on purpose (a partial configuration): bucket, key and region come from
    // `terraform init -backend-config=…`, so one tree serves every tenant's state.
    let terraform = match lab.state {
        Some(_) => terraform.block(Block::new("backend", &["s3"])),
        None => terraform,
    };
    tree.add("versions.tf", terraform);

    let mut tags: Vec<(String, Expr)> = vec![
        ("Lab".to_owned(), Expr::str(lab_tag(lab))),
        ("ManagedBy".to_owned(), Expr::str("chaoslab")),
    ];
    for (k, v) in &lab.tags {
        tags.retain(|(existing, _)| existing != k);
        tags.push((k.clone(), Expr::str(v)));
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    let provider = |region: Expr| {
        Block::new("provider", &["aws"])
            .attr("region", region)
            .block(Block::new("default_tags", &[]).attr("tags", Expr::map(tags.clone())))
    };
    tree.add("providers.tf", provider(AWS_REGION.expr()));
    // One aliased configuration per replica Region, for what the lab reads or builds there.
    let mut regions: Vec<&str> = lab
        .tables
        .iter()
        .flat_map(|t| t.replicas.iter().map(String::as_str))
        .collect();
    regions.sort_unstable();
    regions.dedup();
    for region in regions {
        tree.add(
            "providers.tf",
            Block::new("provider", &["aws"])
                .attr(
                    "alias",
                    Expr::str(crate::base::address::region_alias(region)),
                )
                .attr("region", Expr::str(region))
                .block(Block::new("default_tags", &[]).attr("tags", Expr::map(tags.clone()))),
        );
    }

    tree.add(
        "variables.tf",
        AWS_REGION
            .block()
            .attr(
                "description",
                Expr::str("AWS Region to deploy the lab into."),
            )
            .attr("type", Expr::r("string"))
            .attr("default", Expr::str(&lab.region)),
    );
    tree.add(
        "variables.tf",
        NAME_PREFIX.block()
            .attr("description", Expr::str("Prefix of every AWS resource name in the lab."))
            .attr("type", Expr::r("string"))
            .attr("default", Expr::str(&lab.prefix))
            .block(
                Block::new("validation", &[])
                    .attr(
                        "condition",
                        Expr::call("can", vec![Expr::call("regex", vec![Expr::str("^[a-z][a-z0-9-]{0,23}$"), NAME_PREFIX.expr()])]),
                    )
                    .attr(
                        "error_message",
                        Expr::str("The name_prefix must be 1 to 24 lowercase letters, digits or hyphens, starting with a letter."),
                    ),
            ),
    );

    tree.add("data.tf", CALLER.block());
    tree.add("data.tf", PARTITION.block());
    tree.add(
        "data.tf",
        AZS_AVAILABLE.block().attr("state", Expr::str("available")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ACTIONS, find};

    #[test]
    fn the_highest_floor_among_the_actions_wins() {
        let id = |i: &str| find(i).into_iter();
        assert_eq!(
            aws_provider(id("aws:network:disrupt-connectivity")),
            "~> 6.0"
        );
        assert_eq!(aws_provider([]), "~> 6.0");
        let mut newer = *find("aws:fis:wait").into_iter().next().unwrap();
        newer.provider_floor = (6, 22);
        let both = id("aws:network:disrupt-connectivity").chain([&newer]);
        assert_eq!(aws_provider(both), "~> 6.22");
        assert!(ACTIONS.iter().all(|a| a.provider_floor >= PROVIDER_BASE));
    }
}

//! versions.tf, providers.tf, variables.tf and the shared data sources.

use super::Tree;
use super::hcl::{Block, Expr};
use crate::validate::Lab;

/// The 6.x line: the FIS `Functions` target key and the schema chaoslab is checked against
/// (6.62.0) both need it.
pub const AWS_PROVIDER: &str = "~> 6.0";

fn required_providers(_lab: &Lab) -> Block {
    let provider = |source: &str, version: &str| {
        Expr::map([
            ("source", Expr::str(source)),
            ("version", Expr::str(version)),
        ])
    };
    Block::new("required_providers", &[]).attr("aws", provider("hashicorp/aws", AWS_PROVIDER))
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    tree.add(
        "versions.tf",
        Block::new("terraform", &[])
            .attr("required_version", Expr::str(">= 1.5.0"))
            .block(required_providers(lab)),
    );

    let mut tags: Vec<(String, Expr)> = vec![
        ("Lab".to_owned(), Expr::str(&lab.name)),
        ("ManagedBy".to_owned(), Expr::str("chaoslab")),
    ];
    for (k, v) in &lab.tags {
        tags.retain(|(existing, _)| existing != k);
        tags.push((k.clone(), Expr::str(v)));
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    tree.add(
        "providers.tf",
        Block::new("provider", &["aws"])
            .attr("region", Expr::r("var.aws_region"))
            .block(Block::new("default_tags", &[]).attr("tags", Expr::map(tags))),
    );

    tree.add(
        "variables.tf",
        Block::new("variable", &["aws_region"])
            .attr(
                "description",
                Expr::str("AWS Region to deploy the lab into."),
            )
            .attr("type", Expr::r("string"))
            .attr("default", Expr::str(&lab.region)),
    );
    tree.add(
        "variables.tf",
        Block::new("variable", &["name_prefix"])
            .attr("description", Expr::str("Prefix of every AWS resource name in the lab."))
            .attr("type", Expr::r("string"))
            .attr("default", Expr::str(&lab.prefix))
            .block(
                Block::new("validation", &[])
                    .attr(
                        "condition",
                        Expr::call("can", vec![Expr::call("regex", vec![Expr::str("^[a-z][a-z0-9-]{0,23}$"), Expr::r("var.name_prefix")])]),
                    )
                    .attr(
                        "error_message",
                        Expr::str("The name_prefix must be 1 to 24 lowercase letters, digits or hyphens, starting with a letter."),
                    ),
            ),
    );

    tree.add("data.tf", Block::data("aws_caller_identity", "current"));
    tree.add("data.tf", Block::data("aws_partition", "current"));
    tree.add(
        "data.tf",
        Block::data("aws_availability_zones", "available").attr("state", Expr::str("available")),
    );
}

//! Stage 3: checked lab → Terraform blocks, grouped into files.
//!
//! One module per AWS resource kind; each adds its blocks to its file and its outputs to
//! `outputs.tf`. Adding a kind means adding a module and a line to [`COMPONENTS`].

pub(crate) mod alb;
mod aurora;
pub mod compute;
mod dashboard;
mod dynamodb;
pub mod ecs;
mod fis;
mod fis_role;
pub mod functions;
mod iam;
mod iam_app;
pub mod monitoring;
pub mod network;
mod rds_proxy;
pub mod reports;
pub mod s3;
pub mod schedule;
mod security_groups;
mod sqs;
pub mod terraform;

use std::collections::BTreeMap;

use crate::base::hcl::{Block, Expr, File, interp, lit};

use crate::experiments::Lab;

/// The tree being built: blocks per file name, outputs in the order components add them,
/// and the scanner findings the lab accepts for what was built.
#[derive(Default)]
pub struct Tree {
    files: BTreeMap<&'static str, Vec<Block>>,
    outputs: Vec<Block>,
    accepted: Vec<&'static Accepted>,
}

/// Scanner (checkov) findings a component accepts on purpose for the resources it builds,
/// with the reason; the lab README lists them. chaoslab's own Markdown, never spec text.
#[derive(Debug, PartialEq, Eq)]
pub struct Accepted {
    pub findings: &'static str,
    pub reason: &'static str,
}

/// What the model stage hands to rendering.
pub struct Model {
    /// Every HCL file, sorted by name.
    pub files: Vec<File>,
    /// In the order components accepted them, each once.
    pub accepted: Vec<&'static Accepted>,
}

impl Tree {
    pub fn add(&mut self, file: &'static str, block: Block) {
        self.files.entry(file).or_default().push(block);
    }

    /// Adds `output "name"` with a description.
    pub fn output(&mut self, name: &str, description: &str, value: Expr) {
        self.outputs.push(
            Block::new("output", &[name])
                .attr("description", Expr::str(description))
                .attr("value", value),
        );
    }

    /// Records that what the component just built carries these findings on purpose.
    pub fn accept(&mut self, findings: &'static Accepted) {
        if !self.accepted.contains(&findings) {
            self.accepted.push(findings);
        }
    }
}

const COMPONENTS: &[fn(&Lab, &mut Tree)] = &[
    terraform::build,
    network::build,
    dynamodb::build,
    sqs::build,
    s3::build,
    security_groups::build,
    alb::build,
    aurora::build,
    rds_proxy::build,
    iam_app::build,
    compute::build,
    ecs::build,
    functions::build,
    monitoring::build,
    dashboard::build,
    reports::build,
    fis_role::build,
    fis::build,
    schedule::build,
];

/// Every file of the lab, sorted by name; a reference to anything the tree does not declare
/// is a chaoslab bug, reported instead of a tree.
pub fn build(lab: &Lab) -> Result<Model, crate::base::address::Undeclared> {
    let mut tree = Tree::default();
    for component in COMPONENTS {
        component(lab, &mut tree);
    }
    let mut files: Vec<File> = tree
        .files
        .into_iter()
        .map(|(name, blocks)| File { name, blocks })
        .collect();
    if !tree.outputs.is_empty() {
        files.push(File {
            name: "outputs.tf",
            blocks: tree.outputs,
        });
    }
    files.sort_by(|a, b| a.name.cmp(b.name));
    crate::base::address::check(&files)?;
    Ok(Model {
        files,
        accepted: tree.accepted,
    })
}

/// `"${var.name_prefix}-<suffix>"`: every AWS name the lab creates.
pub fn prefixed(suffix: &str) -> Expr {
    Expr::template(vec![
        interp(crate::base::address::NAME_PREFIX.expr()),
        lit(format!("-{suffix}")),
    ])
}

/// `{ Name = "${var.name_prefix}-<suffix>" }`.
pub fn name_tag(suffix: &str) -> Expr {
    Expr::map([("Name", prefixed(suffix))])
}

pub fn account_id() -> Expr {
    crate::base::address::CALLER.attr("account_id")
}

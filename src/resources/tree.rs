//! What a resource kind writes its Terraform into: blocks per file, outputs, and the scanner
//! findings it accepts on purpose. The model layer owns the assembly (which kinds run, in
//! which order, and the files no single kind owns); each kind's model part only adds here.

use std::collections::BTreeMap;

use crate::base::hcl::{Block, Expr, interp, lit};

/// The tree being built: blocks per file name, outputs in the order components add them,
/// and the scanner findings the lab accepts for what was built.
#[derive(Default)]
pub struct Tree {
    pub(crate) files: BTreeMap<&'static str, Vec<Block>>,
    pub(crate) outputs: Vec<Block>,
    pub(crate) accepted: Vec<&'static Accepted>,
}

/// Scanner (checkov) findings a component accepts on purpose for the resources it builds,
/// with the reason; the lab README lists them. chaoslab's own Markdown, never spec text.
#[derive(Debug, PartialEq, Eq)]
pub struct Accepted {
    pub findings: &'static str,
    pub reason: &'static str,
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

/// Facts a kind's model needs that are decided outside its own spec section (by another kind
/// or by the experiments); the model layer fills it from the lab.
pub struct Context {
    /// Some function carries the FIS Lambda extension, so the lab has its config bucket.
    pub fis_extension: bool,
    /// The lab's `Lab` tag, which the app's instances carry for FIS to select them by.
    pub lab_tag: String,
    /// The condition that keeps the FIS agent role to the managed instances this lab's task
    /// sidecars registered (the FIS catalog's, with the lab's names filled in).
    pub task_instances: Block,
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

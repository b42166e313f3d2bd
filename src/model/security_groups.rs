//! security_groups.tf: the groups and rules the lab's kinds contribute (the app's load
//! balancer and fleet, the database and its proxy), in registry order: every group first,
//! then every rule.

use super::{Slots, Tree, name_tag, prefixed};
use crate::base::address::VPC;
use crate::base::hcl::{Block, Expr};

const FILE: &str = "security_groups.tf";

pub fn build(slots: &Slots, tree: &mut Tree) {
    for g in &slots.groups {
        let name = g.name.replace('_', "-");
        tree.add(
            FILE,
            Block::resource("aws_security_group", g.name)
                .attr("name", prefixed(&name))
                .attr("description", Expr::str(g.description))
                .attr("vpc_id", VPC.attr("id"))
                .attr("tags", name_tag(&name)),
        );
    }
    for rule in &slots.rules {
        tree.add(FILE, rule.block());
    }
}

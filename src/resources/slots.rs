//! The shared places a resource kind contributes to, as typed slots: security groups and their
//! rules, the app's config keys, the app role's IAM statements, cost lines and the time an
//! apply takes. Each kind fills them in its own folder; the model layer collects them (one
//! registry line per kind) and builds the shared files from them, so adding a kind the app
//! uses edits no central file.
//!
//! Order is part of the output: entries keep the order the registry visits the kinds, within
//! the section each slot sorts by first.

use crate::base::hcl::{Block, Expr};

/// Everything the lab's kinds contributed, in registry order.
#[derive(Default)]
pub struct Slots {
    pub groups: Vec<SecurityGroup>,
    pub rules: Vec<Rule>,
    pub config: Vec<Setting>,
    pub app_iam: Vec<Statement>,
    pub costs: Vec<CostLine>,
    pub apply_times: Vec<ApplyTime>,
}

/// `aws_security_group "<name>"` in `security_groups.tf`, named `<prefix>-<name with ->`.
pub struct SecurityGroup {
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Clone, Copy)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn resource_type(self) -> &'static str {
        match self {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        }
    }
}

/// Who is on the other side of a rule.
pub enum Peer {
    /// An IPv4 CIDR block (an expression: a literal or the VPC's block).
    Cidr(Expr),
    /// Another of the lab's security groups, by Terraform name.
    Group(&'static str),
}

/// One TCP rule on one of the lab's security groups.
pub struct Rule {
    pub direction: Direction,
    /// Terraform name of the rule.
    pub name: &'static str,
    /// Terraform name of the group the rule belongs to.
    pub group: &'static str,
    pub description: &'static str,
    pub port: i64,
    pub peer: Peer,
}

impl Rule {
    /// The rule's resource block.
    pub fn block(&self) -> Block {
        let block = Block::resource(self.direction.resource_type(), self.name)
            .attr(
                "security_group_id",
                Expr::r(format!("aws_security_group.{}.id", self.group)),
            )
            .attr("description", Expr::str(self.description))
            .attr("ip_protocol", Expr::str("tcp"))
            .attr("from_port", Expr::int(self.port))
            .attr("to_port", Expr::int(self.port));
        match &self.peer {
            Peer::Cidr(cidr) => block.attr("cidr_ipv4", cidr.clone()),
            Peer::Group(sg) => block.attr(
                "referenced_security_group_id",
                Expr::r(format!("aws_security_group.{sg}.id")),
            ),
        }
    }
}

/// Where a key sits in the app's config: how to reach the lab's resources, then the app's own
/// guard settings, then the optional features a kind turns on.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfigSection {
    Connection,
    Guard,
    Feature,
}

/// One key of `local.app_config`, the JSON the app reads at start.
pub struct Setting {
    pub section: ConfigSection,
    pub key: &'static str,
    pub value: Expr,
}

/// Where a statement sits in the app's policy: the data it reads on every request, the
/// secrets it reads at start, then what optional features need.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicySection {
    Data,
    Secrets,
    Feature,
}

/// One statement of the app role's policy.
pub struct Statement {
    pub section: PolicySection,
    pub sid: &'static str,
    pub actions: Vec<&'static str>,
    pub resources: Vec<Expr>,
}

/// One billed component of the README's cost table: what, how many, the price per unit-hour
/// (`None`: see the pricing page) and what else it bills. Lines with the same component are
/// one row (their counts add up), where the first of them stands.
pub struct CostLine {
    pub component: String,
    pub count: f64,
    pub unit_hour: Option<f64>,
    pub note: &'static str,
}

/// How long `terraform apply` and `destroy` take with this kind in the lab; the README names
/// the slowest kind's. `minutes` ranks them (the upper end of the apply).
pub struct ApplyTime {
    pub minutes: u32,
    pub apply: &'static str,
    pub destroy: &'static str,
}

impl Slots {
    /// The app's config keys, by section.
    pub fn settings(&self) -> Vec<&Setting> {
        let mut out: Vec<&Setting> = self.config.iter().collect();
        out.sort_by_key(|s| s.section);
        out
    }

    /// The app role's statements, by section.
    pub fn statements(&self) -> Vec<&Statement> {
        let mut out: Vec<&Statement> = self.app_iam.iter().collect();
        out.sort_by_key(|s| s.section);
        out
    }

    /// The cost table's rows: lines of one component merged, rows that count nothing left out.
    pub fn cost_rows(&self) -> Vec<CostLine> {
        let mut out: Vec<CostLine> = Vec::new();
        for line in &self.costs {
            match out.iter_mut().find(|r| r.component == line.component) {
                Some(row) => row.count += line.count,
                None => out.push(CostLine {
                    component: line.component.clone(),
                    count: line.count,
                    unit_hour: line.unit_hour,
                    note: line.note,
                }),
            }
        }
        out.retain(|r| r.count > 0.0);
        out
    }

    /// The slowest kind's apply and destroy times; a lab of nothing slow takes a few minutes.
    pub fn apply_time(&self) -> (&'static str, &'static str) {
        self.apply_times
            .iter()
            .max_by_key(|t| t.minutes)
            .map_or(("a few minutes", "a few minutes"), |t| (t.apply, t.destroy))
    }
}

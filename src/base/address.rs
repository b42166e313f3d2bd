//! Terraform addresses as values, and the check that every reference has a declaration.
//!
//! A component names what it declares with an [`Address`] and refers to it through the same
//! value (`VPC.attr("id")`), so a rename is one edit. Addresses shared between components live
//! here. [`check`] then proves, on every build, that each reference's root (`aws_vpc.main`,
//! `data.aws_partition.current`, `var.aws_region`, `local.azs`) is declared in the tree: a
//! dangling reference is a chaoslab bug, reported before anything is written.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::hcl::{Block, Expr, File, Item, Part};

/// Something a Terraform block declares and other blocks refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// `<type>.<name>`.
    Resource(&'static str, Cow<'static, str>),
    /// `data.<type>.<name>`.
    Data(&'static str, &'static str),
    /// `var.<name>`.
    Var(&'static str),
    /// `local.<name>`.
    Local(&'static str),
}

impl Address {
    /// A resource whose name comes from the spec (already a valid Terraform identifier).
    pub fn resource(kind: &'static str, name: impl Into<String>) -> Address {
        Address::Resource(kind, Cow::Owned(name.into()))
    }

    /// The address itself, e.g. `aws_vpc.main` (for `depends_on`).
    pub fn path(&self) -> String {
        match self {
            Address::Resource(kind, name) => format!("{kind}.{name}"),
            Address::Data(kind, name) => format!("data.{kind}.{name}"),
            Address::Var(name) => format!("var.{name}"),
            Address::Local(name) => format!("local.{name}"),
        }
    }

    /// The block that declares this resource or data source (variables and locals are
    /// declared by their own blocks).
    pub fn block(&self) -> Block {
        match self {
            Address::Resource(kind, name) => Block::resource(kind, name),
            Address::Data(kind, name) => Block::data(kind, name),
            Address::Var(name) => Block::new("variable", &[name]),
            Address::Local(_) => Block::new("locals", &[]),
        }
    }

    /// The bare address as an expression (`depends_on`, whole-object values).
    pub fn expr(&self) -> Expr {
        Expr::r(self.path())
    }

    /// `<address>.<attr>`; `attr` may continue the traversal (`names`, `cidr_block`).
    pub fn attr(&self, attr: &str) -> Expr {
        Expr::r(format!("{}.{attr}", self.path()))
    }

    /// `<address>[*].<attr>`, for a counted resource.
    pub fn splat(&self, attr: &str) -> Expr {
        Expr::r(format!("{}[*].{attr}", self.path()))
    }

    /// `<address>[<index>]` followed by `.attr` when given (`local.azs[0]`).
    pub fn index(&self, index: impl std::fmt::Display, attr: Option<&str>) -> Expr {
        match attr {
            Some(a) => Expr::r(format!("{}[{index}].{a}", self.path())),
            None => Expr::r(format!("{}[{index}]", self.path())),
        }
    }
}

pub const AWS_REGION: Address = Address::Var("aws_region");
pub const NAME_PREFIX: Address = Address::Var("name_prefix");
pub const PARTITION: Address = Address::Data("aws_partition", "current");
pub const CALLER: Address = Address::Data("aws_caller_identity", "current");
pub const AZS_AVAILABLE: Address = Address::Data("aws_availability_zones", "available");
pub const AZS: Address = Address::Local("azs");
pub const APP_CONFIG: Address = Address::Local("app_config");
pub const VPC: Address = Address::Resource("aws_vpc", Cow::Borrowed("main"));
pub const IGW: Address = Address::Resource("aws_internet_gateway", Cow::Borrowed("main"));
pub const PUBLIC_ROUTES: Address = Address::Resource("aws_route_table", Cow::Borrowed("public"));
pub const PRIVATE_NAT_ROUTE: Address = Address::Resource("aws_route", Cow::Borrowed("private_nat"));
pub const PRIVATE_ASSOCIATIONS: Address =
    Address::Resource("aws_route_table_association", Cow::Borrowed("private"));
pub const APP_ROLE: Address = Address::Resource("aws_iam_role", Cow::Borrowed("app"));
pub const APP_PROFILE: Address =
    Address::Resource("aws_iam_instance_profile", Cow::Borrowed("app"));
pub const FIS_ROLE: Address = Address::Resource("aws_iam_role", Cow::Borrowed("fis"));
pub const FIS_LOGS: Address = Address::Resource("aws_cloudwatch_log_group", Cow::Borrowed("fis"));
pub const ASG: Address = Address::Resource("aws_autoscaling_group", Cow::Borrowed("app"));
pub const LAUNCH_TEMPLATE: Address = Address::Resource("aws_launch_template", Cow::Borrowed("app"));
pub const ALB: Address = Address::Resource("aws_lb", Cow::Borrowed("app"));
pub const DASHBOARD: Address = Address::Resource("aws_cloudwatch_dashboard", Cow::Borrowed("lab"));
pub const REPORTS: Address = Address::Resource("aws_s3_bucket", Cow::Borrowed("fis_reports"));
pub const ORDERS_QUEUE: Address = Address::Resource("aws_sqs_queue", Cow::Borrowed("orders"));
pub const TARGET_GROUP: Address = Address::Resource("aws_lb_target_group", Cow::Borrowed("app"));
pub const LISTENER: Address = Address::Resource("aws_lb_listener", Cow::Borrowed("http"));
/// The bucket FIS writes Lambda fault configurations to (`validate::functions::CONFIG_BUCKET`).
pub const FIS_CONFIG: Address = Address::Resource("aws_s3_bucket", Cow::Borrowed(FIS_CONFIG_ID));
pub const FIS_CONFIG_ID: &str = "fis_config";
pub const CLUSTER: Address = Address::Resource("aws_rds_cluster", Cow::Borrowed("main"));
/// The Fargate tier (`runtime: ecs`).
pub const ECS_CLUSTER: Address = Address::Resource("aws_ecs_cluster", Cow::Borrowed("app"));
pub const ECS_SERVICE: Address = Address::Resource("aws_ecs_service", Cow::Borrowed("app"));
pub const TASK_DEFINITION: Address =
    Address::Resource("aws_ecs_task_definition", Cow::Borrowed("app"));
pub const APP_LOGS: Address = Address::Resource("aws_cloudwatch_log_group", Cow::Borrowed("app"));
pub const ECS_EXECUTION_ROLE: Address =
    Address::Resource("aws_iam_role", Cow::Borrowed("ecs_execution"));
/// The role the SSM agent sidecar registers each task with, as an SSM managed instance.
pub const FIS_AGENT_ROLE: Address = Address::Resource("aws_iam_role", Cow::Borrowed("fis_agent"));
pub const ECS_TASKS_ASSUME: Address = Address::Data("aws_iam_policy_document", "ecs_tasks_assume");
pub const WRITER: Address = Address::Resource("aws_rds_cluster_instance", Cow::Borrowed("writer"));

/// The `aws` provider configuration of a replica Region, e.g. `aws.us_west_2`.
pub fn region_provider(region: &str) -> String {
    format!("aws.{}", region_alias(region))
}

/// The alias of a Region's provider configuration: the Region code with `_` for `-`.
pub fn region_alias(region: &str) -> String {
    region.replace('-', "_")
}

/// A security group by its role (`alb`, `app`, `aurora`, `proxy`, `endpoints`).
pub fn security_group(role: &'static str) -> Address {
    Address::Resource("aws_security_group", Cow::Borrowed(role))
}

/// A reference whose root no block of the tree declares: (reference, file).
#[derive(Debug, PartialEq, Eq)]
pub struct Undeclared(pub String, pub &'static str);

/// Terraform's own objects, declared by no block.
const BUILTIN: &[&str] = &["count", "each", "path", "self", "terraform"];

/// Checks that the root of every reference in `files` is declared by one of their blocks.
pub fn check(files: &[File]) -> Result<(), Undeclared> {
    let mut declared = BTreeSet::new();
    for block in files.iter().flat_map(|f| &f.blocks) {
        let label = |i: usize| block.labels.get(i).map_or("", String::as_str);
        match block.kind {
            "resource" => {
                declared.insert(format!("{}.{}", label(0), label(1)));
            }
            "data" => {
                declared.insert(format!("data.{}.{}", label(0), label(1)));
            }
            "variable" => {
                declared.insert(format!("var.{}", label(0)));
            }
            // A provider configuration with an alias is referenced as `<provider>.<alias>`.
            "provider" => {
                for item in &block.body {
                    if let Item::Attr("alias", Expr::Str(alias)) = item {
                        declared.insert(format!("{}.{alias}", label(0)));
                    }
                }
            }
            "locals" => {
                for item in &block.body {
                    if let Item::Attr(name, _) = item {
                        declared.insert(format!("local.{name}"));
                    }
                }
            }
            _ => {}
        }
    }
    for file in files {
        for block in &file.blocks {
            let mut bad = None;
            walk_block(block, &mut |r| {
                if bad.is_none() && root(r).is_some_and(|root| !declared.contains(root)) {
                    bad = Some(r.to_owned());
                }
            });
            if let Some(r) = bad {
                return Err(Undeclared(r, file.name));
            }
        }
    }
    Ok(())
}

/// The declared object a reference starts from, or `None` for a bare keyword (a type such as
/// `string`, an attribute name in `ignore_changes`) or one of Terraform's own objects.
fn root(reference: &str) -> Option<&str> {
    let head = reference.split('[').next().unwrap_or(reference);
    let mut dots = head.match_indices('.').map(|(i, _)| i);
    let first = dots.next()?;
    let kind = head.get(..first)?;
    if BUILTIN.contains(&kind) {
        return None;
    }
    // `data.<type>.<name>` has one more segment than the others.
    let end = if kind == "data" {
        dots.nth(1)
    } else {
        dots.next()
    };
    Some(end.and_then(|e| head.get(..e)).unwrap_or(head))
}

fn walk_block(block: &Block, visit: &mut impl FnMut(&str)) {
    for item in &block.body {
        match item {
            Item::Attr(_, e) => walk_expr(e, visit),
            Item::Block(b) => walk_block(b, visit),
            Item::Blank => {}
        }
    }
}

fn walk_expr(e: &Expr, visit: &mut impl FnMut(&str)) {
    match e {
        Expr::Ref(r) => visit(r),
        Expr::List(items) => items.iter().for_each(|i| walk_expr(i, visit)),
        Expr::Map(entries) => entries.iter().for_each(|(_, v)| walk_expr(v, visit)),
        Expr::Call(_, args) => args.iter().for_each(|a| walk_expr(a, visit)),
        Expr::Template(parts) => parts.iter().for_each(|p| {
            if let Part::Interp(e) = p {
                walk_expr(e, visit);
            }
        }),
        Expr::Add(e, _) => walk_expr(e, visit),
        Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_references() {
        assert_eq!(
            root("aws_subnet.private[*].arn"),
            Some("aws_subnet.private")
        );
        assert_eq!(
            root("aws_subnet.public[count.index].id"),
            Some("aws_subnet.public")
        );
        assert_eq!(
            root("aws_rds_cluster_instance.writer"),
            Some("aws_rds_cluster_instance.writer")
        );
        assert_eq!(
            root("data.aws_availability_zones.available.names"),
            Some("data.aws_availability_zones.available")
        );
        assert_eq!(root("local.azs[0]"), Some("local.azs"));
        assert_eq!(root("var.aws_region"), Some("var.aws_region"));
        assert_eq!(root("count.index"), None);
        assert_eq!(root("string"), None);
    }

    #[test]
    fn an_undeclared_root_is_reported_with_its_file() {
        let file = |name, blocks| File { name, blocks };
        let vpc = Block::resource("aws_vpc", "main");
        let subnet = Block::resource("aws_subnet", "a").attr("vpc_id", VPC.attr("id"));
        assert_eq!(
            check(&[file("a.tf", vec![vpc.clone(), subnet.clone()])]),
            Ok(())
        );
        assert_eq!(
            check(&[file("a.tf", vec![subnet])]),
            Err(Undeclared("aws_vpc.main.id".to_owned(), "a.tf"))
        );
    }
}

//! The lab rules the article teaches, on each step: the lessons no API check catches (a
//! dependency fault must cut every app subnet, `scope: all` cuts the catalog too, a stop
//! the auto-scaling group undoes fails the action).
//!
//! Rules are small functions keyed on the catalog entry they concern ([`BY_ACTION`]), or on
//! what a step does whatever its action ([`ANY_ACTION`]: moving the Aurora writer, cutting a
//! zone, stopping the fleet). Parameters are read through the action's typed list
//! (`catalog::network::SCOPE`, …), never by a name spelt here. A new rule is one function and
//! one table entry.

use super::steps::RawAction;
use super::{Context, Step, Tier, Validator, reader_zone};
use crate::base::duration;
use crate::base::errors::{Code, Diagnostic, Pos};
use crate::catalog::{self, Action, ParamKind, functions, instances, network, rds};
use crate::spec::{Spanned, pos};

/// What a rule sees of one step.
pub(super) struct Checked<'a> {
    pub raw: &'a RawAction<'a>,
    pub step: &'a Step,
    /// The dependency the step means to cut: the experiment's `dependency:`, else the step's
    /// own `scope` when it names one.
    pub dependency: Option<&'a str>,
    /// Where the experiment names its `dependency:`, if it does.
    pub dependency_at: Option<&'a Spanned<String>>,
    pub acknowledged: &'a [String],
    pub ctx: &'a Context<'a>,
}

impl Checked<'_> {
    fn ack(&self, rule: &str) -> bool {
        self.acknowledged.iter().any(|a| a == rule)
    }

    /// Where a rule about the targets points: `targets:`, else the action.
    fn at(&self) -> Pos {
        self.raw.targets.map_or(self.raw.at, pos)
    }

    fn field(&self) -> &str {
        &self.raw.field
    }
}

type Rule = fn(&mut Validator, &Checked);

/// Rules that concern one action, by its catalog entry.
const BY_ACTION: &[(&Action, Rule)] = &[
    (&network::DISRUPT_CONNECTIVITY, prefix_list),
    (&instances::STOP_INSTANCES, restart_replaced),
    (&functions::INVOCATION_ADD_DELAY, delay_past_timeout),
    (&network::DISRUPT_CONNECTIVITY, partial_subnets),
    (&network::DISRUPT_CONNECTIVITY, unsevered_path),
    (&network::DISRUPT_CONNECTIVITY, aurora_not_cut),
    (&network::DISRUPT_CONNECTIVITY, scope_all),
];

/// Rules on what a step does, whatever its action.
const ANY_ACTION: &[Rule] = &[
    applied_in_time,
    failover_without_reader,
    writer_zone,
    asg_replacement,
];

impl Validator {
    /// Every lab rule that applies to the step.
    pub(super) fn lab_rules(&mut self, c: &Checked) {
        for (action, rule) in BY_ACTION {
            if c.step.action.is(action) {
                rule(self, c);
            }
        }
        for rule in ANY_ACTION {
            rule(self, c);
        }
    }
}

/// E041: `prefixListIdentifier` goes with scope `prefix-list`, and only with it.
fn prefix_list(v: &mut Validator, c: &Checked) {
    let scope = c.step.value(&network::SCOPE);
    if (scope == Some("prefix-list")) == c.step.value(&network::PREFIX_LIST).is_some() {
        return;
    }
    let (msg, help) = if scope == Some("prefix-list") {
        (
            "scope prefix-list needs `prefixListIdentifier`",
            "add the customer-managed prefix list's name, ID or ARN as `prefixListIdentifier`",
        )
    } else {
        (
            "`prefixListIdentifier` only applies to scope prefix-list",
            "remove `prefixListIdentifier`, or set `scope: prefix-list`",
        )
    };
    v.err(
        Code::E041,
        c.raw.at,
        format!("{}.parameters", c.field()),
        msg,
        help,
    );
}

/// E044: the fleet's auto-scaling group replaces stopped instances (ELB health checks); FIS
/// then cannot restart them and fails the action unless told that is fine.
fn restart_replaced(v: &mut Validator, c: &Checked) {
    if c.step.stops_app_fleet() && c.step.value(&instances::COMPLETE_IF_TERMINATED) != Some("true")
    {
        v.err(
            Code::E044,
            c.raw.at,
            format!("{}.parameters", c.field()),
            "the auto-scaling group replaces stopped app instances, so FIS cannot restart them and the action fails",
            "add `completeIfInstancesTerminated: \"true\"` to the parameters",
        );
    }
}

/// E053: a startup delay at least as long as the function's timeout times every faulted
/// invocation out.
fn delay_past_timeout(v: &mut Validator, c: &Checked) {
    let param = &functions::STARTUP_DELAY;
    if let Some(name) = c.step.selection().and_then(functions::function)
        && !c.ack("function-timeout")
        && let Some(f) = c.ctx.lab.functions.iter().find(|f| f.name == name)
        && let Some((msg, help)) = catalog::delay_problem(c.step.value(param), f)
    {
        let given = c.raw.parameters.iter().find(|(k, _)| k.value == param.name);
        v.err(
            Code::E053,
            // Without the parameter, at the function whose timeout the default misses.
            given.map_or(c.at(), |(_, v)| pos(v)),
            format!("{}.parameters.{}", c.field(), param.name),
            msg,
            help,
        );
    }
}

/// E044: a fault on some of the app subnets only, which the load balancer routes around.
fn partial_subnets(v: &mut Validator, c: &Checked) {
    let partial = c.step.selection().and_then(network::tier) == Some(Tier::Private)
        && (c.step.zone().is_some() || c.step.selection_mode != "ALL");
    if partial && !c.ack("partial-subnets") {
        v.err(
            Code::E044,
            c.at(),
            format!("{}.targets", c.field()),
            "the fault reaches only some of the app subnets, and the load balancer routes around it",
            "target every app subnet (no `az`, selection_mode ALL), or add `acknowledge: [partial-subnets]` if losing one zone is the point",
        );
    }
}

/// E045: a network ACL does not sever a dependency reached through a managed service.
fn unsevered_path(v: &mut Validator, c: &Checked) {
    let path = match c.dependency {
        Some("aurora") if c.ctx.proxy() => {
            Some(("Aurora", "RDS Proxy, a managed service whose connections"))
        }
        Some(d) if c.ctx.lab.network.interface_endpoints.iter().any(|i| i == d) => Some((
            if d == "s3" { "S3" } else { "DynamoDB" },
            "an interface endpoint (PrivateLink), whose private addresses",
        )),
        _ => None,
    };
    if let Some((dep, via)) = path {
        v.err(
            Code::E045,
            c.at(),
            format!("{}.dependency", c.field()),
            format!("the app reaches {dep} through {via} a subnet network ACL does not sever"),
            "the fault has to match how the dependency is reached: drop the proxy or interface endpoint for this lab, or fault the dependency another way (aws:network:disrupt-vpc-endpoint for interface endpoints, once chaoslab supports it)",
        );
    }
}

/// W006: `dependency: aurora` on a network cut that leaves Aurora reachable.
fn aurora_not_cut(v: &mut Validator, c: &Checked) {
    if c.dependency == Some("aurora")
        && !c.ctx.proxy()
        && let Some(why) = catalog::aurora_cut_problem(c.step, c.ctx.lab.network.azs)
    {
        v.warnings.push(
            Diagnostic::warning(
                Code::W006,
                c.dependency_at.map_or(c.at(), pos),
                format!("{}.dependency", c.field()),
                format!("`dependency: aurora` says this fault cuts the app off Aurora, but {why}"),
            )
            .help("for an Aurora outage reboot the writer (`aws:rds:reboot-db-instances` on `db-instances: aurora-writer`) or fail the cluster over (`aws:rds:failover-db-cluster`, with `readers: 1`), as chaos-shop-degradation does; to lose the writer's zone, cut zone 1 (`scope: all`, `az: 1`, `acknowledge: [partial-subnets, scope-all]`); then remove `dependency: aurora`"),
        );
    }
}

/// W001: scope `all` cuts the catalog on Aurora too.
fn scope_all(v: &mut Validator, c: &Checked) {
    if c.step.value(&network::SCOPE) == Some("all")
        && c.ctx.lab.app.is_some()
        && !c.ack("scope-all")
    {
        v.warnings.push(
            Diagnostic::warning(
                Code::W001,
                c.at(),
                format!("{}.parameters.scope", c.field()),
                "scope `all` cuts every dependency of the app subnets, the catalog on Aurora included",
            )
            .help("to cut one dependency use scope `dynamodb` or `s3`; if a full network cut is the point, add `acknowledge: [scope-all]`"),
        );
    }
}

/// E046: a failover needs a reader to promote.
fn failover_without_reader(v: &mut Validator, c: &Checked) {
    if c.ctx.lab.aurora.is_some() && c.ctx.readers() == 0 && c.step.moves_writer() {
        v.err(
            Code::E046,
            pos(c.raw.action),
            format!("{}.action", c.field()),
            format!(
                "{} fails the writer over to a reader, and the cluster has none",
                c.step.action.id
            ),
            if c.step.action.is(&rds::FAILOVER_DB_CLUSTER) {
                "add `readers: 1` under `aurora:` (a reader in another zone to promote)"
            } else {
                "add `readers: 1` under `aurora:`, or drop `forceFailover` for a plain reboot"
            },
        );
    }
}

/// W003: after the lab's failover the writer may sit in the zone this step cuts.
fn writer_zone(v: &mut Validator, c: &Checked) {
    if let Some(zone) = c.step.cut_zone()
        && c.ctx.lab.failover.is_some()
        && reader_zone(c.ctx.readers(), c.ctx.lab.network.azs, zone)
        && !c.ack("writer-zone")
    {
        v.warnings.push(
            Diagnostic::warning(
                Code::W003,
                c.raw.az.map_or(c.at(), pos),
                format!("{}.az", c.field()),
                format!("after this lab's failover the Aurora writer may sit in zone {}, and cutting that zone cuts the catalog off too", zone + 1),
            )
            .help("the lab README says how to check where the writer is and fail back before this run; add `acknowledge: [writer-zone]` once you follow it"),
        );
    }
}

/// W004: the auto-scaling group replaces what the step stops or cuts off.
fn asg_replacement(v: &mut Validator, c: &Checked) {
    if c.ctx.lab.app.is_some()
        && (c.step.stops_app_fleet() || c.step.cuts_app_subnets())
        && !c.ack("asg-replacement")
    {
        v.warnings.push(
            Diagnostic::warning(
                Code::W004,
                c.at(),
                format!("{}.targets", c.field()),
                "the auto-scaling group replaces the instances this experiment stops or cuts off, and a replacement launched into a cut-off subnet cannot install the app (dnf and PyPI)",
            )
            .help("the lab README shows how to suspend the group's ReplaceUnhealthy process for the run; add `acknowledge: [asg-replacement]` once you follow it"),
        );
    }
}

/// E080: a fault must outlast the time its service documents it may take to apply it
/// (`data/fis-facts.json`, lag facts given as an upper bound): one that does not may never be
/// in effect at all, so the run would show nothing. Refused, with the arithmetic and the
/// source; a typical time (an Aurora failover) is the README's to state, not a rule.
fn applied_in_time(v: &mut Validator, c: &Checked) {
    let e = c.step;
    let Some(lag) = catalog::facts::lag(e.action.id).filter(|l| l.upper_bound) else {
        return;
    };
    let Some((param, min_secs, max_secs)) = e.action.params.iter().find_map(|p| match p.kind {
        ParamKind::Duration { min_secs, max_secs } => Some((p, min_secs, max_secs)),
        _ => None,
    }) else {
        return;
    };
    // A duration FIS refuses is E041's.
    let Some(lasts) = e
        .duration_secs()
        .filter(|s| (min_secs..=max_secs).contains(s))
    else {
        return;
    };
    if lasts > lag.seconds {
        return;
    }
    let given = c.raw.parameters.iter().find(|(k, _)| k.value == param.name);
    let left = if lasts == lag.seconds { "=" } else { "<" };
    v.err(
        Code::E080,
        given.map_or(c.raw.at, |(_, v)| pos(v)),
        format!("{}.parameters.{}", c.field(), param.name),
        format!(
            "{} `{}` is {} ({lasts} s), and {} ({}): {lasts} s − {} s {left} 0 s, no time in which the fault is sure to be in effect",
            e.action.id,
            param.name,
            duration::show(lasts),
            lag.says,
            lag.source,
            lag.seconds,
        ),
        format!(
            "make `{}` longer than {}: {} keeps the fault in effect for at least {} ({})",
            param.name,
            duration::show(lag.seconds),
            duration::show(lag.seconds + lasts),
            duration::show(lasts),
            lag.url
        ),
    );
}

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
use super::{Context, Step, StepProblem, Tier, Validator, reader_zone};
use crate::base::errors::Pos;
use crate::catalog::{self, Action, ParamKind, functions, instances, network, rds, zonal};
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
    (&instances::STOP_INSTANCES, stop_spot),
    (&functions::INVOCATION_ADD_DELAY, delay_past_timeout),
    (&network::DISRUPT_CONNECTIVITY, partial_subnets),
    (&network::DISRUPT_CONNECTIVITY, unsevered_path),
    (&network::DISRUPT_CONNECTIVITY, aurora_not_cut),
    (&network::DISRUPT_CONNECTIVITY, scope_all),
    (&zonal::START_ZONAL_AUTOSHIFT, autoshift_status),
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
    let problem = if scope == Some("prefix-list") {
        StepProblem::PrefixListMissing
    } else {
        StepProblem::PrefixListUnused
    };
    v.flag(c.raw.at, format!("{}.parameters", c.field()), problem);
}

/// E041: the lab's load balancer takes part in zonal shift but has no zonal autoshift, so
/// `zonalAutoshiftStatus: ENABLED` selects nothing and the experiment fails on its empty
/// target.
fn autoshift_status(v: &mut Validator, c: &Checked) {
    if c.step.value(&zonal::STATUS) == Some("ENABLED") {
        let field = format!("{}.parameters.{}", c.field(), zonal::STATUS.name);
        v.flag(c.raw.at, field, StepProblem::AutoshiftEnabled);
    }
}

/// E085: EC2 stops only Spot Instances of persistent requests, and an auto-scaling group's
/// are one-time ("You can't stop the Spot Instance ... associated with a one-time Spot
/// Instance request", EC2's UnsupportedOperation; "Behavior of Spot Instance interruptions",
/// EC2 User Guide: stopping needs a persistent request).
fn stop_spot(v: &mut Validator, c: &Checked) {
    if c.ctx.lab.app.as_ref().is_some_and(|a| a.spot()) {
        v.flag(
            c.at(),
            format!("{}.targets", c.field()),
            StepProblem::StopSpot,
        );
    }
}

/// E044: the fleet's auto-scaling group replaces stopped instances (ELB health checks); FIS
/// then cannot restart them and fails the action unless told that is fine.
fn restart_replaced(v: &mut Validator, c: &Checked) {
    if c.step.stops_app_fleet() && c.step.value(&instances::COMPLETE_IF_TERMINATED) != Some("true")
    {
        let field = format!("{}.parameters", c.field());
        v.flag(c.raw.at, field, StepProblem::RestartReplaced);
    }
}

/// E053: a startup delay at least as long as the function's timeout times every faulted
/// invocation out.
fn delay_past_timeout(v: &mut Validator, c: &Checked) {
    let param = &functions::STARTUP_DELAY;
    if let Some(name) = c.step.selection().and_then(functions::function)
        && !c.ack("function-timeout")
        && let Some(f) = c.ctx.lab.functions.iter().find(|f| f.name == name)
        && let Some(problem) = catalog::delay_problem(c.step.value(param), f)
    {
        let given = c.raw.parameters.iter().find(|(k, _)| k.value == param.name);
        v.flag(
            // Without the parameter, at the function whose timeout the default misses.
            given.map_or(c.at(), |(_, v)| pos(v)),
            format!("{}.parameters.{}", c.field(), param.name),
            problem,
        );
    }
}

/// E044: a fault on some of the app subnets only, which the load balancer routes around.
fn partial_subnets(v: &mut Validator, c: &Checked) {
    let partial = c.step.selection().and_then(network::tier) == Some(Tier::Private)
        && (c.step.zone().is_some() || c.step.selection_mode != "ALL");
    if partial && !c.ack("partial-subnets") {
        v.flag(
            c.at(),
            format!("{}.targets", c.field()),
            StepProblem::PartialSubnets,
        );
    }
}

/// E045: a network ACL does not sever a dependency reached through a managed service.
fn unsevered_path(v: &mut Validator, c: &Checked) {
    let problem = match c.dependency {
        Some("aurora") if c.ctx.proxy() => Some(StepProblem::ThroughProxy),
        Some(d) if c.ctx.lab.network.interface_endpoints.iter().any(|i| i == d) => {
            Some(StepProblem::ThroughEndpoint {
                service: d.to_owned(),
            })
        }
        _ => None,
    };
    if let Some(problem) = problem {
        v.flag(c.at(), format!("{}.dependency", c.field()), problem);
    }
}

/// W006: `dependency: aurora` on a network cut that leaves Aurora reachable.
fn aurora_not_cut(v: &mut Validator, c: &Checked) {
    if c.dependency == Some("aurora")
        && !c.ctx.proxy()
        && let Some(why) = catalog::aurora_cut_problem(c.step, c.ctx.lab.network.azs)
    {
        v.flag(
            c.dependency_at.map_or(c.at(), pos),
            format!("{}.dependency", c.field()),
            StepProblem::AuroraNotCut { why },
        );
    }
}

/// W001: scope `all` cuts the catalog on Aurora too.
fn scope_all(v: &mut Validator, c: &Checked) {
    if c.step.value(&network::SCOPE) == Some("all")
        && c.ctx.lab.app.is_some()
        && !c.ack("scope-all")
    {
        let field = format!("{}.parameters.scope", c.field());
        v.flag(c.at(), field, StepProblem::ScopeAll);
    }
}

/// E046: a failover needs a reader to promote.
fn failover_without_reader(v: &mut Validator, c: &Checked) {
    if c.ctx.lab.aurora.is_some() && c.ctx.readers() == 0 && c.step.moves_writer() {
        let problem = StepProblem::NoReader {
            action: c.step.action.id.to_owned(),
            failover: c.step.action.is(&rds::FAILOVER_DB_CLUSTER),
        };
        v.flag(pos(c.raw.action), format!("{}.action", c.field()), problem);
    }
}

/// W003: after the lab's failover the writer may sit in the zone this step cuts.
fn writer_zone(v: &mut Validator, c: &Checked) {
    if let Some(zone) = c.step.cut_zone()
        && c.ctx.lab.failover.is_some()
        && reader_zone(c.ctx.readers(), c.ctx.lab.network.azs, zone)
        && !c.ack("writer-zone")
    {
        let at = c.raw.az.map_or(c.at(), pos);
        v.flag(
            at,
            format!("{}.az", c.field()),
            StepProblem::WriterZone { zone },
        );
    }
}

/// W004: the auto-scaling group replaces what the step stops or cuts off.
fn asg_replacement(v: &mut Validator, c: &Checked) {
    if c.ctx.lab.app.is_some()
        && (c.step.stops_app_fleet() || c.step.cuts_app_subnets())
        && !c.ack("asg-replacement")
    {
        v.flag(
            c.at(),
            format!("{}.targets", c.field()),
            StepProblem::AsgReplacement,
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
    let problem = StepProblem::AppliedLate {
        action: e.action.id.to_owned(),
        param: param.name.to_owned(),
        lasts,
        says: lag.says,
        source: lag.source,
        seconds: lag.seconds,
        url: lag.url,
    };
    v.flag(
        given.map_or(c.raw.at, |(_, v)| pos(v)),
        format!("{}.parameters.{}", c.field(), param.name),
        problem,
    );
}

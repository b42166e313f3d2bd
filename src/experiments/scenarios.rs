//! Scenarios: one spec entry (`scenario: NAME`, with `az` and an optional `duration`) that
//! expands into the multi-action template a published FIS scenario describes, for this lab's
//! resources. The expansion is plain steps, checked afterwards exactly as if the spec had
//! written them under `actions:`, so a scenario can never emit what a spec could not.
//!
//! A scenario is one [`Scenario`] entry in [`SCENARIOS`]: its plan is a function of the zone,
//! the interruption's length and the lab's resources, returning [`Planned`] steps.

use crate::base::duration;
use crate::catalog::{self, Action, groups, instances, network, rds, volumes, wait, zonal};
use crate::resources::Resources;
use crate::spec::{NamedMap, RawExperiment, RawStep, Spanned};

/// A published FIS scenario chaoslab can expand.
pub struct Scenario {
    pub name: &'static str,
    /// What it simulates and where it comes from, for the lab README (Markdown).
    pub summary: &'static str,
    /// The scenario's page.
    pub url: &'static str,
    /// The length of the interruption when `parameters: {duration}` does not say, and the
    /// range it may take (seconds).
    pub default_duration: &'static str,
    pub duration_secs: (u64, u64),
    /// The lab rules the scenario breaks by design (a zone's subnet cut off entirely, the
    /// group's replacements): acknowledged for it.
    pub acknowledges: &'static [&'static str],
    /// What it leaves out, and why, for the README (Markdown).
    pub omits: &'static str,
    pub plan: fn(&Input, &Resources) -> Vec<Planned>,
}

/// What a scenario is expanded for: the zone (1-based, checked) and the interruption's
/// length (checked), as ISO 8601 and in seconds.
pub struct Input {
    pub az: u32,
    pub duration: String,
    pub secs: u64,
}

/// One step of an expanded scenario, in the spec's words.
pub struct Planned {
    pub name: &'static str,
    pub action: &'static Action,
    pub parameters: Vec<(&'static str, String)>,
    /// (target kind's spec key, value).
    pub target: Option<(&'static str, &'static str)>,
    /// Narrowed to the scenario's zone.
    pub in_zone: bool,
    pub start_after: Vec<&'static str>,
}

impl Planned {
    fn new(name: &'static str, action: &'static Action) -> Planned {
        Planned {
            name,
            action,
            parameters: Vec::new(),
            target: None,
            in_zone: false,
            start_after: Vec::new(),
        }
    }

    fn set(mut self, key: &'static str, value: impl Into<String>) -> Planned {
        self.parameters.push((key, value.into()));
        self
    }

    fn target(mut self, kind: &catalog::Kind, value: &'static str, in_zone: bool) -> Planned {
        self.target = Some((kind.spec_key, value));
        self.in_zone = in_zone;
        self
    }

    fn after(mut self, names: &[&'static str]) -> Planned {
        self.start_after.extend_from_slice(names);
        self
    }
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scenario({})", self.name)
    }
}

pub const SCENARIOS: &[Scenario] = &[AZ_POWER_INTERRUPTION];

pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// The names of the scenarios, for messages.
pub fn names() -> Vec<&'static str> {
    SCENARIOS.iter().map(|s| s.name).collect()
}

/// How long the ARC zonal shift waits after the interruption starts ("Testing zonal autoshift
/// with AWS FIS", ARC Developer Guide: the shift starts 5 minutes in).
const AUTOSHIFT_AFTER_SECS: u64 = 5 * 60;

/// FIS scenario library, "AZ Availability: Power Interruption": for `duration` (30 minutes by
/// default) the zone's instances are stopped and the auto-scaling group cannot launch there,
/// its subnets lose their network for two minutes, Aurora fails over, and ARC shifts the load
/// balancer's traffic away five minutes in; when the instances come back, their volumes stay
/// paused for as long again, the recovery's symptoms. Actions, parameters and order from the
/// scenario as AWS's workshop template ships it (the page's own template could not be read;
/// see `fis-scenario-az-power` in data/fis-facts.json's sources).
pub const AZ_POWER_INTERRUPTION: Scenario = Scenario {
    name: "az-power-interruption",
    summary: "FIS's **AZ Availability: Power Interruption** scenario (the FIS scenario library), expanded for this lab: the zone's app instances stop and the auto-scaling group cannot launch there for the interruption, the zone's app subnet loses its network for two minutes, Aurora fails over to its reader, and five minutes in ARC shifts the load balancer's traffic away from the zone for the rest of it; when the instances start again their root volumes stay paused for as long again, the recovery's symptoms.",
    url: "https://docs.aws.amazon.com/fis/latest/userguide/az-availability-scenario.html",
    default_duration: "PT30M",
    duration_secs: (10 * 60, 12 * 60 * 60),
    acknowledges: &["partial-subnets", "scope-all", "asg-replacement"],
    omits: "The scenario's ElastiCache power interruption (the lab has no cache) and its instance-launch errors for other roles (`aws:ec2:api-insufficient-instance-capacity-error`: no role of the lab launches instances); on a Spot fleet, the instance stop too (EC2 does not stop an auto-scaling group's Spot Instances), so the volumes pause from the start.",
    plan: az_power,
};

fn az_power(input: &Input, lab: &Resources) -> Vec<Planned> {
    let d = input.duration.clone();
    let mut out = Vec::new();
    let on_ec2 = lab.app.as_ref().is_some_and(|a| a.fargate().is_none());
    // EC2 does not stop an auto-scaling group's Spot Instances (E085).
    let stops = on_ec2 && !lab.app.as_ref().is_some_and(|a| a.spot());
    if stops {
        out.push(
            Planned::new("stop-instances", &instances::STOP_INSTANCES)
                .set(instances::RESTART_AFTER.name, &d)
                .set(instances::COMPLETE_IF_TERMINATED.name, "true")
                .target(&instances::INSTANCES, "app", true),
        );
    }
    if on_ec2 {
        out.push(
            Planned::new("pause-asg-scaling", &groups::ASG_INSUFFICIENT_CAPACITY)
                .set(groups::ZONES.name, input.az.to_string())
                .set(groups::CAPACITY_DURATION.name, &d)
                .set(groups::PERCENTAGE.name, "100")
                .target(&groups::GROUPS, "app", false),
        );
    }
    out.push(
        Planned::new("pause-network-connectivity", &network::DISRUPT_CONNECTIVITY)
            .set("duration", "PT2M")
            .set(network::SCOPE.name, "all")
            .target(&network::SUBNETS, "private", true),
    );
    if lab.aurora.as_ref().is_some_and(|a| a.readers > 0) {
        out.push(
            Planned::new("failover-rds", &rds::FAILOVER_DB_CLUSTER).target(
                &rds::CLUSTERS,
                "aurora",
                false,
            ),
        );
    }
    if on_ec2 {
        let pause = Planned::new("pause-ebs-io", &volumes::PAUSE_VOLUME_IO)
            .set("duration", &d)
            .target(&volumes::VOLUMES, "app", true);
        out.push(if stops {
            pause.after(&["stop-instances"])
        } else {
            pause
        });
    }
    if lab.app.is_some() {
        out.push(
            Planned::new("wait-before-autoshift", &wait::WAIT)
                .set("duration", duration::show(AUTOSHIFT_AFTER_SECS)),
        );
        out.push(
            Planned::new("start-zonal-autoshift", &zonal::START_ZONAL_AUTOSHIFT)
                .set(
                    "duration",
                    duration::show(input.secs.saturating_sub(AUTOSHIFT_AFTER_SECS)),
                )
                .set(zonal::ZONE.name, input.az.to_string())
                .set(zonal::STATUS.name, "ANY")
                .target(&zonal::MANAGED_RESOURCES, "load-balancer", false)
                .after(&["wait-before-autoshift"]),
        );
    }
    out
}

/// The expanded steps, in the spec's types, every value located at `at` (the `scenario:`
/// key): a finding in them points there.
pub fn steps(
    planned: Vec<Planned>,
    az: &Spanned<u32>,
    at: &Spanned<String>,
) -> Spanned<Vec<Spanned<RawStep>>> {
    let s = |v: &str| Spanned::new(v.to_owned(), at.referenced, at.defined);
    let steps = planned
        .into_iter()
        .map(|p| {
            let parameters = NamedMap(p.parameters.iter().map(|(k, v)| (s(k), s(v))).collect());
            let targets = p.target.map(|(k, v)| {
                Spanned::new(NamedMap(vec![(s(k), s(v))]), at.referenced, at.defined)
            });
            let step = RawStep {
                name: s(p.name),
                action: s(p.action.id),
                parameters,
                targets,
                selection_mode: None,
                az: p.in_zone.then(|| az.clone()),
                start_after: p.start_after.iter().map(|n| s(n)).collect(),
            };
            Spanned::new(step, at.referenced, at.defined)
        })
        .collect();
    Spanned::new(steps, at.referenced, at.defined)
}

/// The experiment as the spec would write it by hand: `actions:` from the plan, the
/// scenario's own keys gone, its acknowledgements added.
pub fn expanded(
    raw: &Spanned<RawExperiment>,
    scenario: &Scenario,
    actions: Spanned<Vec<Spanned<RawStep>>>,
) -> Spanned<RawExperiment> {
    let mut e = raw.value.clone();
    let at = e.scenario.clone();
    e.scenario = None;
    e.parameters = NamedMap::default();
    e.az = None;
    e.actions = Some(actions);
    if let Some(at) = at {
        for rule in scenario.acknowledges {
            if !e.acknowledge.iter().any(|a| a.value == *rule) {
                e.acknowledge
                    .push(Spanned::new((*rule).to_owned(), at.referenced, at.defined));
            }
        }
    }
    Spanned::new(e, raw.referenced, raw.defined)
}

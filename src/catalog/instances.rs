//! Target kind `instances`: the app fleet's running instances, optionally in one zone.

use super::action::{
    DESCRIBE_INSTANCES, DURATION, FOLLOW_COMMANDS, LAB_RESOURCES, PROVIDER_BASE, Param, ParamKind,
    Statement, optional, required,
};
use super::kinds::{
    Kind, Problem, TargetSelection, duration, resolve_on_ec2, zone_suffix, zone_text,
};
use super::rehearsal::{NOT_THE_FLEET, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::address::{ASG, AZS};
use crate::base::hcl::{Block, Expr, Item};
use crate::base::text::code_span;
use crate::resources::Resources;

pub static INSTANCES: Kind = Kind {
    spec_key: "instances",
    fis_key: "Instances",
    resource_type: "aws:ec2:instance",
    values: "`app`: the app fleet's running instances, by their auto-scaling group tag (needs `app:`); `az: N` narrows it to the lab's N-th zone",
    example: "app",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    resolve_on_ec2(&INSTANCES, value, res, "app instances", || {
        Ok(TargetSelection {
            kind: &INSTANCES,
            value: value.to_owned(),
            zone: az,
            name: format!("app-instances{}", zone_suffix(az)),
            description: format!("the running app instances{}", zone_text(az)),
            pick: fis_target(az),
        })
    })
}

/// The fleet by its auto-scaling group tag (instances come and go), running ones only; never
/// ARNs as well, which FIS forbids.
pub(super) fn fis_target(az: Option<usize>) -> Vec<Item> {
    let filter = |path: &str, values: Expr| {
        Item::Block(
            Block::new("filter", &[])
                .attr("path", Expr::str(path))
                .attr("values", values),
        )
    };
    let mut pick = vec![
        Item::Block(
            Block::new("resource_tag", &[])
                .attr("key", Expr::str("aws:autoscaling:groupName"))
                .attr("value", ASG.attr("name")),
        ),
        filter("State.Name", Expr::List(vec![Expr::str("running")])),
    ];
    if let Some(i) = az {
        pick.push(filter(
            "Placement.AvailabilityZone",
            Expr::List(vec![AZS.index(i, None)]),
        ));
    }
    pick
}

pub fn expect_stop(lab: &LabView, e: &Step) -> String {
    let zone_text = zone_text(e.zone());
    match lab.app {
        Some(_) if e.value(&RESTART_AFTER).is_some() => format!(
            "the app instances{zone_text} stop. The load balancer marks them unhealthy and routes every request to the remaining instances, so `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip. With the group's ReplaceUnhealthy process suspended (below), FIS starts the instances again at the end; otherwise the auto-scaling group replaces them."
        ),
        Some(_) => format!(
            "the app instances{zone_text} stop, and FIS leaves them stopped. The load balancer marks them unhealthy within about 20 s and routes every request to the remaining instances, so `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip. The auto-scaling group then heals the fleet: it terminates the stopped instances and launches replacements, which install the app at boot and join the load balancer a few minutes later (`aws autoscaling describe-scaling-activities`)."
        ),
        None => format!("the targeted instances{zone_text} stop."),
    }
}

pub fn expect_terminate(_: &LabView, e: &Step) -> String {
    format!(
        "the app instances{} are terminated. The load balancer routes around them and the auto-scaling group launches replacements, which install the app again at boot (a few minutes); `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip.",
        zone_text(e.zone())
    )
}

pub fn expect_reboot(_: &LabView, e: &Step) -> String {
    format!(
        "the app instances{} reboot. The load balancer routes around them until they pass the /health check again, so every endpoint keeps answering 200 apart from a brief blip.",
        zone_text(e.zone())
    )
}

pub fn expect_send_command(_: &LabView, e: &Step) -> String {
    let document = e.value(&DOCUMENT).unwrap_or("AWSFIS-Run-*");
    let what = super::ssm::document(document).map_or("the fault the document injects", |d| d.what);
    format!(
        "the SSM document {} injects {what} on the targeted app instances{} for {}. Watch the probe: every endpoint should keep answering, perhaps slower.",
        code_span(document),
        zone_text(e.zone()),
        duration(e),
    )
}

/// Stopping, rebooting or stressing instances can fail any endpoint they serve.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

pub const RESTART_AFTER: Param = optional(
    "startInstancesAfterDuration",
    DURATION,
    "the instances stay stopped",
    "How long the instances stay stopped before FIS starts them again.",
);

pub const COMPLETE_IF_TERMINATED: Param = optional(
    "completeIfInstancesTerminated",
    ParamKind::Bool,
    "\"false\"",
    "`\"true\"`: the action completes, rather than fails, when an instance is terminated (by the auto-scaling group, say) before FIS starts it again.",
);

pub const STOP_INSTANCES: Action = Action {
    id: "aws:ec2:stop-instances",
    summary: "Stops the targeted EC2 instances, and starts them again after `startInstancesAfterDuration`.",
    target: Some(&INSTANCES),
    params: &[RESTART_AFTER, COMPLETE_IF_TERMINATED],
    iam: &[
        Statement {
            sid: "StopAndStartInstances",
            actions: &["ec2:StartInstances", "ec2:StopInstances"],
            resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
            conditions: LAB_RESOURCES,
        },
        DESCRIBE_INSTANCES,
        // Restarting instances with encrypted volumes (AWSFaultInjectionSimulatorEC2Access).
        Statement {
            sid: "RestartEncryptedVolumes",
            actions: &["kms:CreateGrant"],
            resources: &["arn:{partition}:kms:{region}:{account}:key/*"],
            conditions: &[
                ("StringLike", "kms:ViaService", "ec2.*.amazonaws.com"),
                ("Bool", "kms:GrantIsForAWSResource", "true"),
            ],
        },
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_stop,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};

pub const TERMINATE_INSTANCES: Action = Action {
    id: "aws:ec2:terminate-instances",
    summary: "Terminates the targeted EC2 instances; the auto-scaling group launches replacements.",
    target: Some(&INSTANCES),
    params: &[],
    iam: &[
        Statement {
            sid: "TerminateInstances",
            actions: &["ec2:TerminateInstances"],
            resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
            conditions: LAB_RESOURCES,
        },
        DESCRIBE_INSTANCES,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_terminate,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};

pub const REBOOT_INSTANCES: Action = Action {
    id: "aws:ec2:reboot-instances",
    summary: "Reboots the targeted EC2 instances.",
    target: Some(&INSTANCES),
    params: &[],
    iam: &[
        Statement {
            sid: "RebootInstances",
            actions: &["ec2:RebootInstances"],
            resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
            conditions: LAB_RESOURCES,
        },
        DESCRIBE_INSTANCES,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_reboot,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};

pub const DOCUMENT: Param = required(
    "documentArn",
    ParamKind::SsmDocument,
    "AWSFIS-Run-CPU-Stress",
    "The FIS document to run, e.g. `AWSFIS-Run-CPU-Stress`; chaoslab builds its ARN in the lab's Region.",
);

pub const DOCUMENT_PARAMETERS: Param = optional(
    "documentParameters",
    ParamKind::DocumentParameters,
    "the document's defaults",
    "The document's parameters, as a JSON object of strings in a string, e.g. `'{\"DurationSeconds\": \"120\"}'`; checked against the document's own keys and ranges, and `DurationSeconds` must fit in `duration`.",
);

pub const SEND_COMMAND: Action = Action {
    id: "aws:ssm:send-command",
    summary: "Runs an `AWSFIS-Run-*` SSM document (CPU, memory, disk or network stress, …) on the targeted instances.",
    target: Some(&INSTANCES),
    params: &[
        DOCUMENT,
        optional(
            "documentVersion",
            ParamKind::Int {
                min: 1,
                max: 1_000_000,
            },
            "the document's default version",
            "The document version to run.",
        ),
        DOCUMENT_PARAMETERS,
        required(
            "duration",
            DURATION,
            "PT3M",
            "How long the action runs; the document's own duration should fit in it.",
        ),
    ],
    iam: &[
        // Two statements: the FIS documents are AWS's and carry no tag of the lab.
        Statement {
            sid: "SendFisSsmDocuments",
            actions: &["ssm:SendCommand"],
            resources: &["arn:{partition}:ssm:{region}::document/AWSFIS-Run-*"],
            conditions: &[],
        },
        Statement {
            sid: "RunOnLabInstances",
            actions: &["ssm:SendCommand"],
            resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
            conditions: LAB_RESOURCES,
        },
        FOLLOW_COMMANDS,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_send_command,
    reach,
    rehearsal: Rehearsal::Not(NOT_ON_THE_INSTANCE),
};

/// Why the SSM documents are not rehearsed.
const NOT_ON_THE_INSTANCE: &str = "the `AWSFIS-Run-*` documents act on the whole instance (its CPU, memory or disk, or every packet on its interface, the load balancer's included), which the rehearsal's one app shares with the stand-ins and the probe";

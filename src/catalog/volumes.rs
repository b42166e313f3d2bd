//! Target kind `volumes`: the EBS root volumes of the app instances in one zone, whose I/O
//! FIS pauses or slows.
//!
//! Source: the FIS actions reference, `aws:ebs:pause-volume-io` and `aws:ebs:volume-io-latency`
//! (target `aws:ec2:ebs-volume`, key `Volumes`): the volumes must sit in one Availability Zone
//! and be attached to Nitro-based instances. EC2 Auto Scaling propagates the group's tags to
//! the instances only, never to their volumes ("Tag Auto Scaling groups and instances", EC2
//! Auto Scaling User Guide), so the launch template tags the volumes itself
//! (`resources::app`), and FIS picks them by that tag.

use super::action::{Param, ParamKind, Statement, TAG_RESOLUTION, optional, required};
use super::kinds::{Kind, Problem, TargetSelection, duration, resolve_on_ec2};
use super::rehearsal::Rehearsal;
use super::{Action, LabView, Reach, Step};
use crate::base::address::AZS;
use crate::base::hcl::{Block, Expr, Item};
use crate::resources::Resources;
use crate::resources::app::VOLUME_NAME;
use crate::resources::tree::prefixed;

pub static VOLUMES: Kind = Kind {
    spec_key: "volumes",
    fis_key: "Volumes",
    resource_type: "aws:ec2:ebs-volume",
    values: "`app`: the root volumes of the app instances in one zone, which `az: N` names (needs `app:` on EC2); FIS acts on volumes of one zone only",
    example: "app",
    needs_zone: true,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    resolve_on_ec2(&VOLUMES, value, res, "app volumes", || {
        // "All target volumes must be in the same Availability Zone."
        let Some(zone) = az else {
            return Err(Problem::ZoneNeeded {
                spec_key: VOLUMES.spec_key.to_owned(),
                azs: res.network.azs,
            });
        };
        Ok(TargetSelection {
            kind: &VOLUMES,
            value: value.to_owned(),
            zone: Some(zone),
            name: format!("app-volumes-az{}", zone + 1),
            description: format!("the app instances' root volumes in zone {}", zone + 1),
            pick: fis_target(zone),
        })
    })
}

/// The app's root volumes by the tag the launch template gives them, in one zone (the
/// DescribeVolumes field FIS filters on).
fn fis_target(zone: usize) -> Vec<Item> {
    vec![
        Item::Block(
            Block::new("resource_tag", &[])
                .attr("key", Expr::str("Name"))
                .attr("value", prefixed(VOLUME_NAME)),
        ),
        Item::Block(
            Block::new("filter", &[])
                .attr("path", Expr::str("AvailabilityZone"))
                .attr("values", Expr::List(vec![AZS.index(zone, None)])),
        ),
    ]
}

fn zone(e: &Step) -> String {
    e.zone()
        .map_or("one zone".to_owned(), |z| format!("zone {}", z + 1))
}

pub fn expect_pause(_: &LabView, e: &Step) -> String {
    format!(
        "for {}, the root volumes of the app instances in {} answer no read or write. What is already in memory keeps being served, but whatever needs the disk (a log write, a page not yet cached) hangs there, so those instances may fail the load balancer's /health check and be routed around; the instances in the other zones keep every endpoint answering. The volumes show `impaired` and a `VolumeQueueLength` above zero within two minutes.",
        duration(e),
        zone(e),
    )
}

pub fn expect_latency(_: &LabView, e: &Step) -> String {
    let side = |share: &Param, millis: &Param| {
        format!(
            "{}% of {} take {} ms longer",
            e.value(share).unwrap_or("100"),
            if share.name.starts_with("read") {
                "reads"
            } else {
                "writes"
            },
            e.value(millis).unwrap_or("100"),
        )
    };
    format!(
        "for {}, on the root volumes of the app instances in {}, {} and {}. The shop serves from memory and its dependencies, so every endpoint should keep answering 200, perhaps slower where a request touches the disk.",
        duration(e),
        zone(e),
        side(&READ_SHARE, &READ_MILLIS),
        side(&WRITE_SHARE, &WRITE_MILLIS),
    )
}

/// A stalled disk can hang anything its instance serves.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

/// The EBS faults' durations start at one second, not FIS's usual minute.
const EBS_DURATION: ParamKind = ParamKind::Duration {
    min_secs: 1,
    max_secs: 12 * 60 * 60,
};

/// Why the EBS faults are not rehearsed.
const NOT_THE_DISK: &str = "the rehearsal's app shares this machine's disk with the stand-ins and the probe, and no instance in another zone takes over";

const fn share(name: &'static str, meaning: &'static str) -> Param {
    optional(
        name,
        ParamKind::Percent {
            min_tenths: 1,
            max_tenths: 1000,
        },
        "\"100\"",
        meaning,
    )
}

const fn latency(name: &'static str, meaning: &'static str) -> Param {
    optional(
        name,
        ParamKind::Int {
            min: 10,
            max: 60_000,
        },
        "\"100\"",
        meaning,
    )
}

pub const READ_SHARE: Param = share(
    "readIOPercentage",
    "The share of read operations delayed, in percent (0.1 to 100).",
);
pub const READ_MILLIS: Param = latency(
    "readIOLatencyMilliseconds",
    "The delay added to each affected read, in milliseconds (10 to 60000; io2 volumes take 1 and up, which chaoslab's gp3 volumes are not).",
);
pub const WRITE_SHARE: Param = share(
    "writeIOPercentage",
    "The share of write operations delayed, in percent (0.1 to 100).",
);
pub const WRITE_MILLIS: Param = latency(
    "writeIOLatencyMilliseconds",
    "The delay added to each affected write, in milliseconds (10 to 60000).",
);

const DESCRIBE_VOLUMES: Statement = Statement {
    sid: "DescribeVolumes",
    actions: &["ec2:DescribeVolumes"],
    resources: &["*"],
    conditions: &[],
};

pub const PAUSE_VOLUME_IO: Action = Action {
    id: "aws:ebs:pause-volume-io",
    summary: "Pauses all I/O on the targeted EBS volumes of one zone.",
    target: Some(&VOLUMES),
    params: &[required(
        "duration",
        EBS_DURATION,
        "PT3M",
        "How long the volumes answer no I/O (from one second).",
    )],
    iam: &[
        Statement {
            sid: "PauseVolumeIO",
            actions: &["ec2:PauseVolumeIO"],
            // The SAR lists the instance the volume is attached to as an optional resource.
            resources: &[
                "arn:{partition}:ec2:{region}:{account}:volume/*",
                "arn:{partition}:ec2:{region}:{account}:instance/*",
            ],
            conditions: super::action::LAB_RESOURCES,
        },
        DESCRIBE_VOLUMES,
        TAG_RESOLUTION,
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_pause,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_DISK),
};

pub const VOLUME_IO_LATENCY: Action = Action {
    id: "aws:ebs:volume-io-latency",
    summary: "Adds latency to a share of the reads and writes on the targeted EBS volumes of one zone.",
    target: Some(&VOLUMES),
    params: &[
        READ_SHARE,
        READ_MILLIS,
        WRITE_SHARE,
        WRITE_MILLIS,
        required(
            "duration",
            EBS_DURATION,
            "PT3M",
            "How long the latency lasts (from one second).",
        ),
    ],
    iam: &[
        Statement {
            sid: "InjectVolumeIOLatency",
            actions: &["ec2:InjectVolumeIOLatency"],
            resources: &["arn:{partition}:ec2:{region}:{account}:volume/*"],
            conditions: super::action::LAB_RESOURCES,
        },
        DESCRIBE_VOLUMES,
        TAG_RESOLUTION,
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_latency,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_DISK),
};

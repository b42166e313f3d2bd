//! Target kind `managed-resources`: the app's load balancer as a resource ARC's zonal shift
//! manages, whose traffic FIS shifts away from one zone as zonal autoshift would.
//!
//! Source: the FIS actions reference, `aws:arc:start-zonal-autoshift` (target
//! `aws:arc:zonal-shift-managed-resource`, key `ManagedResources`): FIS starts a zonal shift,
//! renews it every minute and cancels it at the end. An ALB takes part only with the
//! `zonal_shift.config.enabled` attribute (ARC Developer Guide, "Zonal shift for Application
//! Load Balancers"), which the lab's load balancer sets; it has no zonal autoshift of its own,
//! so `zonalAutoshiftStatus` must select load balancers whatever their autoshift status.

use super::action::{DURATION, Param, ParamKind, Statement, TAG_RESOLUTION, optional, required};
use super::kinds::{
    Kind, Problem, TargetSelection, TheOne, by_arns, duration, no_zone, resolve_the_one,
};
use super::rehearsal::{NOT_THE_FLEET, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::address::ALB;
use crate::base::hcl::Expr;
use crate::resources::Resources;

pub static MANAGED_RESOURCES: Kind = Kind {
    spec_key: "managed-resources",
    fis_key: "ManagedResources",
    resource_type: "aws:arc:zonal-shift-managed-resource",
    values: "`load-balancer`: the app's load balancer, with ARC zonal shift enabled (needs `app:`); the zone is the action's `availabilityZoneIdentifier`",
    example: "load-balancer",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    let one = TheOne {
        present: res.app.is_some(),
        what: "load balancer",
        section: "app",
        name: "load-balancer",
    };
    resolve_the_one(&MANAGED_RESOURCES, value, one, || {
        let selection = TargetSelection {
            kind: &MANAGED_RESOURCES,
            value: value.to_owned(),
            zone: None,
            name: "load-balancer".to_owned(),
            description: "the app's load balancer".to_owned(),
            pick: by_arns(Expr::List(vec![ALB.attr("arn")])),
        };
        no_zone(az, selection)
    })
}

pub fn expect_shift(lab: &LabView, e: &Step) -> String {
    let zone = e
        .value(&ZONE)
        .map_or("the named zone".to_owned(), |z| format!("zone {z}"));
    let others = if lab.network.azs == 2 {
        "the other zone"
    } else {
        "the other zones"
    };
    format!(
        "for {}, the load balancer stops sending requests to {zone}, as zonal autoshift would during a zone's impairment: the instances there sit idle and {others} take every request, so every endpoint keeps answering 200 (watch the per-zone request counts on the load balancer). At the end FIS cancels the shift and traffic returns.",
        duration(e),
    )
}

/// Shifting traffic away from a zone loads the others: any endpoint could suffer if they
/// cannot carry it.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

pub const ZONE: Param = required(
    "availabilityZoneIdentifier",
    ParamKind::Zone,
    "\"1\"",
    "The zone traffic is shifted away from, by the lab's zone number; chaoslab writes its name.",
);

/// FIS defaults it to `ENABLED`, which selects nothing in a lab: chaoslab asks for it.
pub const STATUS: Param = required(
    "zonalAutoshiftStatus",
    ParamKind::OneOf {
        values: &["ENABLED", "DISABLED", "ANY"],
        advice: None,
    },
    "ANY",
    "Which resources to shift, by their zonal autoshift status (FIS's default: `ENABLED`). The lab's load balancer has zonal shift but not autoshift, so chaoslab needs `ANY` or `DISABLED`, and asks for it.",
);

pub const START_ZONAL_AUTOSHIFT: Action = Action {
    id: "aws:arc:start-zonal-autoshift",
    summary: "Shifts the targeted load balancers' traffic away from one zone with ARC zonal shift, as zonal autoshift does for an impaired zone.",
    target: Some(&MANAGED_RESOURCES),
    params: &[
        required(
            "duration",
            DURATION,
            "PT5M",
            "How long traffic stays away from the zone.",
        ),
        ZONE,
        optional(
            "managedResourceTypes",
            ParamKind::AnyOf {
                values: &["ALB", "ASG", "EKS", "NLB"],
            },
            "every type",
            "Which kinds of managed resource to shift, comma-separated.",
        ),
        STATUS,
    ],
    iam: &[
        Statement {
            sid: "ShiftLabLoadBalancer",
            actions: &[
                "arc-zonal-shift:CancelZonalShift",
                "arc-zonal-shift:GetManagedResource",
                "arc-zonal-shift:StartZonalShift",
                "arc-zonal-shift:UpdateZonalShift",
            ],
            resources: &[
                "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name_prefix}-alb/*",
            ],
            conditions: &[],
        },
        Statement {
            sid: "ListManagedResources",
            actions: &[
                "arc-zonal-shift:ListManagedResources",
                "autoscaling:DescribeTags",
            ],
            resources: &["*"],
            conditions: &[],
        },
        TAG_RESOLUTION,
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_shift,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};

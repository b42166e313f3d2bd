//! Target kinds `tasks`: the app service's running Fargate tasks (`app.runtime: ecs`).
//!
//! Two kinds share the spec key, because the actions ask different things of the tasks:
//! `aws:ecs:stop-task` acts through the ECS API on any task ([`TASKS`]), while every
//! `aws:ecs:task-*` action runs an SSM document inside the task, which reaches only tasks
//! that carry the SSM agent sidecar ([`AGENT_TASKS`], `app.fault_injection`). Sources: the
//! FIS actions reference, "Amazon ECS actions", and "Use the AWS FIS aws:ecs:task actions".

use super::action::{
    DESCRIBE_FOR_SOURCES, DURATION, FOLLOW_COMMANDS, PROVIDER_BASE, Param, ParamKind, Statement,
    TAG_RESOLUTION, optional, required,
};
use super::kinds::{Kind, Problem, TargetSelection, app_tasks, duration, no_zone};
use super::rehearsal::{LocalFault, NOT_THE_FLEET, Rehearsal, number, one_source};
use super::{Action, LabView, Reach, Step};
use crate::base::address::{ECS_CLUSTER, ECS_SERVICE};
use crate::base::hcl::{Expr, Item};
use crate::base::text::code_span;
use crate::resources::Resources;

const VALUES: &str = "`app`: the app service's running tasks (needs `app.runtime: ecs`)";

pub static TASKS: Kind = Kind {
    spec_key: "tasks",
    fis_key: "Tasks",
    resource_type: "aws:ecs:task",
    values: VALUES,
    example: "app",
    needs_zone: false,
    resolve: |value, az, res| resolve(&TASKS, value, az, res),
};

pub static AGENT_TASKS: Kind = Kind {
    values: "`app`: the app service's running tasks (needs `app.runtime: ecs` with `fault_injection`, on by default)",
    resolve: |value, az, res| resolve(&AGENT_TASKS, value, az, res),
    ..TASKS
};

/// Whether a selection is the app's tasks, through either kind.
pub fn is_app_tasks(sel: &TargetSelection) -> bool {
    sel.is(&TASKS) || sel.is(&AGENT_TASKS)
}

fn resolve(
    kind: &'static Kind,
    value: &str,
    az: Option<usize>,
    res: &Resources,
) -> Result<TargetSelection, Problem> {
    let needs_agent = kind == &AGENT_TASKS;
    let Some(fault_injection) = app_tasks(res) else {
        return Err(if res.app.is_some() {
            Problem::TasksOnEc2
        } else {
            Problem::NoAppTasks
        });
    };
    if value != "app" {
        return Err(Problem::NotTheOne {
            spec_key: "tasks".to_owned(),
            value: value.to_owned(),
            allowed: "app".to_owned(),
        });
    }
    if needs_agent && !fault_injection {
        return Err(Problem::TasksWithoutSidecar);
    }
    let selection = TargetSelection {
        kind,
        value: value.to_owned(),
        zone: None,
        name: "app-tasks".to_owned(),
        description: "the app service's running tasks".to_owned(),
        pick: fis_target(),
    };
    no_zone(az, selection)
}

/// By the cluster and service target parameters FIS offers for `aws:ecs:task`: the tasks
/// come and go, so never their ARNs.
fn fis_target() -> Vec<Item> {
    vec![Item::Attr(
        "parameters",
        Expr::map([
            ("cluster", ECS_CLUSTER.attr("name")),
            ("service", ECS_SERVICE.attr("name")),
        ]),
    )]
}

/// Task faults fail or slow whatever the tasks serve.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

fn tasks_text(e: &Step) -> &'static str {
    match e.target.as_ref().map(|_| e.selection_mode.as_str()) {
        Some("ALL") | None => "every app task",
        Some(_) => "the selected app tasks",
    }
}

pub fn expect_stop(_: &LabView, e: &Step) -> String {
    format!(
        "ECS stops {}. The load balancer drains them and routes every request to the tasks still running; with every task gone the shop answers 503 from the load balancer until the service has started replacements, which install the app and pass the /health check a minute or two later. Watch `aws ecs describe-services` for the service's events.",
        tasks_text(e)
    )
}

pub fn expect_cpu_stress(_: &LabView, e: &Step) -> String {
    format!(
        "{} runs at the given CPU load for {}. The endpoints keep answering, slower; if the load balancer's health checks time out, it routes around the busiest tasks.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_io_stress(_: &LabView, e: &Step) -> String {
    format!(
        "{} does heavy disk I/O for {}. The app keeps nothing on disk once started, so every endpoint should keep answering.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_kill(_: &LabView, e: &Step) -> String {
    let process = e.parameter("processName").unwrap_or("the process");
    format!(
        "FIS kills {} in {}. Killing the app's Gunicorn master stops the essential container, so ECS replaces the task and the load balancer routes around it meanwhile.",
        code_span(process),
        tasks_text(e)
    )
}

pub fn expect_blackhole(_: &LabView, e: &Step) -> String {
    let port = e.parameter("port").unwrap_or("the port");
    let traffic = e.parameter("trafficType").unwrap_or("the");
    format!(
        "{} drops {traffic} traffic on port {port} for {}. Blackholing the app port inbound fails the health checks and the load balancer takes the tasks out; outbound port 443 cuts every AWS dependency, which the app's guard turns into fast 503s.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_latency(_: &LabView, e: &Step) -> String {
    let delay = e.value(&LATENCY_DELAY).unwrap_or("200");
    format!(
        "{} adds {delay} ms to {} for {}. A delay beyond the app's timeouts turns the calls it slows into fast 503s on their own endpoints; a shorter one only slows them.",
        capital(tasks_text(e)),
        sources_text(e),
        duration(e)
    )
}

pub fn expect_packet_loss(_: &LabView, e: &Step) -> String {
    let loss = e.value(&LOSS_PERCENT).unwrap_or("7");
    format!(
        "{} loses {loss}% of the packets to {} for {}. TCP retransmits: calls get slower and some hit the app's timeouts, each failing as a fast 503 on its own endpoint.",
        capital(tasks_text(e)),
        sources_text(e),
        duration(e)
    )
}

/// What a network fault's `sources` limits it to, in the README's words.
fn sources_text(e: &Step) -> String {
    match e.value(&SOURCES) {
        Some(s) => format!("traffic to {}", code_span(s)),
        None => "all their traffic".to_owned(),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The app's tasks, by the cluster the lab makes; FIS resolves the service's tasks with
/// ListTasks, which has no resource type for a task.
const DESCRIBE_APP_TASKS: Statement = Statement {
    sid: "DescribeAppTasks",
    actions: &["ecs:DescribeTasks"],
    resources: &["arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*"],
    conditions: &[],
};

/// ListTasks names no task; the SAR's `ecs:cluster` key confines it to the lab's cluster.
const LIST_APP_TASKS: Statement = Statement {
    sid: "ListAppTasks",
    actions: &["ecs:ListTasks"],
    resources: &["*"],
    conditions: &[("ArnEquals", "ecs:cluster", "{ecs_cluster_arn}")],
};

const SEND_TO_TASKS: Statement = Statement {
    sid: "SendFisDocumentsToTasks",
    actions: &["ssm:SendCommand"],
    resources: &["arn:{partition}:ssm:{region}::document/AWSFIS-Run-*"],
    conditions: &[],
};

/// The tasks' managed instances are the ones the sidecar registered: its activation tags
/// them with their task's ARN, which names the lab's cluster (SSM assigns an activation's
/// tags to the node it registers). A separate statement: the FIS documents carry no tag.
pub const APP_TASK_INSTANCES: (&str, &str, &str) = (
    "StringLike",
    "aws:ResourceTag/ECS_TASK_ARN",
    "arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*",
);

const RUN_ON_TASKS: Statement = Statement {
    sid: "RunOnAppTasks",
    actions: &["ssm:SendCommand"],
    resources: &["arn:{partition}:ssm:{region}:{account}:managed-instance/*"],
    conditions: &[APP_TASK_INSTANCES],
};

/// Every `aws:ecs:task-*` action: an `AWSFIS-Run-*` document sent to the tasks' SSM managed
/// instances (FIS actions reference, "Amazon ECS actions"; AWSFaultInjectionSimulatorECSAccess,
/// statements SSMSend and SSMList, narrowed to the lab's Region and account and the FIS
/// documents).
const TASK_AGENT_IAM: &[Statement] = &[
    DESCRIBE_APP_TASKS,
    LIST_APP_TASKS,
    SEND_TO_TASKS,
    RUN_ON_TASKS,
    FOLLOW_COMMANDS,
    TAG_RESOLUTION,
];

/// The latency and packet-loss faults also describe the tasks' container instances and
/// resolve their `sources` (FIS actions reference, both actions' permissions).
const TASK_SOURCES_IAM: &[Statement] = &[
    DESCRIBE_APP_TASKS,
    LIST_APP_TASKS,
    SEND_TO_TASKS,
    RUN_ON_TASKS,
    FOLLOW_COMMANDS,
    TAG_RESOLUTION,
    Statement {
        sid: "DescribeAppContainerInstances",
        actions: &["ecs:DescribeContainerInstances"],
        resources: &["arn:{partition}:ecs:{region}:{account}:container-instance/{ecs_cluster}/*"],
        conditions: &[],
    },
    DESCRIBE_FOR_SOURCES,
];

const TASK_DURATION: Param = required(
    "duration",
    DURATION,
    "PT3M",
    "How long the fault lasts; the SSM document runs as long.",
);

const INSTALL_DEPENDENCIES: Param = optional(
    "installDependencies",
    ParamKind::OneOf {
        values: &["True", "False"],
        advice: Some(
            "FIS takes `True` or `False` here, capitalised (the SSM document's own values)",
        ),
    },
    "\"True\"",
    "`True`: the document installs the tools it needs (stress-ng, tc, …) in the task first; `False`: they must be there already.",
);

/// FIS User Guide, "Use the AWS FIS aws:ecs:task actions", requirements (read 2026-12-07,
/// https://docs.aws.amazon.com/fis/latest/userguide/ecs-task-actions.html): "When using the
/// aws:ecs:task-network-blackhole-port, aws:ecs:task-network-latency, or
/// aws:ecs:task-network-packet-loss actions on Fargate tasks, the action must have the
/// useEcsFaultInjectionEndpoints parameter set to true." The actions reference
/// (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html, same date):
/// "Optional. If set to true, the Amazon ECS Fault Injection APIs will be used. The default
/// is false."; with false the fault uses `iptables`/`tc` inside the task.
const USE_ECS_ENDPOINTS: Param = Param {
    on_fargate: Some("true"),
    ..optional(
        "useEcsFaultInjectionEndpoints",
        ParamKind::Bool,
        "\"false\"",
        "`\"true\"`: inject through the ECS fault-injection endpoints (the task definition's `enableFaultInjection`, which `fault_injection` sets) instead of tools installed in the task. FIS requires `\"true\"` on Fargate, so chaoslab sets it.",
    )
};

const FLOWS_PERCENT: Param = optional(
    "flowsPercent",
    ParamKind::Int { min: 1, max: 100 },
    "\"100\"",
    "The share of the traffic flows the fault affects, in percent.",
);

pub const SOURCES: Param = optional(
    "sources",
    ParamKind::Sources,
    "\"ALL\"",
    "What traffic is affected: comma-separated IPv4 addresses, CIDR blocks, domain names, Availability Zone names or IDs, `DYNAMODB` or `S3` (the Region's endpoints), or `ALL` (all IPv4 traffic).",
);

/// An `aws:ecs:task-*` action. The task faults reach only tasks with the SSM agent sidecar
/// ([`AGENT_TASKS`]); the `Tasks` target key and the task definition's
/// `enable_fault_injection` (hashicorp/aws 5.85.0, #41077) predate the 6.x base.
const fn task_action(
    id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    iam: &'static [Statement],
    expect: super::Expect,
    rehearsal: Rehearsal,
) -> Action {
    Action {
        id,
        summary,
        target: Some(&AGENT_TASKS),
        params,
        iam,
        provider_floor: PROVIDER_BASE,
        expect,
        reach,
        rehearsal,
    }
}

/// FIS runs these with the ECS fault-injection mechanism one at a time per task ("Use the
/// AWS FIS aws:ecs:task actions", limitations): two of them in one template must be ordered.
pub const EXCLUSIVE: &[&str] = &[
    "aws:ecs:task-network-blackhole-port",
    "aws:ecs:task-network-latency",
    "aws:ecs:task-network-packet-loss",
];

// Source: AWS FIS actions reference, "Amazon ECS actions".
pub const STOP_TASK: Action = Action {
    id: "aws:ecs:stop-task",
    summary: "Stops the targeted ECS tasks; the service starts replacements.",
    target: Some(&TASKS),
    params: &[],
    iam: &[
        Statement {
            sid: "StopAppTasks",
            actions: &["ecs:DescribeTasks", "ecs:StopTask"],
            resources: &["arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*"],
            conditions: &[],
        },
        LIST_APP_TASKS,
        TAG_RESOLUTION,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_stop,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};

pub const TASK_CPU_STRESS: Action = task_action(
    "aws:ecs:task-cpu-stress",
    "Loads the CPU of the targeted ECS tasks (through the SSM agent sidecar).",
    &[
        TASK_DURATION,
        optional(
            "percent",
            ParamKind::Int { min: 0, max: 100 },
            "\"100\"",
            "The target CPU load, in percent.",
        ),
        optional(
            "workers",
            ParamKind::Int { min: 0, max: 1024 },
            "\"0\"",
            "The number of stressors; `0` uses all of them.",
        ),
        INSTALL_DEPENDENCIES,
    ],
    TASK_AGENT_IAM,
    expect_cpu_stress,
    Rehearsal::Not(NOT_OWN_CPU),
);

pub const TASK_IO_STRESS: Action = task_action(
    "aws:ecs:task-io-stress",
    "Loads the disk I/O of the targeted ECS tasks (through the SSM agent sidecar).",
    &[
        TASK_DURATION,
        optional(
            "percent",
            ParamKind::Int { min: 1, max: 100 },
            "\"80\"",
            "The share of free file system space the stressors write to, in percent.",
        ),
        optional(
            "workers",
            ParamKind::Int { min: 1, max: 1024 },
            "\"1\"",
            "The number of stressors.",
        ),
        INSTALL_DEPENDENCIES,
    ],
    TASK_AGENT_IAM,
    expect_io_stress,
    Rehearsal::Not(NOT_OWN_CPU),
);

pub const TASK_KILL_PROCESS: Action = task_action(
    "aws:ecs:task-kill-process",
    "Kills a process in the targeted ECS tasks (through the SSM agent sidecar; needs `pidMode: task`, which `fault_injection` sets).",
    &[
        required(
            "processName",
            ParamKind::ProcessName,
            "gunicorn",
            "The process to kill, by name.",
        ),
        optional(
            "signal",
            ParamKind::OneOf {
                values: &["SIGKILL", "SIGTERM"],
                advice: None,
            },
            "\"SIGTERM\"",
            "The signal sent: `SIGTERM` (which the process may ignore) or `SIGKILL`.",
        ),
        INSTALL_DEPENDENCIES,
    ],
    TASK_AGENT_IAM,
    expect_kill,
    Rehearsal::Not(
        "the process is the task's; the rehearsal runs the app outside a task's process namespace, where a name could match the stand-ins' processes",
    ),
);

pub const TASK_NETWORK_BLACKHOLE_PORT: Action = task_action(
    "aws:ecs:task-network-blackhole-port",
    "Drops inbound or outbound traffic on a port of the targeted ECS tasks (through the SSM agent sidecar).",
    &[
        TASK_DURATION,
        required(
            "port",
            ParamKind::Int { min: 1, max: 65535 },
            "\"443\"",
            "The port whose traffic is dropped.",
        ),
        required(
            "trafficType",
            ParamKind::OneOf {
                values: &["egress", "ingress"],
                advice: None,
            },
            "egress",
            "Which direction is dropped.",
        ),
        optional(
            "protocol",
            ParamKind::OneOf {
                values: &["tcp", "udp"],
                advice: None,
            },
            "\"tcp\"",
            "The protocol whose traffic is dropped.",
        ),
        INSTALL_DEPENDENCIES,
        USE_ECS_ENDPOINTS,
    ],
    TASK_AGENT_IAM,
    expect_blackhole,
    Rehearsal::Not(
        "a port is not a dependency: inbound it is the load balancer's traffic, outbound it may be several dependencies', and neither is mapped here",
    ),
);

pub const LATENCY_DELAY: Param = optional(
    "delayMilliseconds",
    ParamKind::Int {
        min: 1,
        max: 59_999,
    },
    "\"200\"",
    "The added delay, in milliseconds.",
);

pub const TASK_NETWORK_LATENCY: Action = task_action(
    "aws:ecs:task-network-latency",
    "Delays the network traffic of the targeted ECS tasks, all of it or to the given sources (through the SSM agent sidecar).",
    &[
        TASK_DURATION,
        LATENCY_DELAY,
        optional(
            "jitterMilliseconds",
            ParamKind::Int {
                min: 0,
                max: 59_999,
            },
            "\"10\"",
            "The variation of the delay, in milliseconds.",
        ),
        FLOWS_PERCENT,
        SOURCES,
        INSTALL_DEPENDENCIES,
        USE_ECS_ENDPOINTS,
    ],
    TASK_SOURCES_IAM,
    expect_latency,
    Rehearsal::Local {
        how: "what the app sends to the dependency `sources` names (`DYNAMODB` or `S3`) held back by a proxy for `delayMilliseconds`; jitter is not modelled",
        fault: task_latency,
    },
);

pub const LOSS_PERCENT: Param = optional(
    "lossPercent",
    ParamKind::Int { min: 1, max: 100 },
    "\"7\"",
    "The share of packets dropped, in percent.",
);

pub const TASK_NETWORK_PACKET_LOSS: Action = task_action(
    "aws:ecs:task-network-packet-loss",
    "Drops a share of the packets of the targeted ECS tasks, all of them or to the given sources (through the SSM agent sidecar).",
    &[
        TASK_DURATION,
        LOSS_PERCENT,
        FLOWS_PERCENT,
        SOURCES,
        INSTALL_DEPENDENCIES,
        USE_ECS_ENDPOINTS,
    ],
    TASK_SOURCES_IAM,
    expect_packet_loss,
    Rehearsal::Local {
        how: "a random `lossPercent` of the packets to the dependency `sources` names (`DYNAMODB` or `S3`) dropped by iptables",
        fault: task_loss,
    },
);

/// Why the stress faults are not rehearsed: the load would be the machine's.
const NOT_OWN_CPU: &str = "the load would fall on the machine's cores, shared with the stand-ins and the probe, not on the task's own";

/// Only a fault on every flow, to one dependency, is what the stand-in injects.
fn all_flows(e: &Step) -> Result<(), String> {
    match number(e, &FLOWS_PERCENT, 100)? {
        100 => Ok(()),
        p => Err(format!(
            "`flowsPercent: {p}` (a share of the flows) is not modelled; the rehearsal affects every flow"
        )),
    }
}

fn task_latency(e: &Step) -> Result<LocalFault, String> {
    all_flows(e)?;
    Ok(LocalFault::Latency {
        dependency: one_source(e, &SOURCES)?,
        millis: number(e, &LATENCY_DELAY, 200)?,
    })
}

fn task_loss(e: &Step) -> Result<LocalFault, String> {
    all_flows(e)?;
    Ok(LocalFault::Loss {
        dependency: one_source(e, &SOURCES)?,
        percent: number(e, &LOSS_PERCENT, 7)?,
    })
}

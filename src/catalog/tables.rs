//! Target kind `tables`: one of the lab's DynamoDB global tables (a table with `replicas:`),
//! by the ARN of its copy in the lab's Region, whose replication FIS pauses.
//!
//! Source: the FIS actions reference, `aws:dynamodb:global-table-pause-replication` (target
//! `aws:dynamodb:global-table`, key `Tables`): FIS puts a resource policy on the replicas that
//! denies the replication service-linked role, and removes it when the action ends.

use super::action::{DURATION, PROVIDER_BASE, Statement, TAG_RESOLUTION, required};
use super::kinds::{Kind, Problem, TargetSelection, by_arns, duration, no_zone};
use super::rehearsal::Rehearsal;
use super::{Action, LabView, Reach, Step};
use crate::base::hcl::Expr;
use crate::resources::{Resources, tf_name};

pub static TABLES: Kind = Kind {
    spec_key: "tables",
    fis_key: "Tables",
    resource_type: "aws:dynamodb:global-table",
    values: "a table under `dynamodb:` that has `replicas:`, by name",
    example: "reviews",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    let Some((name, replicas)) = res
        .tables
        .iter()
        .map(|t| (&t.name, t.replicas.len()))
        .find(|(t, _)| *t == value)
    else {
        return Err(Problem::NoSuchTable {
            value: value.to_owned(),
            names: res.tables.iter().map(|t| t.name.clone()).collect(),
        });
    };
    if replicas == 0 {
        return Err(Problem::TableWithoutReplicas {
            table: name.clone(),
        });
    }
    let selection = TargetSelection {
        kind: &TABLES,
        value: name.clone(),
        zone: None,
        name: format!("table-{name}"),
        description: format!("the replication of the {name} global table"),
        pick: by_arns(Expr::List(vec![Expr::r(format!(
            "aws_dynamodb_table.{}.arn",
            tf_name(name)
        ))])),
    };
    no_zone(az, selection)
}

/// The table a selection targets, by spec name, if it is one of tables.
pub fn table(sel: &TargetSelection) -> Option<&str> {
    sel.value_of(&TABLES)
}

/// The app's calls stay in the lab's Region, where the table keeps answering.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

pub fn expect_pause(lab: &LabView, e: &Step) -> String {
    let table = e.selection().and_then(table).unwrap_or("the");
    let replicas = lab
        .tables
        .iter()
        .find(|t| t.name == table)
        .map(|t| t.replicas.join(", "))
        .unwrap_or_default();
    let mut text = format!(
        "for {}, writes to the {table} table in {} stop reaching {replicas}: every record written meanwhile is missing there (the RPO `rpo.py` counts), while the table keeps answering in {} and the app never notices. When the pause ends the replicas catch up.",
        duration(e),
        lab.region,
        lab.region
    );
    text.push_str(&lag_note(e));
    text
}

/// How much of the pause is sure to hold, by the documented lag (`data/fis-facts.json`; E080
/// refuses a pause that holds none).
fn lag_note(e: &Step) -> String {
    let (Some(lag), Some(lasts)) = (super::facts::lag(e.action.id), e.duration_secs()) else {
        return String::new();
    };
    let sure = lasts.saturating_sub(lag.seconds);
    format!(
        " DynamoDB may go on replicating for up to {} s after the pause begins ([{}]({})), so the replicas are sure to fall behind only for the last {lasts} s − {} s = {sure} s of it.",
        lag.seconds, lag.source, lag.url, lag.seconds
    )
}

pub const GLOBAL_TABLE_PAUSE_REPLICATION: Action = Action {
    id: "aws:dynamodb:global-table-pause-replication",
    summary: "Pauses the replication of the targeted DynamoDB global table to its replicas; writes keep landing in the lab's Region and reach the replicas when the pause ends.",
    target: Some(&TABLES),
    params: &[required(
        "duration",
        DURATION,
        "PT10M",
        "How long the pause lasts; DynamoDB may go on replicating for its first five minutes (E080).",
    )],
    // Target key `Tables` since hashicorp/aws#35300 (5.x), inside the 6.x base.
    // No managed policy covers it (fis-rules §9): FIS adds and removes a resource policy on
    // every replica, in the replicas' Regions, hence `*` for the Region; the replicas bear
    // the table's name, so the lab's global tables (and their streams, the SAR's other
    // resource type of these actions) by name.
    iam: &[
        Statement {
            sid: "PauseGlobalTableReplication",
            actions: &[
                "dynamodb:DeleteResourcePolicy",
                "dynamodb:DescribeTable",
                "dynamodb:GetResourcePolicy",
                "dynamodb:PutResourcePolicy",
            ],
            resources: &["{global_tables}"],
            conditions: &[],
        },
        TAG_RESOLUTION,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_pause,
    reach,
    rehearsal: Rehearsal::Not(
        "the replicas are in other Regions; the rehearsal stands in for the lab's one Region",
    ),
};

//! Target kinds are told apart by identity, not by their facts: `tasks` through the ECS API
//! (`aws:ecs:stop-task`) and through the SSM agent sidecar (`aws:ecs:task-*`) share the spec
//! key, FIS key and resource type, and only the second needs the sidecar (FIS actions
//! reference, "Amazon ECS actions"; "Use the AWS FIS aws:ecs:task actions").

use chaoslab::catalog::tasks::{AGENT_TASKS, TASKS};

use crate::common;

/// Appended to [`common::MINIMAL`]: an ECS app without the SSM agent sidecar.
const ECS_WITHOUT_SIDECAR: &str = "\
dynamodb:
  reviews: {hash_key: {name: product_id, type: S}}
s3:
  promo: {objects: {promo.json: {content: '{}'}}}
aurora: {}
app: {runtime: ecs, fault_injection: false}
experiments:
  fault:
    description: A task fault
    action: ACTION
    parameters: PARAMETERS
    targets: {tasks: app}
    acknowledge: [no-stop-condition]
";

fn load(action: &str, parameters: &str) -> Result<(), String> {
    let lab = ECS_WITHOUT_SIDECAR
        .replace("ACTION", action)
        .replace("PARAMETERS", parameters);
    let spec = format!("{}{lab}", common::MINIMAL);
    chaoslab::load("spec.yaml", &spec)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn the_two_task_kinds_share_their_facts_but_are_two_kinds() {
    assert_eq!(TASKS.spec_key, AGENT_TASKS.spec_key);
    assert_eq!(TASKS.fis_key, AGENT_TASKS.fis_key);
    assert_ne!(&TASKS, &AGENT_TASKS);
}

#[test]
fn only_the_agent_kind_needs_the_sidecar() {
    if let Err(e) = load("aws:ecs:stop-task", "{}") {
        panic!("stop-task needs no sidecar, yet:\n{e}");
    }
    let e = load("aws:ecs:task-cpu-stress", "{duration: PT3M}").unwrap_err();
    assert!(e.contains("E084"), "{e}");
}

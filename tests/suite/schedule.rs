//! Scheduled experiments: every scheduled run must start a new experiment, so the schedule's
//! input must carry a client token that differs per invocation (a fixed one is idempotent and
//! the schedule "silently runs only once").

use crate::common;

use hcl::{Body, Expression};
use serde_json::Value;

const EXECUTION_ID: &str = "<aws.scheduler.execution-id>";

fn scheduled_spec() -> String {
    let spec =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-first-experiment.yaml"))
            .expect("blueprint");
    spec.replacen(
        "    expect: {healthy: [products, reviews, promo], tolerance: 95}\n",
        "    expect: {healthy: [products, reviews, promo], tolerance: 95}\n    schedule: {expression: \"rate(7 days)\", timezone: Europe/Berlin, start: \"2027-01-04T09:00:00Z\", enabled: true}\n",
        1,
    )
}

pub fn scheduled_tree() -> Vec<chaoslab::output::GeneratedFile> {
    common::generate_str(&scheduled_spec())
}

/// `jsonencode(<object>)` as Terraform evaluates it, with each reference standing for the
/// value Terraform would put there (its own text, e.g. `aws_fis_experiment_template.x.id`).
fn jsonencode(expr: &Expression) -> String {
    let Expression::FuncCall(call) = expr else {
        panic!("input is not a function call: {expr:?}")
    };
    assert_eq!(call.name.to_string(), "jsonencode");
    let [arg] = call.args.as_slice() else {
        panic!("jsonencode takes one argument")
    };
    serde_json::to_string(&to_json(arg)).expect("JSON")
}

fn to_json(e: &Expression) -> Value {
    match e {
        Expression::String(s) => Value::String(s.clone()),
        Expression::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.to_string().trim_matches('"').to_owned(), to_json(v)))
                .collect(),
        ),
        other => Value::String(hcl::format::to_string(other).expect("formats")),
    }
}

/// (schedule name, evaluated input) of every schedule in the tree.
fn inputs(files: &[chaoslab::output::GeneratedFile]) -> Vec<(String, String)> {
    let file = files
        .iter()
        .find(|f| f.name == "schedule.tf")
        .expect("schedule.tf");
    let body: Body = hcl::from_str(&file.content).expect("schedule.tf parses");
    body.blocks()
        .filter(|b| b.labels().first().map(|l| l.as_str()) == Some("aws_scheduler_schedule"))
        .map(|b| {
            let name = b.labels()[1].as_str().to_owned();
            let target = b
                .body()
                .blocks()
                .find(|t| t.identifier() == "target")
                .expect("target block");
            let input = target
                .body()
                .attributes()
                .find(|a| a.key() == "input")
                .expect("input");
            (name, jsonencode(input.expr()))
        })
        .collect()
}

#[test]
fn two_scheduled_runs_send_two_distinct_client_tokens() {
    let files = scheduled_tree();
    let inputs = inputs(&files);
    assert_eq!(inputs.len(), 1, "one experiment has a schedule");
    let (name, input) = &inputs[0];
    assert_eq!(name, "stop_one_instance");
    // What Scheduler sends on two invocations: it replaces the context attribute each time.
    let run = |id: &str| -> Value {
        serde_json::from_str(&input.replace(EXECUTION_ID, id)).expect("input is JSON")
    };
    let (first, second) = (run("d32c5kddcf5bb8c3"), run("e81a09f2c4d7b6a0"));
    assert_ne!(first["ClientToken"], second["ClientToken"]);
    assert_eq!(first["ClientToken"], "d32c5kddcf5bb8c3");
    assert_eq!(
        first["ExperimentTemplateId"],
        "aws_fis_experiment_template.stop_one_instance.id"
    );
    let keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["ClientToken", "ExperimentTemplateId"]);
}

#[test]
fn the_target_is_fis_start_experiment_and_the_role_may_only_start_it() {
    let files = scheduled_tree();
    let tf = &files
        .iter()
        .find(|f| f.name == "schedule.tf")
        .expect("schedule.tf")
        .content;
    assert!(tf.contains(":scheduler:::aws-sdk:fis:startExperiment\""));
    assert!(tf.contains("actions   = [\"fis:StartExperiment\"]"));
    assert!(tf.contains("experiment-template/${aws_fis_experiment_template.stop_one_instance.id}"));
    assert!(
        !tf.contains("stop_half_the_fleet"),
        "unscheduled experiments get nothing"
    );
    assert!(!tf.contains("iam:PassRole"));
    assert!(tf.contains("\"FIS Experiment State Change\""));
}

#[test]
fn a_lab_without_schedules_has_no_schedule_file() {
    let files =
        common::generate_file(&common::root().join("blueprints/chaos-shop-first-experiment.yaml"))
            .1;
    assert!(files.iter().all(|f| f.name != "schedule.tf"));
}

#[test]
fn the_lab_readme_says_when_it_runs_and_how_to_pause() {
    let files = scheduled_tree();
    let readme = &files
        .iter()
        .find(|f| f.name == "README.md")
        .expect("README")
        .content;
    assert!(readme.contains("EventBridge Scheduler also starts this experiment by itself: `rate(7 days)` in time zone `Europe/Berlin`, not before `2027-01-04T09:00:00Z`."));
    assert!(readme.contains("Pause the schedule"));
    assert!(readme.contains("terraform output -raw stop_one_instance_schedule"));
}

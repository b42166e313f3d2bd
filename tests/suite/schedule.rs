//! Scheduled experiments: every scheduled run must start a new experiment, so the schedule's
//! input must carry a client token that differs per invocation (a fixed one is idempotent and
//! the schedule "silently runs only once").

use crate::common;

use crate::common::terraform_eval::Tree;
use serde_json::Value;

/// Scheduler's context attribute, as the "Adding context attributes in EventBridge Scheduler"
/// page writes it in a target's input (read 2026-12-07).
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

/// The input string of the schedule of `experiment`, as the real Terraform computes it,
/// with the template's id standing in as `template_id`.
fn input(files: &[chaoslab::output::GeneratedFile], experiment: &str, template_id: &str) -> String {
    let tree = Tree::new(files);
    let target = tree.attribute(
        &format!("aws_scheduler_schedule.{experiment}"),
        &["target", "input"],
    );
    let id_ref = format!("aws_fis_experiment_template.{experiment}.id");
    let literal = serde_json::to_string(template_id).expect("JSON string");
    match tree.evaluate_one(&target, &[(&id_ref, &literal)]) {
        Value::String(s) => s,
        other => panic!("the input is not a string: {other}"),
    }
}

/// What Scheduler does on one invocation: it replaces each keyword, as written, with the
/// invocation's value; FIS then reads the result as the StartExperiment request.
fn invocation(input: &str, execution_id: &str) -> Value {
    serde_json::from_str(&input.replace(EXECUTION_ID, execution_id))
        .unwrap_or_else(|e| panic!("the input Scheduler sends is not JSON ({e}): {input}"))
}

/// Every scheduled run must start a new experiment: the token must be Scheduler's keyword,
/// literally, in the string Terraform hands the API (jsonencode writes `<` as `\u003c`,
/// which Scheduler does not substitute), and the template id a JSON string.
fn assert_runs_differ(input: &str, template_id: &str) {
    assert!(
        input.contains(EXECUTION_ID),
        "the input does not carry {EXECUTION_ID} literally, so Scheduler never substitutes it and every run after the first repeats the first: {input}"
    );
    let as_written: Value = serde_json::from_str(input).expect("the input is JSON");
    assert_eq!(as_written["ClientToken"], EXECUTION_ID);
    let (first, second) = (
        invocation(input, "d32c5kddcf5bb8c3"),
        invocation(input, "e81a09f2c4d7b6a0"),
    );
    assert_ne!(first["ClientToken"], second["ClientToken"]);
    assert_eq!(first["ClientToken"], "d32c5kddcf5bb8c3");
    assert_eq!(first["ExperimentTemplateId"], template_id);
    let mut keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["ClientToken", "ExperimentTemplateId"]);
}

#[test]
fn two_scheduled_runs_send_two_distinct_client_tokens() {
    let input = input(&scheduled_tree(), "stop_one_instance", "EXT4ab9Lc2dQ7zP1");
    assert_runs_differ(&input, "EXT4ab9Lc2dQ7zP1");
}

/// Article 10's blueprint, and an id with characters JSON must escape: the id is
/// interpolated as a JSON string, so nothing in it can break the request.
#[test]
fn the_weekly_program_schedule_runs_every_week() {
    let (_, files) = common::generate_file(&common::root().join("blueprints/chaos-program.yaml"));
    let input = input(&files, "weekly_instance_loss", "EXT1");
    assert_runs_differ(&input, "EXT1");
    let odd = "EXT\"<x>\\";
    let input = self::input(&files, "weekly_instance_loss", odd);
    assert_runs_differ(&input, odd);
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

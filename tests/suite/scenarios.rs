//! Scenarios (issue 28): `scenario: az-power-interruption` is the FIS scenario library's AZ
//! power interruption for the lab at hand, and nothing a hand-written spec could not say.

use crate::common;

use chaoslab::experiments::{Experiment, Lab};

fn load(spec: &str) -> Lab {
    chaoslab::load("scenario.yaml", spec).unwrap_or_else(|e| panic!("does not load:\n{e}"))
}

fn experiment<'a>(lab: &'a Lab, name: &str) -> &'a Experiment {
    lab.experiments
        .iter()
        .find(|e| e.name == name)
        .expect("the experiment")
}

/// One step as the tests compare it: (name, action id, parameters as `k=v`, start_after,
/// zone).
type Planned = (
    String,
    &'static str,
    Vec<String>,
    Vec<String>,
    Option<usize>,
);

fn plan(e: &Experiment) -> Vec<Planned> {
    e.actions()
        .map(|s| {
            (
                s.name.clone(),
                s.action.id,
                s.parameters
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect(),
                s.start_after.clone(),
                s.zone(),
            )
        })
        .collect()
}

fn lab_with(app: &str, aurora: &str, scenario_parameters: &str) -> String {
    format!(
        "lab: scenario\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  public: [10.0.1.0/24, 10.0.2.0/24]\n  private: [10.0.11.0/24, 10.0.12.0/24]\n  nat: per-az\ndynamodb:\n  reviews:\n    hash_key: {{name: product_id, type: S}}\ns3:\n  promo:\n    objects:\n      promo.json: {{content: '{{}}'}}\n{app}{aurora}experiments:\n  power:\n    description: Lose zone 2\n    scenario: az-power-interruption\n    az: 2\n{scenario_parameters}    acknowledge: [writer-zone]\n    stop_conditions: [error-rate]\n"
    )
}

#[test]
fn the_az_power_scenario_is_the_librarys_template_for_this_lab() {
    let (lab, _) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-az-power.yaml"));
    let e = experiment(&lab, "az2-power-interruption");
    assert_eq!(e.scenario.map(|s| s.name), Some("az-power-interruption"));
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    let zone2 = Some(1);
    assert_eq!(
        plan(e),
        vec![
            (
                "stop-instances".to_owned(),
                "aws:ec2:stop-instances",
                s(&[
                    "startInstancesAfterDuration=PT10M",
                    "completeIfInstancesTerminated=true"
                ]),
                vec![],
                zone2,
            ),
            (
                "pause-asg-scaling".to_owned(),
                "aws:ec2:asg-insufficient-instance-capacity-error",
                s(&[
                    "availabilityZoneIdentifiers=2",
                    "duration=PT10M",
                    "percentage=100"
                ]),
                vec![],
                None,
            ),
            (
                "pause-network-connectivity".to_owned(),
                "aws:network:disrupt-connectivity",
                s(&["duration=PT2M", "scope=all"]),
                vec![],
                zone2,
            ),
            (
                "failover-rds".to_owned(),
                "aws:rds:failover-db-cluster",
                vec![],
                vec![],
                None,
            ),
            (
                "pause-ebs-io".to_owned(),
                "aws:ebs:pause-volume-io",
                s(&["duration=PT10M"]),
                s(&["stop-instances"]),
                zone2,
            ),
            (
                "wait-before-autoshift".to_owned(),
                "aws:fis:wait",
                s(&["duration=PT5M"]),
                vec![],
                None,
            ),
            (
                "start-zonal-autoshift".to_owned(),
                "aws:arc:start-zonal-autoshift",
                s(&[
                    "duration=PT5M",
                    "availabilityZoneIdentifier=2",
                    "zonalAutoshiftStatus=ANY"
                ]),
                s(&["wait-before-autoshift"]),
                None,
            ),
        ]
    );
    // The interruption, then the volumes paused as long again: twice the duration.
    assert_eq!(e.duration_secs(), Some(20 * 60));
    // Aurora's failover makes /products fail for a moment: not judged; the rest must hold.
    let h = e.hypothesis.as_ref().expect("an app to judge");
    assert_eq!(h.healthy, ["reviews", "promo"]);
    assert!(h.degraded.is_empty());
}

#[test]
fn the_scenario_takes_only_what_the_lab_has() {
    // A Fargate app without Aurora readers: no instances, group or volumes, no failover.
    let ecs = load(&lab_with("app: {runtime: ecs}\n", "aurora: {}\n", ""));
    let names: Vec<String> = plan(experiment(&ecs, "power"))
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        names,
        [
            "pause-network-connectivity",
            "wait-before-autoshift",
            "start-zonal-autoshift"
        ]
    );
    // FIS's 30 minutes when the spec does not say: the shift starts 5 minutes in.
    let autoshift = experiment(&ecs, "power")
        .actions()
        .find(|s| s.name == "start-zonal-autoshift")
        .expect("the shift");
    assert_eq!(autoshift.parameter("duration"), Some("PT25M"));
}

/// The expansion is checked as a hand-written template would be: the tree is byte for byte
/// the one the same actions under `actions:` give.
#[test]
fn a_scenario_generates_what_its_actions_written_by_hand_do() {
    let by_scenario = lab_with(
        "app: {instances: 4}\n",
        "aurora: {readers: 1}\n",
        "    parameters: {duration: PT15M}\n",
    );
    let by_hand = by_scenario.replace(
        "    scenario: az-power-interruption\n    az: 2\n    parameters: {duration: PT15M}\n    acknowledge: [writer-zone]\n",
        "    acknowledge: [writer-zone, partial-subnets, scope-all, asg-replacement]\n    actions:
      - {name: stop-instances, action: aws:ec2:stop-instances, parameters: {startInstancesAfterDuration: PT15M, completeIfInstancesTerminated: \"true\"}, targets: {instances: app}, az: 2}
      - {name: pause-asg-scaling, action: aws:ec2:asg-insufficient-instance-capacity-error, parameters: {availabilityZoneIdentifiers: \"2\", duration: PT15M, percentage: \"100\"}, targets: {auto-scaling-groups: app}}
      - {name: pause-network-connectivity, action: aws:network:disrupt-connectivity, parameters: {duration: PT2M, scope: all}, targets: {subnets: private}, az: 2}
      - {name: failover-rds, action: aws:rds:failover-db-cluster, targets: {clusters: aurora}}
      - {name: pause-ebs-io, action: aws:ebs:pause-volume-io, parameters: {duration: PT15M}, targets: {volumes: app}, az: 2, start_after: [stop-instances]}
      - {name: wait-before-autoshift, action: aws:fis:wait, parameters: {duration: PT5M}}
      - {name: start-zonal-autoshift, action: aws:arc:start-zonal-autoshift, parameters: {duration: PT10M, availabilityZoneIdentifier: \"2\", zonalAutoshiftStatus: ANY}, targets: {managed-resources: load-balancer}, start_after: [wait-before-autoshift]}
",
    );
    assert_ne!(by_hand, by_scenario, "the replacement applied");
    let tree = |spec: &str| {
        common::generate_str(spec)
            .into_iter()
            .filter(|f| f.name != "README.md")
            .map(|f| (f.name, f.content))
            .collect::<Vec<_>>()
    };
    assert_eq!(tree(&by_scenario), tree(&by_hand));
}

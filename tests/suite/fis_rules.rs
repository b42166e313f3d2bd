//! One minimal spec per FIS rule, with the diagnostic it must produce.

use crate::common;

/// A lab with an app (so alarms, instances, the cluster and the role exist) and one
/// experiment made of `experiment` (YAML lines indented under the experiment name).
fn spec(experiment: &str) -> String {
    format!(
        "{}dynamodb:\n  reviews:\n    hash_key: {{name: product_id, type: S}}\ns3:\n  promo:\n    objects:\n      promo.json: {{content: '{{}}'}}\napp: {{}}\naurora: {{}}\nexperiments:\n  x:\n    description: d\n{experiment}",
        common::MINIMAL
    )
}

fn diagnostics(experiment: &str) -> String {
    lab_diagnostics(&spec(experiment))
}

fn expect(experiment: &str, fragments: &[&str]) {
    let text = diagnostics(experiment);
    for f in fragments {
        assert!(
            text.contains(f),
            "missing `{f}` for\n{experiment}\nin:\n{text}"
        );
    }
}

const STOP: &str = "    stop_conditions: [unhealthy-hosts]\n";

/// The lab README of [`spec`]`(experiment)`.
fn readme(experiment: &str) -> String {
    common::generate_str(&spec(experiment))
        .into_iter()
        .find(|f| f.name == "README.md")
        .expect("README")
        .content
}

/// The README line that starts with `start`.
fn line<'a>(readme: &'a str, start: &str) -> &'a str {
    readme
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{readme}"))
}

#[test]
fn unknown_action_with_suggestion() {
    expect(
        &format!("    action: aws:ec2:stop-instance\n    targets: {{instances: app}}\n{STOP}"),
        &["error[E040]", "did you mean `aws:ec2:stop-instances`?"],
    );
    expect(
        &format!("    action: aws:ec2:cpu-stress\n    targets: {{instances: app}}\n{STOP}"),
        &[
            "error[E040]",
            "aws:ssm:send-command with an AWSFIS-Run-* document",
        ],
    );
}

#[test]
fn missing_unknown_and_out_of_range_parameters() {
    expect(
        &format!("    action: aws:fis:wait\n{STOP}"),
        &["error[E041]", "aws:fis:wait needs the parameter `duration`"],
    );
    expect(
        &format!(
            "    action: aws:ec2:terminate-instances\n    parameters: {{force: 'true'}}\n    targets: {{instances: app}}\n{STOP}"
        ),
        &["error[E041]", "takes no parameters"],
    );
    expect(
        &format!("    action: aws:fis:wait\n    parameters: {{duration: PT30S}}\n{STOP}"),
        &["error[E041]", "PT30S is outside PT1M..PT12H"],
    );
    expect(
        &format!("    action: aws:fis:wait\n    parameters: {{duration: 5 minutes}}\n{STOP}"),
        &["error[E041]", "is not an ISO 8601 duration"],
    );
    expect(
        &format!(
            "    action: aws:rds:reboot-db-instances\n    parameters: {{forceFailover: yes}}\n    targets: {{db-instances: aurora-writer}}\n{STOP}"
        ),
        &["error[E041]", "`yes` is not true or false"],
    );
    expect(
        &format!(
            "    action: aws:fis:inject-api-throttle-error\n    parameters: {{duration: PT2M, service: ec2, percentage: '150', operations: DescribeInstances}}\n    targets: {{roles: app}}\n{STOP}"
        ),
        &["error[E041]", "`150` is not a whole number from 1 to 100"],
    );
    expect(
        &format!(
            "    action: aws:ssm:send-command\n    parameters: {{duration: PT2M, documentArn: 'arn:aws:ssm:us-east-1::AWSFIS-Run-Network-Latency'}}\n    targets: {{instances: app}}\n{STOP}"
        ),
        &["error[E041]", "with its `document/` part"],
    );
}

#[test]
fn target_kind_must_fit_the_action() {
    expect(
        &format!("    action: aws:ec2:stop-instances\n    targets: {{subnets: private}}\n{STOP}"),
        &[
            "error[E042]",
            "aws:ec2:stop-instances cannot target `subnets`",
            "targets `instances`",
        ],
    );
    expect(
        &format!(
            "    action: aws:rds:failover-db-cluster\n    targets: {{clusters: catalog}}\n{STOP}"
        ),
        &["error[E043]", "`clusters` targets take `aurora`"],
    );
    expect(
        &format!(
            "    action: aws:lambda:invocation-error\n    parameters: {{duration: PT2M}}\n    targets: {{functions: api}}\n{STOP}"
        ),
        &[
            "error[E043]",
            "the spec has no Lambda functions to target",
            "add `functions:`",
        ],
    );
    expect(
        &format!(
            "    action: aws:rds:failover-db-cluster\n    targets: {{clusters: aurora}}\n    az: 1\n{STOP}"
        ),
        &["error[E042]", "`az` does not apply to `clusters` targets"],
    );
    expect(
        &format!(
            "    action: aws:ec2:stop-instances\n    targets: {{instances: app}}\n    az: 3\n{STOP}"
        ),
        &["error[E042]", "there is no zone 3"],
    );
}

#[test]
fn selection_mode_grammar() {
    expect(
        &format!(
            "    action: aws:ec2:stop-instances\n    targets: {{instances: app}}\n    selection_mode: COUNT(one)\n{STOP}"
        ),
        &[
            "error[E042]",
            "the n of COUNT(n) is a whole number of at least 1",
        ],
    );
    expect(
        &format!(
            "    action: aws:ec2:stop-instances\n    targets: {{instances: app}}\n    selection_mode: SOME\n{STOP}"
        ),
        &["error[E042]", "use ALL, COUNT(n) or PERCENT(n)"],
    );
}

#[test]
fn api_faults_only_reach_ec2_and_kinesis() {
    expect(
        &format!(
            "    action: aws:fis:inject-api-throttle-error\n    parameters: {{duration: PT2M, service: dynamodb, percentage: '50', operations: Query}}\n    targets: {{roles: app}}\n{STOP}"
        ),
        &[
            "error[E041]",
            "`dynamodb` is not allowed here (allowed: ec2, kinesis)",
            "use aws:network:disrupt-connectivity with scope dynamodb or s3",
        ],
    );
}

#[test]
fn dependency_faults_must_cut_every_app_subnet() {
    let partial = format!(
        "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: dynamodb}}\n    targets: {{subnets: private}}\n    az: 1\n{STOP}"
    );
    expect(
        &partial,
        &[
            "error[E044]",
            "the load balancer routes around it",
            "acknowledge: [partial-subnets]",
        ],
    );
    expect(
        &format!(
            "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: dynamodb}}\n    targets: {{subnets: private}}\n    selection_mode: PERCENT(50)\n{STOP}"
        ),
        &["error[E044]"],
    );
    let acknowledged = format!("{partial}    acknowledge: [partial-subnets]\n");
    assert_eq!(
        diagnostics(&acknowledged),
        "",
        "acknowledged: no diagnostic"
    );
}

#[test]
fn network_faults_cannot_cut_what_a_nacl_does_not_see() {
    let aurora = format!(
        "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: all}}\n    targets: {{subnets: private}}\n    dependency: aurora\n{STOP}"
    );
    let proxied = spec(&aurora).replace("aurora: {}", "aurora: {proxy: true}");
    let err = chaoslab::load("spec.yaml", &proxied)
        .expect_err("proxy")
        .to_string();
    assert!(
        err.contains("error[E045]") && err.contains("through RDS Proxy"),
        "{err}"
    );

    let s3 = format!(
        "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: s3}}\n    targets: {{subnets: private}}\n{STOP}"
    );
    let private_link = spec(&s3).replace(
        "  private: [10.0.11.0/24, 10.0.12.0/24]\n",
        "  private: [10.0.11.0/24, 10.0.12.0/24]\n  interface_endpoints: [s3]\n",
    );
    let err = chaoslab::load("spec.yaml", &private_link)
        .expect_err("interface endpoint")
        .to_string();
    assert!(
        err.contains("error[E045]") && err.contains("S3 through an interface endpoint"),
        "{err}"
    );
}

/// `scope: all` on every app subnet does not cut Aurora: Aurora shares the app subnets and a
/// network ACL filters only what crosses a subnet's edge, so the load balancer loses every
/// instance while the instances in the writer's zone still reach the writer. `dependency:
/// aurora` claiming otherwise is W006, with the ways that do take the catalog away; the
/// blanket cut keeps W001; and the default hypothesis judges no endpoint during the fault
/// (every one fails, not fast: the load balancer reaches no instance) instead of calling
/// them all healthy.
#[test]
fn scope_all_is_not_a_cut_of_aurora() {
    let all = "    action: aws:network:disrupt-connectivity\n    parameters: {duration: PT3M, scope: all}\n    targets: {subnets: private}\n    dependency: aurora\n    stop_conditions: [unhealthy-hosts]\n";
    expect(
        all,
        &[
            "warning[W006]",
            "= field: experiments.x.dependency",
            "cuts the load balancer off every app instance",
            "the writer stays reachable from the instances in its own zone",
            "aws:rds:reboot-db-instances",
            "aws:rds:failover-db-cluster",
            "`az: 1`",
            "warning[W001]",
        ],
    );
    // Acknowledging the blanket cut does not make the claim true.
    let acknowledged = format!("{all}    acknowledge: [scope-all, asg-replacement]\n");
    let text = diagnostics(&acknowledged);
    assert!(
        text.contains("warning[W006]") && !text.contains("W001") && !text.contains("W004"),
        "{text}"
    );
    // Without the claim, the acknowledged blanket cut is clean.
    assert_eq!(
        diagnostics(&acknowledged.replace("    dependency: aurora\n", "")),
        ""
    );
    // Cutting the writer's zone does take the catalog from the other zone: no W006.
    let writer_zone =
        format!("{all}    az: 1\n    acknowledge: [partial-subnets, scope-all, asg-replacement]\n");
    assert_eq!(diagnostics(&writer_zone), "");
    // Another zone, or a scope that leaves Aurora alone: W006.
    let other_zone = writer_zone.replace("az: 1", "az: 2");
    let text = diagnostics(&other_zone);
    assert!(text.contains("warning[W006]"), "{text}");
    let vpc = acknowledged.replace("scope: all", "scope: vpc");
    assert!(diagnostics(&vpc).contains("warning[W006]"));

    // The default hypothesis and the README's expectation say what the cut does.
    let lab = chaoslab::load("spec.yaml", &spec(&acknowledged)).expect("loads");
    let h = lab.experiments[0].hypothesis.clone().expect("hypothesis");
    assert!(h.degraded.is_empty() && h.healthy.is_empty(), "{h:?}");
    let readme = readme(&acknowledged);
    let expect_line = line(&readme, "* Expect:");
    assert!(
        expect_line.contains("the load balancer reaches no app instance")
            && expect_line.contains("every endpoint fails"),
        "{expect_line}"
    );
    let hypothesis = line(&readme, "* Hypothesis");
    assert!(
        hypothesis.contains("not judged") && !hypothesis.contains("stay"),
        "{hypothesis}"
    );
}

#[test]
fn scope_all_on_the_app_subnets_warns() {
    let all = format!(
        "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: all}}\n    targets: {{subnets: private}}\n{STOP}"
    );
    expect(
        &all,
        &[
            "warning[W001]",
            "the catalog on Aurora included",
            "use scope `dynamodb` or `s3`",
        ],
    );
    assert_eq!(
        diagnostics(&format!(
            "{all}    acknowledge: [scope-all, asg-replacement]\n"
        )),
        ""
    );
}

#[test]
fn experiments_without_an_alarm_stop_condition_warn() {
    let none = "    action: aws:ec2:reboot-instances\n    targets: {instances: app}\n";
    expect(
        none,
        &[
            "warning[W002]",
            "nothing stops this experiment",
            "(error-rate, latency, unhealthy-hosts)",
        ],
    );
    assert_eq!(
        diagnostics(&format!("{none}    acknowledge: [no-stop-condition]\n")),
        ""
    );
    expect(
        &format!("{none}    acknowledge: [no-stop-conditon]\n"),
        &["error[E023]", "did you mean `no-stop-condition`?"],
    );
}

#[test]
fn targets_use_arns_or_tags_never_both() {
    let lab =
        common::generate_file(&common::root().join("blueprints/chaos-shop-az-failure.yaml")).1;
    let fis = &lab
        .iter()
        .find(|f| f.name == "fis.tf")
        .expect("fis.tf")
        .content;
    let body: hcl::Body = hcl::from_str(fis).expect("parses");
    let mut targets = 0;
    for template in body.blocks() {
        for t in template
            .body()
            .blocks()
            .filter(|b| b.identifier() == "target")
        {
            let arns = t.body().attributes().any(|a| a.key() == "resource_arns");
            let tags = t.body().blocks().any(|b| b.identifier() == "resource_tag");
            assert!(
                arns != tags,
                "target must use exactly one of resource_arns and resource_tag"
            );
            targets += 1;
        }
    }
    assert_eq!(
        targets, 5,
        "one per single-action experiment, two for the zone-loss template"
    );
}

#[test]
fn warnings_print_but_only_fail_with_deny_warnings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("lab.yaml");
    std::fs::write(
        &path,
        spec("    action: aws:ec2:reboot-instances\n    targets: {instances: app}\n"),
    )
    .expect("write");
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chaoslab"))
            .args(extra)
            .arg("generate")
            .arg(&path)
            .arg("-o")
            .arg(tmp.path().join("out"))
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[W002]"));
    let out = run(&["--deny-warnings"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning[W002]") && err.contains("1 warning denied (--deny-warnings)"),
        "{err}"
    );
}

/// `documentArn` as the spec writes it.
fn send_command(document: &str) -> String {
    format!(
        "    action: aws:ssm:send-command\n    parameters: {{duration: PT3M, documentArn: '{document}', documentParameters: '{{\"DurationSeconds\": \"60\"}}'}}\n    targets: {{instances: app}}\n{STOP}"
    )
}

#[test]
fn ssm_documents_are_named_and_take_the_labs_region() {
    let region_arn = "arn:${data.aws_partition.current.partition}:ssm:${var.aws_region}::document/AWSFIS-Run-CPU-Stress";
    for document in [
        "AWSFIS-Run-CPU-Stress",
        "arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress",
    ] {
        let files = common::generate_str(&spec(&send_command(document)));
        let fis = &files
            .iter()
            .find(|f| f.name == "fis.tf")
            .expect("fis.tf")
            .content;
        assert!(
            fis.contains(&format!("value = \"{region_arn}\"")),
            "{document}:\n{fis}"
        );
    }
    expect(
        &send_command("arn:aws:ssm:eu-west-1::document/AWSFIS-Run-CPU-Stress"),
        &[
            "error[E041]",
            "spec.yaml:21:47",
            "is a document of Region `eu-west-1`, but the lab runs in `us-east-1`",
            "write the bare name",
        ],
    );
    expect(
        &send_command("arn:aws:ssm:us-east-1:123456789012:document/AWSFIS-Run-CPU-Stress"),
        &["error[E041]", "names account `123456789012`"],
    );
    expect(
        &send_command("My-Own-Document"),
        &["error[E041]", "is not an AWSFIS-Run-* SSM document"],
    );
}

#[test]
fn failovers_need_a_reader() {
    expect(
        &format!(
            "    action: aws:rds:failover-db-cluster\n    targets: {{clusters: aurora}}\n{STOP}"
        ),
        &[
            "error[E046]",
            "aws:rds:failover-db-cluster fails the writer over to a reader, and the cluster has none",
            "add `readers: 1` under `aurora:`",
        ],
    );
    let reboot = |force: &str| {
        format!(
            "    action: aws:rds:reboot-db-instances\n    parameters: {{forceFailover: '{force}'}}\n    targets: {{db-instances: aurora-writer}}\n{STOP}"
        )
    };
    expect(&reboot("true"), &["error[E046]", "or drop `forceFailover`"]);
    assert_eq!(diagnostics(&reboot("false")), "");
}

/// A two-zone lab with a reader, a failover and `extra` experiments (YAML under `experiments:`).
fn az_lab(extra: &str) -> String {
    let base = spec(&format!(
        "    action: aws:rds:failover-db-cluster\n    targets: {{clusters: aurora}}\n{STOP}"
    ))
    .replace("aurora: {}", "aurora: {readers: 1}");
    format!("{base}{extra}")
}

fn lab_diagnostics(spec: &str) -> String {
    match chaoslab::load("spec.yaml", spec) {
        Err(e) => e.to_string(),
        Ok(lab) => lab
            .warnings
            .iter()
            .map(|w| w.render("spec.yaml", spec))
            .collect(),
    }
}

#[test]
fn zone_cuts_warn_about_the_moved_writer_and_the_replacing_group() {
    let cut = |zone: u32, ack: &str| {
        format!(
            "  cut:\n    description: d\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT5M, scope: all}}\n    targets: {{subnets: private}}\n    az: {zone}\n    acknowledge: [partial-subnets, scope-all{ack}]\n{STOP}"
        )
    };
    let text = lab_diagnostics(&az_lab(&cut(2, "")));
    for want in [
        "warning[W003]: after this lab's failover the Aurora writer may sit in zone 2",
        "= field: experiments.cut.az",
        "warning[W004]",
        "acknowledge: [asg-replacement]",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    assert_eq!(
        lab_diagnostics(&az_lab(&cut(2, ", writer-zone, asg-replacement"))),
        ""
    );
    // Zone 1 holds the writer before any failover (the README says so); no reader there.
    assert!(!lab_diagnostics(&az_lab(&cut(1, ""))).contains("W003"));
    let stop = |parameters: &str| {
        format!(
            "  stop:\n    description: d\n    action: aws:ec2:stop-instances\n    parameters: {{{parameters}}}\n    targets: {{instances: app}}\n{STOP}"
        )
    };
    let text = lab_diagnostics(&az_lab(&stop(
        "startInstancesAfterDuration: PT5M, completeIfInstancesTerminated: 'true'",
    )));
    assert!(
        text.contains("warning[W004]") && !text.contains("W003"),
        "{text}"
    );
    // Without a restart the group's replacement is the heal (Article 1): no warning.
    assert_eq!(lab_diagnostics(&az_lab(&stop(""))), "");
    // The lab README suspends ReplaceUnhealthy around those runs, and says how to fail back.
    let files = common::generate_str(&az_lab(&cut(2, ", writer-zone, asg-replacement")));
    let readme = &files
        .iter()
        .find(|f| f.name == "README.md")
        .expect("README")
        .content;
    assert!(readme.contains("aws autoscaling suspend-processes --auto-scaling-group-name \"$(terraform output -raw asg_name)\" --scaling-processes ReplaceUnhealthy"), "{readme}");
    assert!(
        readme.contains("aws autoscaling resume-processes"),
        "{readme}"
    );
    assert!(readme.contains("run `x` again to fail back"), "{readme}");
}

#[test]
fn labs_without_an_app_get_a_stop_condition_help_they_can_follow() {
    let spec = format!(
        "{}experiments:\n  cut:\n    description: d\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT5M, scope: all}}\n    targets: {{subnets: public}}\n",
        common::MINIMAL
    );
    let text = lab_diagnostics(&spec);
    assert!(text.contains("warning[W002]"), "{text}");
    assert!(text.contains("aws fis stop-experiment"), "{text}");
    assert!(!text.contains("add an alarm"), "{text}");
}

#[test]
fn stop_conditions_must_be_able_to_fire_before_the_experiment_ends() {
    let cut = |duration: &str, stop: &str| {
        format!(
            "    action: aws:network:disrupt-connectivity\n    parameters: {{duration: {duration}, scope: dynamodb}}\n    targets: {{subnets: private}}\n    stop_conditions: [{stop}]\n"
        )
    };
    // unhealthy-hosts needs 2 × 60 s, latency 3 × 60 s.
    expect(
        &cut("PT2M", "unhealthy-hosts"),
        &[
            "error[E051]",
            "2 × 60 s = 120 s of breaching data, and the experiment lasts PT2M (120 s)",
            "= field: experiments.x.stop_conditions[0]",
        ],
    );
    assert_eq!(diagnostics(&cut("PT3M", "unhealthy-hosts")), "");
    expect(
        &cut("PT3M", "latency"),
        &[
            "error[E051]",
            "3 × 60 s = 180 s",
            "an alarm that can fire within PT3M (error-rate, unhealthy-hosts)",
        ],
    );
    // A failover ends as soon as it has acted: there is no duration to stop within.
    let failover = "  f:\n    description: d\n    action: aws:rds:failover-db-cluster\n    targets: {clusters: aurora}\n    stop_conditions: [error-rate]\n";
    assert!(!lab_diagnostics(&az_lab(failover)).contains("E051"));
}

/// The article's PT2M cut with its default two-minute alarm: E051 keeps its arithmetic, and
/// says how to accept it and what that costs; acknowledged, the lab README says the alarm
/// cannot end this run instead of claiming it can.
#[test]
fn a_slow_stop_condition_can_be_acknowledged_with_its_cost_stated() {
    let cut = "    action: aws:network:disrupt-connectivity\n    parameters: {duration: PT2M, scope: dynamodb}\n    targets: {subnets: private}\n    stop_conditions: [unhealthy-hosts]\n";
    expect(
        cut,
        &[
            "error[E051]",
            "2 × 60 s = 120 s of breaching data, and the experiment lasts PT2M (120 s)",
            "acknowledge: [slow-stop-condition]",
            "runs its whole PT2M whatever this alarm sees",
        ],
    );
    let acknowledged = format!("{cut}    acknowledge: [slow-stop-condition]\n");
    assert_eq!(
        diagnostics(&acknowledged),
        "",
        "acknowledged: no diagnostic"
    );
    let readme = readme(&acknowledged);
    // CloudWatch's evaluation puts the alarm at or past the end: nothing stops the run.
    let line = line(&readme, "* Stops within:");
    assert!(
        line.contains("nothing stops the run")
            && line.contains("the run lasts its full")
            && !line.contains("the run stops"),
        "{line}"
    );
    // The FIS user guide's word on stop conditions, with its address, is in the README.
    assert!(
        readme.contains("https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html"),
        "{readme}"
    );
}

#[test]
fn an_alarms_window_is_the_specs_and_its_readme_says_how_long() {
    let lab = spec(
        "    action: aws:fis:wait\n    parameters: {duration: PT2M}\n    stop_conditions: [fast]\n",
    )
    .replace(
        "app: {}\n",
        "app: {}\nalarms:\n  fast: {metric: 5xx-rate, threshold: 5, period: 60, evaluation_periods: 1}\n",
    );
    let files = common::generate_str(&lab);
    let content = |name: &str| &files.iter().find(|f| f.name == name).expect(name).content;
    let monitoring = content("monitoring.tf");
    assert!(
        monitoring.contains("evaluation_periods  = 1")
            && monitoring.lines().any(|l| {
                let l = l.trim();
                l.starts_with("period ") && l.ends_with("= 60")
            }),
        "{monitoring}"
    );
    // The lab README shows the stop-condition arithmetic; a wait harms nothing the load
    // balancer measures, so only the alarm's own window is said.
    assert!(
        content("README.md").contains("for 1 minute")
            && content("README.md").contains(
                "* Stops within: this fault changes nothing the load balancer measures, so its stop conditions can end the run only on harm from elsewhere: `fast` at the earliest 1 × 60 s = 60 s after it begins."
            ),
        "{}",
        content("README.md")
    );
}

/// On Fargate, FIS runs the task network faults only through the ECS fault-injection
/// endpoints ("Use the AWS FIS aws:ecs:task actions": the action "must have the
/// `useEcsFaultInjectionEndpoints` parameter set to `true`"): every such action of every
/// ECS tree says so, also where the spec leaves the parameter out.
#[test]
fn fargate_task_network_faults_use_the_ecs_endpoints() {
    let specs = [
        common::root().join("blueprints/chaos-shop-containers-serverless.yaml"),
        common::root().join("tests/fixtures/every-ecs-action.yaml"),
    ];
    let mut seen = 0;
    for spec in specs {
        let (_, files) = common::generate_file(&spec);
        let fis = &files
            .iter()
            .find(|f| f.name == "fis.tf")
            .expect("fis.tf")
            .content;
        let body: hcl::Body = hcl::from_str(fis).expect("fis.tf parses");
        for template in body.blocks() {
            for action in template
                .body()
                .blocks()
                .filter(|b| b.identifier() == "action")
            {
                let attr = |b: &hcl::Block, k: &str| {
                    b.body()
                        .attributes()
                        .find(|a| a.key() == k)
                        .and_then(|a| match a.expr() {
                            hcl::Expression::String(s) => Some(s.clone()),
                            _ => None,
                        })
                };
                let id = attr(action, "action_id").unwrap_or_default();
                if !chaoslab::catalog::EXCLUSIVE.contains(&id.as_str()) {
                    continue;
                }
                seen += 1;
                let endpoints: Vec<String> = action
                    .body()
                    .blocks()
                    .filter(|p| attr(p, "key").as_deref() == Some("useEcsFaultInjectionEndpoints"))
                    .filter_map(|p| attr(p, "value"))
                    .collect();
                assert_eq!(
                    endpoints,
                    ["true"],
                    "{}: {id} without useEcsFaultInjectionEndpoints = \"true\"",
                    spec.display()
                );
            }
        }
    }
    assert!(seen >= 5, "only {seen} task network faults seen");
}

/// `dependency:` belongs to the experiment, not to each of its actions: a wrong one is
/// reported once however many actions the template chains.
#[test]
fn a_wrong_dependency_is_reported_once_for_a_multi_action_experiment() {
    let text = diagnostics(&format!(
        "    dependency: redis\n    actions:\n      - {{name: a, action: aws:fis:wait, parameters: {{duration: PT3M}}}}\n      - {{name: b, action: aws:fis:wait, parameters: {{duration: PT3M}}}}\n{STOP}"
    ));
    assert_eq!(
        text.matches("`redis` is not allowed here").count(),
        1,
        "{text}"
    );
}

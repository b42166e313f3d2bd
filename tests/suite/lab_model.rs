//! What the model emits for a given spec: guardrails, credentials, network and versions.

use crate::common;

fn blueprint(lab: &str, name: &str) -> String {
    let (_, files) = common::generate_file(&common::root().join(format!("blueprints/{lab}.yaml")));
    files
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} generated"))
        .content
}

#[test]
fn error_rate_counts_load_balancer_5xx_too() {
    let text = blueprint("chaos-shop-az-failure", "monitoring.tf");
    assert!(text.contains("\"HTTPCode_ELB_5XX_Count\""), "{text}");
    assert!(text.contains("\"HTTPCode_Target_5XX_Count\""), "{text}");
    let expression = text
        .lines()
        .find(|l| l.contains("expression"))
        .expect("a metric math expression");
    assert!(
        expression.contains("FILL(target_5xx, 0) + FILL(elb_5xx, 0)"),
        "{expression}"
    );
}

/// A lab with the app, Aurora and one experiment; `aurora` replaces the `aurora: {}` line.
fn spec_with_aurora(aurora: &str) -> String {
    std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
        .expect("blueprint")
        .replace("aurora: {}", aurora)
}

fn load(spec: &str) -> Result<chaoslab::experiments::Lab, String> {
    chaoslab::load("lab.yaml", spec).map_err(|e| e.to_string())
}

#[test]
fn rds_manages_the_master_password_and_the_app_reads_that_secret() {
    let lab = "chaos-shop-dependencies";
    let aurora = blueprint(lab, "aurora.tf");
    assert!(
        aurora.contains("manage_master_user_password         = true"),
        "{aurora}"
    );
    assert!(!aurora.contains("master_password "), "{aurora}");
    assert!(!aurora.contains("random_password"), "{aurora}");
    assert!(!aurora.contains("aws_secretsmanager_secret"), "{aurora}");
    assert!(!blueprint(lab, "versions.tf").contains("hashicorp/random"));
    let secret = "one(aws_rds_cluster.main.master_user_secret[*].secret_arn)";
    assert!(blueprint(lab, "compute.tf").contains(&format!("db_secret_arn    = {secret}")));
    let iam = blueprint(lab, "iam_app.tf");
    assert!(
        iam.contains("secretsmanager:GetSecretValue") && iam.contains(secret),
        "{iam}"
    );
    assert!(blueprint(lab, "outputs.tf").contains(secret));
    let proxy = common::generate_str(&spec_with_aurora("aurora: {proxy: true}"));
    let proxy = &proxy
        .iter()
        .find(|f| f.name == "rds_proxy.tf")
        .expect("rds_proxy.tf")
        .content;
    assert!(
        proxy.contains(&format!("secret_arn  = {secret}")),
        "{proxy}"
    );
}

#[test]
fn engine_version_is_major_only_by_default_and_minor_upgrades_stay_out_of_the_plan() {
    let aurora = blueprint("chaos-shop-az-failure", "aurora.tf");
    assert!(
        aurora.contains("engine_version                      = \"16\""),
        "{aurora}"
    );
    assert!(
        aurora.contains("ignore_changes = [engine_version]"),
        "{aurora}"
    );
    // Instances follow the cluster; a pinned copy would diff after every upgrade.
    assert_eq!(aurora.matches("engine_version").count(), 2, "{aurora}");
    let readme = blueprint("chaos-shop-az-failure", "README.md");
    assert!(readme.contains("To pin a minor version"), "{readme}");
    assert!(
        !readme.contains("16\\.8") && !readme.contains("0\\.5"),
        "{readme}"
    );
    load(&spec_with_aurora("aurora: {engine_version: \"16.8\"}")).expect("a pinned minor");
    let err = load(&spec_with_aurora("aurora: {engine_version: \"16.8.1\"}")).unwrap_err();
    assert!(err.contains("error[E007]"), "{err}");
}

#[test]
fn min_capacity_zero_pauses_on_versions_that_support_it() {
    for ok in [
        "\"16\"",
        "\"16.3\"",
        "\"15.7\"",
        "\"14.12\"",
        "\"13.15\"",
        "\"17\"",
    ] {
        let spec = spec_with_aurora(&format!(
            "aurora: {{engine_version: {ok}, min_capacity: 0}}"
        ));
        let lab = load(&spec).unwrap_or_else(|e| panic!("{ok}: {e}"));
        let files = chaoslab::generate(&lab).expect("generates");
        let aurora = &files
            .iter()
            .find(|f| f.name == "aurora.tf")
            .expect("aurora.tf")
            .content;
        assert!(aurora.contains("min_capacity = 0\n"), "{aurora}");
        let readme = &files
            .iter()
            .find(|f| f.name == "README.md")
            .expect("README")
            .content;
        assert!(readme.contains("the cheapest setting"), "{readme}");
    }
    for bad in ["\"16.2\"", "\"15.6\"", "\"14.11\"", "\"13.14\"", "\"12\""] {
        let spec = spec_with_aurora(&format!(
            "aurora: {{engine_version: {bad}, min_capacity: 0}}"
        ));
        let err = load(&spec).expect_err(bad);
        assert!(
            err.contains("error[E050]") && err.contains("auto-pause"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn fis_trust_policy_names_the_lab_experiments_and_log_delivery_is_scoped() {
    let iam = blueprint("chaos-shop-dependencies", "fis_iam.tf");
    let trust = iam
        .split("data \"aws_iam_policy_document\" \"fis\"")
        .next()
        .expect("trust first");
    for want in [
        "variable = \"aws:SourceAccount\"",
        "test     = \"ArnLike\"",
        "variable = \"aws:SourceArn\"",
        "values   = [\"arn:${data.aws_partition.current.partition}:fis:${var.aws_region}:${data.aws_caller_identity.current.account_id}:experiment/*\"]",
    ] {
        assert!(trust.contains(want), "missing {want} in\n{trust}");
    }
    let share = iam
        .split("sid       = \"ShareLogGroupWithDelivery\"")
        .nth(1)
        .expect("log group statement");
    let resources = share
        .lines()
        .find(|l| l.contains("resources"))
        .expect("resources");
    assert!(
        resources.contains(
            ":logs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:log-group:*"
        ),
        "{resources}"
    );
    let deliver = iam
        .split("sid       = \"DeliverExperimentLogs\"")
        .nth(1)
        .expect("delivery");
    assert!(
        deliver.contains("actions   = [\"logs:CreateLogDelivery\"]"),
        "{deliver}"
    );
}

#[test]
fn versions_ask_for_the_provider_floor_the_labs_actions_need() {
    for lab in ["chaos-shop-dependencies", "chaos-shop-az-failure"] {
        let versions = blueprint(lab, "versions.tf");
        assert!(versions.contains("version = \"~> 6.0\""), "{versions}");
    }
    // Every catalog entry records its floor: 6.0, except the Lambda actions, whose
    // `Functions` target key arrived in 6.22.0 (hashicorp/terraform-provider-aws#41209), and
    // the VPC endpoint cut, whose `VPCEndpoints` arrived in 6.38.0 (#47045).
    for action in chaoslab::catalog::ACTIONS {
        let floor = if action.id.starts_with("aws:lambda:") {
            (6, 22)
        } else if action.id == "aws:network:disrupt-vpc-endpoint" {
            (6, 38)
        } else {
            (6, 0)
        };
        assert_eq!(action.provider_floor, floor, "{}", action.id);
    }
    // The highest floor among a lab's actions is what versions.tf asks for.
    for (fixture, constraint) in [
        ("every-action.yaml", "~> 6.38"),
        ("lambda-lab.yaml", "~> 6.22"),
    ] {
        let (_, files) =
            common::generate_file(&common::root().join("tests/fixtures").join(fixture));
        let versions = files
            .iter()
            .find(|f| f.name == "versions.tf")
            .expect("versions.tf");
        assert!(
            versions
                .content
                .contains(&format!("version = \"{constraint}\"")),
            "{fixture}: {}",
            versions.content
        );
    }
}

#[test]
fn the_fleet_waits_for_its_egress_and_per_zone_network_parts_have_per_zone_names() {
    for lab in ["chaos-shop-dependencies", "chaos-shop-az-failure"] {
        let compute = blueprint(lab, "compute.tf");
        let depends = compute
            .lines()
            .find(|l| l.contains("depends_on"))
            .expect("depends_on");
        assert!(
            depends.contains("aws_route.private_nat")
                && depends.contains("aws_route_table_association.private"),
            "{depends}"
        );
    }
    let network = blueprint("chaos-shop-az-failure", "network.tf");
    for kind in [
        "aws_eip\" \"nat",
        "aws_nat_gateway\" \"main",
        "aws_route_table\" \"private",
    ] {
        let block = network
            .split(&format!("resource \"{kind}\""))
            .nth(1)
            .expect(kind);
        let tags = block.lines().find(|l| l.contains("tags")).expect("tags");
        assert!(
            tags.contains("-${local.azs[count.index]}\" }"),
            "{kind}: {tags}"
        );
    }
}

#[test]
fn no_nat_gateway_without_anything_that_needs_egress() {
    for nat in ["", "  nat: single\n", "  nat: per-az\n"] {
        let spec = common::MINIMAL.replace(
            "  private: [10.0.11.0/24, 10.0.12.0/24]\n",
            &format!("  private: [10.0.11.0/24, 10.0.12.0/24]\n{nat}"),
        );
        let files = common::generate_str(&spec);
        let network = &files
            .iter()
            .find(|f| f.name == "network.tf")
            .expect("network.tf")
            .content;
        assert!(
            !network.contains("aws_nat_gateway") && !network.contains("aws_eip"),
            "{nat}:\n{network}"
        );
    }
}

#[test]
fn catalog_reads_go_to_the_readers_only_when_the_spec_says_so() {
    let file = |spec: &str, name: &str| {
        common::generate_str(spec)
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.content)
            .unwrap_or_default()
    };
    let default = spec_with_aurora("aurora: {readers: 1}");
    assert!(!file(&default, "compute.tf").contains("db_reader_host"));
    let direct = spec_with_aurora("aurora: {readers: 1, reads: reader}");
    assert!(
        file(&direct, "compute.tf")
            .contains("db_reader_host = aws_rds_cluster.main.reader_endpoint"),
        "{}",
        file(&direct, "compute.tf")
    );
    let proxied = spec_with_aurora("aurora: {readers: 1, proxy: true, reads: reader}");
    assert!(
        file(&proxied, "compute.tf")
            .contains("db_reader_host = aws_db_proxy_endpoint.reader.endpoint")
    );
    assert!(file(&proxied, "rds_proxy.tf").contains("target_role            = \"READ_ONLY\""));
    let err = load(&spec_with_aurora("aurora: {reads: reader}")).expect_err("no reader");
    assert!(err.contains("E050") || err.contains("reader"), "{err}");
}

#[test]
fn the_dashboard_shows_both_5xx_sources_and_every_alarm() {
    let text = blueprint("chaos-shop-stop-conditions", "dashboard.tf");
    for metric in [
        "\"HTTPCode_Target_5XX_Count\"",
        "\"HTTPCode_ELB_5XX_Count\"",
        "\"RequestCount\"",
        "\"TargetResponseTime\"",
        "\"UnHealthyHostCount\"",
    ] {
        assert!(text.contains(metric), "{metric} missing:\n{text}");
    }
    let lab = load(
        &std::fs::read_to_string(common::root().join("blueprints/chaos-shop-stop-conditions.yaml"))
            .expect("blueprint"),
    )
    .expect("valid");
    assert!(!lab.alarms.is_empty());
    for alarm in &lab.alarms {
        let arn = format!(
            "aws_cloudwatch_metric_alarm.{}.arn",
            alarm.name.replace('-', "_")
        );
        assert!(text.contains(&arn), "{arn} missing:\n{text}");
    }
    assert!(
        blueprint("chaos-shop-stop-conditions", "outputs.tf").contains("output \"dashboard_url\"")
    );
}

#[test]
fn a_lab_without_alarms_gets_no_empty_alarm_widget() {
    // CloudWatch rejects an alarm widget that names no alarm.
    let spec = spec_with_aurora("aurora: {}\nalarms: {}")
        .replace("stop_conditions: [unhealthy-hosts]", "stop_conditions: []");
    let files = common::generate_str(&spec);
    let dashboard = &files
        .iter()
        .find(|f| f.name == "dashboard.tf")
        .expect("dashboard.tf")
        .content;
    assert!(dashboard.contains("type   = \"metric\""), "{dashboard}");
    assert!(!dashboard.contains("\"alarm\""), "{dashboard}");
}

#[test]
fn a_report_is_written_under_the_experiments_own_prefix_and_only_there() {
    let fis = blueprint("chaos-program", "fis.tf");
    for (name, pre) in [("weekly-instance-loss", "PT10M"), ("gameday-s3", "PT5M")] {
        assert!(fis.contains(&format!("prefix      = \"{name}/\"")), "{fis}");
        assert!(
            fis.contains(&format!("pre_experiment_duration  = \"{pre}\"")),
            "{fis}"
        );
    }
    assert!(fis.contains("dashboard_arn = aws_cloudwatch_dashboard.lab.dashboard_arn"));
    let iam = blueprint("chaos-program", "fis_iam.tf");
    let write = iam
        .split("statement {")
        .find(|s| s.contains("\"WriteExperimentReports\""))
        .expect("a statement for the reports");
    // Exactly the three reporting experiments' prefixes, never the whole bucket.
    assert_eq!(
        write.matches("${aws_s3_bucket.fis_reports.arn}/").count(),
        3,
        "{write}"
    );
    assert!(!write.contains("fis_reports.arn}/*\""), "{write}");
    assert!(
        iam.contains("resources = [aws_cloudwatch_dashboard.lab.dashboard_arn]"),
        "{iam}"
    );
    // A lab without `report:` has neither the bucket nor the rights.
    let plain = blueprint("chaos-shop-dependencies", "fis_iam.tf");
    assert!(!plain.contains("fis_reports") && !plain.contains("cloudwatch:GetDashboard"));
    let (_, files) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    assert!(files.iter().all(|f| f.name != "reports.tf"));
}

#[test]
fn the_gameday_runbook_is_there_only_when_asked_for() {
    let readme = blueprint("chaos-program", "README.md");
    let runbook = readme
        .split("## GameDay runbook")
        .nth(1)
        .expect("a GameDay runbook");
    for e in ["gameday-dynamodb", "gameday-s3", "weekly-instance-loss"] {
        assert!(
            runbook.contains(&format!("`{e}`")),
            "{e} not in the runbook"
        );
    }
    assert!(runbook.contains("Pause the scheduled experiments"));
    assert!(!blueprint("chaos-shop-dependencies", "README.md").contains("GameDay runbook"));
}

/// A lab whose one experiment chains actions (`actions:`), from the given list.
fn multi_action_lab(actions: &str) -> String {
    format!(
        "lab: multi\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  public: [10.0.1.0/24, 10.0.2.0/24]\n  private: [10.0.11.0/24, 10.0.12.0/24]\nexperiments:\n  chain:\n    description: Chained actions\n    acknowledge: [no-stop-condition, partial-subnets, scope-all]\n    actions:\n{actions}"
    )
}

#[test]
fn a_multi_action_template_lasts_its_longest_chain_and_shares_equal_targets() {
    let spec = multi_action_lab(
        "      - {name: cut-a, action: aws:network:disrupt-connectivity, parameters: {duration: PT3M, scope: s3}, targets: {subnets: private}}\n      - {name: cut-b, action: aws:network:disrupt-connectivity, parameters: {duration: PT2M, scope: dynamodb}, targets: {subnets: private}, start_after: [cut-a]}\n      - {name: short, action: aws:fis:wait, parameters: {duration: PT1M}}\n",
    );
    let lab = load(&spec).expect("valid");
    let e = &lab.experiments[0];
    // cut-a then cut-b (3 + 2 minutes) is longer than the wait that runs beside them.
    assert_eq!(e.duration_secs(), Some(300));
    assert_eq!(e.actions().count(), 3);
    let files = common::generate_str(&spec);
    let fis = &files
        .iter()
        .find(|f| f.name == "fis.tf")
        .expect("fis.tf")
        .content;
    assert!(fis.contains("start_after = [\"cut-a\"]"), "{fis}");
    // Both cuts pick the same subnets the same way: one target block for both.
    assert_eq!(
        fis.matches("resource_type  = \"aws:ec2:subnet\"").count(),
        1,
        "{fis}"
    );
    let readme = &files
        .iter()
        .find(|f| f.name == "README.md")
        .expect("README")
        .content;
    assert!(readme.contains("after `cut-a`"), "{readme}");
    // Two cuts of two dependencies can degrade two endpoints: nothing is assumed for them.
    assert_eq!(e.reach(), chaoslab::catalog::Reach::Everything);
}

#[test]
fn actions_that_pick_the_same_resources_differently_get_their_own_targets() {
    let spec = multi_action_lab(
        "      - {name: all, action: aws:network:disrupt-connectivity, parameters: {duration: PT2M, scope: s3}, targets: {subnets: private}}\n      - {name: half, action: aws:network:disrupt-connectivity, parameters: {duration: PT2M, scope: s3}, targets: {subnets: private}, selection_mode: COUNT(1)}\n",
    );
    let files = common::generate_str(&spec);
    let fis = &files
        .iter()
        .find(|f| f.name == "fis.tf")
        .expect("fis.tf")
        .content;
    assert!(fis.contains("value = \"app-subnets-half\""), "{fis}");
    assert_eq!(
        fis.matches("resource_type  = \"aws:ec2:subnet\"").count(),
        2,
        "{fis}"
    );
}

/// A function behind the load balancer is an endpoint like the shop's: `probe` and `verify`
/// request its `/fn/<name>`, and `expect:` judges it as `fn/<name>` (the serverless blueprint
/// claims its Lambda errors degrade it, and every other fault leaves it healthy).
#[test]
fn functions_are_probed_and_judged_as_fn_endpoints() {
    let spec = std::fs::read_to_string(
        common::root().join("blueprints/chaos-shop-containers-serverless.yaml"),
    )
    .expect("blueprint");
    let lab = load(&spec).expect("the blueprint loads");
    let endpoints: Vec<(String, String)> = chaoslab::probe::endpoints(&lab)
        .into_iter()
        .map(|e| (e.name, e.path))
        .collect();
    assert_eq!(
        endpoints.last(),
        Some(&(
            "fn/recommendations".to_owned(),
            "/fn/recommendations".to_owned()
        )),
        "{endpoints:?}"
    );
    let hypothesis = |name: &str| {
        lab.experiments
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.hypothesis.clone())
            .unwrap_or_else(|| panic!("{name} has a hypothesis"))
    };
    assert_eq!(hypothesis("lambda-errors").degraded, ["fn/recommendations"]);
    assert!(
        hypothesis("stop-all-tasks")
            .healthy
            .contains(&"fn/recommendations".to_owned())
    );
}

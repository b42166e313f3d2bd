//! `chaoslab lint` (issue 28): the known mistakes of public FIS templates found where they
//! are, nothing found in chaoslab's own trees, and each check on a template written to break
//! it, in each of the three forms.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common;

/// A finding as the JSON message format gives it: (file, code, line, message).
type Finding = (String, String, u64, String);

/// `chaoslab lint --message-format json ARGS` in `dir`: (exit code, findings, the `ok` lines).
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<Finding>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .args(["lint", "--message-format", "json"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("chaoslab runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let findings = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (
        out.status.code().unwrap_or(-1),
        findings,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// (file, code, line, a word of the message) of each finding.
fn brief(findings: &[Finding]) -> Vec<(String, String, u64)> {
    findings
        .iter()
        .map(|(f, c, l, _)| (f.clone(), c.clone(), *l))
        .collect()
}

fn f(file: &str, code: &str, line: u64) -> (String, String, u64) {
    (file.to_owned(), code.to_owned(), line)
}

/// Each public template with the policy published beside it; what lint finds is what a
/// reading against the FIS actions reference found (tests/fixtures/lint/public/SOURCES.md).
#[test]
fn the_known_mistakes_of_public_templates_are_found_where_they_are() {
    let dir = common::root().join("tests/fixtures/lint/public");
    let lib = "fis-template-library--";
    type Case = (Vec<String>, Vec<(String, String, u64)>);
    let cases: Vec<Case> = vec![
        // The terminate template's policy lacks ec2:DescribeInstances.
        (
            vec![
                format!("{lib}ec2-instances-terminate-template.json"),
                format!("{lib}ec2-instances-terminate-iam-policy.json"),
            ],
            vec![f(
                &format!("{lib}ec2-instances-terminate-template.json"),
                "E088",
                14,
            )],
        ),
        // The failover template's policy lacks ssm:CancelCommand and tag:GetResources, and an
        // action carries `startAfterDelay`, which FIS's API does not define.
        (
            vec![
                format!("{lib}mysql-rds-loadtest-failover-template.json"),
                format!("{lib}mysql-rds-loadtest-failover-iam-policy.json"),
            ],
            vec![
                f(
                    &format!("{lib}mysql-rds-loadtest-failover-template.json"),
                    "E088",
                    21,
                ),
                f(
                    &format!("{lib}mysql-rds-loadtest-failover-template.json"),
                    "E088",
                    33,
                ),
                f(
                    &format!("{lib}mysql-rds-loadtest-failover-template.json"),
                    "E089",
                    55,
                ),
            ],
        ),
        // The DynamoDB blackhole's policy lacks the prefix-list reads disrupt-connectivity
        // needs for `scope: dynamodb`.
        (
            vec![
                format!("{lib}dynamodb-traffic-blackhole-region-impairment-template.json"),
                format!("{lib}dynamodb-traffic-blackhole-region-impairment-iam-policy.json"),
            ],
            vec![
                f(
                    &format!("{lib}dynamodb-traffic-blackhole-region-impairment-template.json"),
                    "E088",
                    21,
                ),
                f(
                    &format!("{lib}dynamodb-traffic-blackhole-region-impairment-template.json"),
                    "E088",
                    21,
                ),
            ],
        ),
        // The workshop's AZ scenario: rds:DescribeDBClusters and the prefix-list read missing,
        // zone placeholders never filled in, and an ElastiCache action id the reference lacks.
        (
            vec![
                "fis-workshop-v2--fis-az-experiment-template.json".to_owned(),
                "fis-workshop-v2--fis-az-task-policy.json".to_owned(),
            ],
            vec![
                f(
                    "fis-workshop-v2--fis-az-experiment-template.json",
                    "E088",
                    116,
                ),
                f(
                    "fis-workshop-v2--fis-az-experiment-template.json",
                    "E041",
                    125,
                ),
                f(
                    "fis-workshop-v2--fis-az-experiment-template.json",
                    "E040",
                    147,
                ),
                f(
                    "fis-workshop-v2--fis-az-experiment-template.json",
                    "E041",
                    158,
                ),
                f(
                    "fis-workshop-v2--fis-az-experiment-template.json",
                    "E088",
                    167,
                ),
            ],
        ),
        // `duration` where aws:ssm:start-automation-execution takes `maxDuration`.
        (
            vec!["fis-workshop--fis-template.json".to_owned()],
            vec![
                f("fis-workshop--fis-template.json", "E041", 16),
                f("fis-workshop--fis-template.json", "E041", 11),
            ],
        ),
        // A number where a document's parameters must be strings.
        (
            vec!["fis-workshop-cheat04--template.json".to_owned()],
            vec![f("fis-workshop-cheat04--template.json", "E041", 17)],
        ),
        // Clean: CloudFormation with its role (one through an AWS managed policy lint cannot
        // read, so no permission is claimed missing).
        (vec!["fis-workshop--cfn_fis_demos.yaml".to_owned()], vec![]),
        (vec!["fis-workshop-spot--template.yaml".to_owned()], vec![]),
    ];
    for (files, expected) in cases {
        let args: Vec<&str> = files.iter().map(String::as_str).collect();
        let (code, findings, _) = lint(&dir, &args);
        assert_eq!(brief(&findings), expected, "{files:?}: {findings:#?}");
        assert_eq!(code, if expected.is_empty() { 0 } else { 2 }, "{files:?}");
    }
}

/// Every template chaoslab generates lints clean with its tree (its role policy and its
/// provider constraint beside it), and every one is read: the blueprints' trees, and the
/// every-action fixtures', which hold each catalog action.
#[test]
fn chaoslabs_own_trees_lint_clean() {
    for fixture in common::EVERY_ACTION_FIXTURES {
        let spec = common::root().join("tests/fixtures").join(fixture);
        let (lab, files) = common::generate_file(&spec);
        let dir = tempfile::tempdir().expect("tempdir");
        common::write_tree(dir.path(), &files);
        let (code, findings, stdout) = lint(dir.path(), &["."]);
        assert!(findings.is_empty(), "{fixture}: {findings:#?}");
        assert_eq!(code, 0, "{fixture}");
        let n = lab.experiments.len();
        assert!(
            stdout.contains(&format!("fis.tf: ok ({n} templates)")),
            "{fixture}: {stdout}"
        );
    }
    for spec in common::blueprints() {
        let (lab, _) = common::generate_file(&spec);
        let dir = common::root().join("generated").join(&lab.name);
        let (code, findings, stdout) = lint(&dir, &["."]);
        assert!(findings.is_empty(), "{}: {findings:#?}", lab.name);
        assert_eq!(code, 0, "{}", lab.name);
        let n = lab.experiments.len();
        let read = format!("fis.tf: ok ({n} template{})", if n == 1 { "" } else { "s" });
        assert!(stdout.contains(&read), "{}: {stdout}", lab.name);
    }
}

const BROKEN_TF: &str = r#"terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

resource "aws_iam_role_policy" "fis" {
  role = aws_iam_role.fis.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ec2:StopInstances", "ec2:StartInstances", "ec2:DescribeInstances"], Resource = "*" }]
  })
}

resource "aws_fis_experiment_template" "broken" {
  description = "every mistake once"
  role_arn    = aws_iam_role.fis.arn

  action {
    name      = "stop"
    action_id = "aws:ec2:stop-instances"
    parameter {
      key   = "startInstancesAfterDuration"
      value = " PT5M"
    }
    target {
      key   = "Instances"
      value = "subnets"
    }
    start_after = ["pause"]
  }

  action {
    name        = "pause"
    action_id   = "aws:ebs:pause-volume-io"
    start_after = ["stop"]
    parameter {
      key   = "duration"
      value = "PT2M"
    }
    target {
      key   = "Volume"
      value = "volumes"
    }
  }

  action {
    name      = "typo"
    action_id = "aws:rds:reboot-db-instance"
  }

  target {
    name           = "subnets"
    resource_type  = "aws:ec2:subnet"
    selection_mode = "COUNT(0)"
  }

  stop_condition {
    source = "aws:cloudwatch:alarms"
  }
}
"#;

/// Each check once, on a Terraform template written to fail it, reported at its line.
#[test]
fn each_check_finds_its_mistake_in_terraform() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), BROKEN_TF).expect("write");
    let (code, findings, _) = lint(dir.path(), &["main.tf"]);
    let got: Vec<(String, u64)> = findings
        .iter()
        .map(|(_, c, l, _)| (c.clone(), *l))
        .collect();
    let want: Vec<(&str, u64)> = vec![
        ("E041", 24), // " PT5M": blanks FIS keeps
        ("E042", 54), // the target `subnets` selects subnets, and stop-instances acts on instances
        ("E088", 21), // kms:CreateGrant, which restarting encrypted volumes needs
        ("E042", 42), // `Volume`: pause-volume-io's key is `Volumes`
        ("E088", 35), // ec2:PauseVolumeIO
        ("E088", 35), // ec2:DescribeVolumes
        ("E088", 35), // tag:GetResources
        ("W007", 35), // `~> 5.0` admits releases before the Volumes key (5.2.0)
        ("E040", 49), // aws:rds:reboot-db-instance: did you mean reboot-db-instances?
        ("E055", 20), // stop and pause start after each other
        ("E042", 55), // COUNT(0) selects nothing
        ("E049", 59), // not a stop condition source
    ];
    let want: Vec<(String, u64)> = want.into_iter().map(|(c, l)| (c.to_owned(), l)).collect();
    assert_eq!(got, want, "{findings:#?}");
    assert_eq!(code, 2);
    let typo = findings.iter().find(|x| x.1 == "E040").expect("E040");
    assert!(typo.3.contains("aws:rds:reboot-db-instance"), "{typo:?}");
}

/// The API's JSON and CloudFormation's YAML carry the same checks: a JSON template whose
/// spot action has the wrong target key and resource type, and a CloudFormation template whose
/// role (by `!GetAtt`) lacks the action's permission.
#[test]
fn json_and_cloudformation_are_read_like_terraform() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = r#"{
  "description": "spot",
  "roleArn": "arn:aws:iam::111122223333:role/fis",
  "targets": {"fleet": {"resourceType": "aws:ec2:instance", "selectionMode": "ALL"}},
  "actions": {"interrupt": {"actionId": "aws:ec2:send-spot-instance-interruptions",
    "parameters": {"durationBeforeInterruption": "PT1M"},
    "targets": {"SpotInstances": "fleet"}}},
  "stopConditions": [{"source": "none"}]
}
"#;
    std::fs::write(dir.path().join("spot.json"), json).expect("write");
    let (code, findings, _) = lint(dir.path(), &["spot.json"]);
    let got: Vec<(String, u64)> = findings
        .iter()
        .map(|(_, c, l, _)| (c.clone(), *l))
        .collect();
    assert_eq!(
        got,
        [("E041".to_owned(), 6), ("E042".to_owned(), 4)],
        "{findings:#?}"
    );
    assert_eq!(code, 2);
    let cfn = "Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: fis
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [ec2:RebootInstances], Resource: '*'}
  Template:
    Type: AWS::FIS::ExperimentTemplate
    Properties:
      Description: reboot
      RoleArn: !GetAtt Role.Arn
      Targets:
        fleet: {ResourceType: 'aws:ec2:instance', SelectionMode: 'PERCENT(50)', ResourceTags: {App: shop}}
      Actions:
        reboot: {ActionId: 'aws:ec2:reboot-instances', Targets: {Instances: fleet}}
      StopConditions:
        - {Source: none}
";
    std::fs::write(dir.path().join("stack.yaml"), cfn).expect("write");
    let (code, findings, _) = lint(dir.path(), &["stack.yaml"]);
    let got: Vec<(String, String, u64)> = findings
        .iter()
        .map(|(_, c, l, m)| {
            (
                c.clone(),
                m.split('`').nth(1).unwrap_or_default().to_owned(),
                *l,
            )
        })
        .collect();
    assert_eq!(
        got,
        [("E088".to_owned(), "ec2:DescribeInstances".to_owned(), 19)],
        "{findings:#?}"
    );
    assert_eq!(code, 2);
}

/// JSON or YAML lint cannot parse is the spec's E002; Terraform it cannot parse, or a JSON
/// file with nothing it reads, E087; exit 2 either way. A Terraform module's other files are
/// fine.
#[test]
fn unreadable_files_are_refused_and_module_files_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("broken.json"),
        "{\"actions\": {\n  \"a\": [1, 2\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("other.json"), "{\"Parameters\": {}}\n").expect("write");
    std::fs::write(
        dir.path().join("broken.tf"),
        "resource \"x\" {\n  a = \n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("vpc.tf"),
        "resource \"aws_vpc\" \"main\" {}\n",
    )
    .expect("write");
    for (file, want) in [
        ("broken.json", Some(("E002", 2))),
        ("other.json", Some(("E087", 0))),
        ("broken.tf", Some(("E087", 2))),
        ("vpc.tf", None),
    ] {
        let (exit, findings, _) = lint(dir.path(), &[file]);
        assert_eq!(
            exit,
            if want.is_some() { 2 } else { 0 },
            "{file}: {findings:#?}"
        );
        let got: Vec<(&str, u64)> = findings.iter().map(|f| (f.1.as_str(), f.2)).collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{file}");
    }
}

/// What is valid in FIS is never reported: zone names and IDs, a stop without a restart (no
/// KMS grant needed), a runbook without a role (no PassRole), FIS's default autoshift status,
/// CloudFormation intrinsics, and whatever Terraform computes (a variable's action id, a
/// `dynamic` parameter, a policy built from a local).
#[test]
fn valid_templates_are_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = r#"{
  "description": "valid",
  "roleArn": "arn:aws:iam::111122223333:role/fis",
  "targets": {
    "group": {"resourceType": "aws:ec2:autoscaling-group", "resourceArns": ["arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:x:autoScalingGroupName/app"], "selectionMode": "ALL"},
    "fleet": {"resourceType": "aws:ec2:instance", "resourceTags": {"App": "shop"}, "selectionMode": "ALL"},
    "alb": {"resourceType": "aws:arc:zonal-shift-managed-resource", "resourceArns": ["arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shop/1"], "selectionMode": "ALL"}
  },
  "actions": {
    "ice": {"actionId": "aws:ec2:asg-insufficient-instance-capacity-error", "parameters": {"availabilityZoneIdentifiers": "us-east-1a,use1-az2", "duration": "PT5M"}, "targets": {"AutoScalingGroups": "group"}},
    "stop": {"actionId": "aws:ec2:stop-instances", "targets": {"Instances": "fleet"}},
    "shift": {"actionId": "aws:arc:start-zonal-autoshift", "parameters": {"duration": "PT5M", "availabilityZoneIdentifier": "us-east-1b"}, "targets": {"ManagedResources": "alb"}, "startAfter": ["ice"]},
    "runbook": {"actionId": "aws:ssm:start-automation-execution", "parameters": {"documentArn": "arn:aws:ssm:us-east-1:111122223333:document/Drain", "maxDuration": "PT10M"}}
  },
  "stopConditions": [{"source": "none"}]
}
"#;
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:InjectApiError", "autoscaling:DescribeAutoScalingGroups", "ec2:StopInstances", "ec2:StartInstances", "ec2:Describe*", "arc-zonal-shift:*", "autoscaling:DescribeTags", "tag:GetResources", "ssm:*AutomationExecution"], "Resource": "*"}]}"#;
    std::fs::write(dir.path().join("valid.json"), json).expect("write");
    std::fs::write(dir.path().join("policy.json"), policy).expect("write");
    let cfn = "Resources:
  Template:
    Type: AWS::FIS::ExperimentTemplate
    Properties:
      Description: wait
      RoleArn: !GetAtt Role.Arn
      Actions:
        wait: {ActionId: 'aws:fis:wait', Parameters: {duration: !Ref Duration}}
      Targets: {}
      StopConditions:
        - {Source: 'aws:cloudwatch:alarm', Value: !GetAtt Alarm.Arn}
";
    std::fs::write(dir.path().join("stack.yaml"), cfn).expect("write");
    let tf = r#"variable "action" {}
locals { actions = ["ec2:RebootInstances"] }

data "aws_iam_policy_document" "fis" {
  statement {
    actions   = local.actions
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "fis" {
  role   = aws_iam_role.fis.id
  policy = data.aws_iam_policy_document.fis.json
}

resource "aws_fis_experiment_template" "computed" {
  description = "computed"
  role_arn    = aws_iam_role.fis.arn

  action {
    name      = "from-a-variable"
    action_id = var.action
  }

  action {
    name      = "reboot"
    action_id = "aws:ec2:reboot-instances"
    dynamic "target" {
      for_each = ["fleet"]
      content {
        key   = "Instances"
        value = target.value
      }
    }
  }

  stop_condition {
    source = "none"
  }
}
"#;
    std::fs::write(dir.path().join("main.tf"), tf).expect("write");
    for files in [
        &["valid.json", "policy.json"][..],
        &["stack.yaml"],
        &["main.tf"],
    ] {
        let (code, findings, _) = lint(dir.path(), files);
        assert!(findings.is_empty(), "{files:?}: {findings:#?}");
        assert_eq!(code, 0, "{files:?}");
    }
    // The same JSON with its zone name misspelt is still caught.
    std::fs::write(
        dir.path().join("valid.json"),
        json.replace("us-east-1a,", "us-east-1,"),
    )
    .expect("write");
    let (_, findings, _) = lint(dir.path(), &["valid.json", "policy.json"]);
    assert_eq!(
        brief(&findings),
        [f("valid.json", "E041", 10)],
        "{findings:#?}"
    );
}

/// A runbook step without a role generates a tree whose role holds no PassRole, and lint
/// agrees that none is needed.
#[test]
fn a_runbook_without_a_role_lints_clean() {
    let spec = std::fs::read_to_string(
        common::root().join("tests/fixtures/every-spot-action.yaml"),
    )
    .expect("fixture")
        + "  run-runbook:\n    description: Run the account's drain runbook\n    action: aws:ssm:start-automation-execution\n    parameters: {documentArn: Chaos-Shop-Drain-Zone, maxDuration: PT10M}\n    stop_conditions: [error-rate]\n";
    let dir = tempfile::tempdir().expect("tempdir");
    common::write_tree(dir.path(), &common::generate_str(&spec));
    let (code, findings, stdout) = lint(dir.path(), &["."]);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(code, 0);
    assert!(stdout.contains("fis.tf: ok (3 templates)"), "{stdout}");
    let iam = std::fs::read_to_string(dir.path().join("fis_iam.tf")).expect("fis_iam.tf");
    assert!(!iam.contains("iam:PassRole"), "{iam}");
    assert!(
        iam.contains(":automation-definition/Chaos-Shop-Drain-Zone:*"),
        "{iam}"
    );
}

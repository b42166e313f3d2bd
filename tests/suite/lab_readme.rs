//! The README generated into each lab tells the person applying it what to do next.

use crate::common;

fn readme(spec: &str) -> String {
    common::generate_str(spec)
        .into_iter()
        .find(|f| f.name == "README.md")
        .expect("README.md generated")
        .content
}

/// The reference blueprint's lab and its generated files.
fn reference() -> (
    chaoslab::experiments::Lab,
    Vec<chaoslab::output::GeneratedFile>,
) {
    common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"))
}

fn content<'a>(files: &'a [chaoslab::output::GeneratedFile], name: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} generated"))
        .content
}

#[test]
fn reference_readme_covers_apply_experiments_and_destroy() {
    // Sections, experiments and outputs: every_blueprint_readme_documents_its_experiments_and_outputs.
    let (_, files) = reference();
    let text = content(&files, "README.md");
    assert!(text.contains("answers fast 503s (`reviews temporarily unavailable`)"));
    assert!(
        text.contains("Stops early when: alarm `unhealthy-hosts` fires ("),
        "spacing around code spans"
    );
    assert!(text.contains("`/products/<id>/reviews` | DynamoDB table `chaos-lab-reviews`"));
    assert!(
        text.contains("`/promo` | object `promo.json` in S3 bucket `chaos-lab-promo-<account id>`")
    );
    assert!(text.contains("* **S3** bucket `chaos-lab-promo-<account id>`: 1 object."));
    assert!(text.contains("* **DynamoDB** table `chaos-lab-reviews`: 3 seed items."));
}

/// Every blueprint's README has every section, each experiment with its start command and
/// every output the tree declares.
#[test]
fn every_blueprint_readme_documents_its_experiments_and_outputs() {
    for spec in common::blueprints() {
        let (lab, files) = common::generate_file(&spec);
        let text = content(&files, "README.md");
        for section in [
            "## Inputs",
            "## Outputs",
            "## Apply",
            "## Run the experiments",
            "## Destroy",
            "## Lab trade-offs",
        ] {
            assert!(text.contains(section), "{}: missing {section}", lab.name);
        }
        for e in &lab.experiments {
            let cmd = format!(
                "$(terraform output -raw {}_start_command)",
                e.name.replace('-', "_")
            );
            assert!(
                text.contains(&format!("### {}", e.name)) && text.contains(&cmd),
                "{}: experiment {} undocumented",
                lab.name,
                e.name
            );
        }
        let outputs = content(&files, "outputs.tf");
        for line in outputs.lines().filter_map(|l| l.strip_prefix("output \"")) {
            let name = line.split('"').next().unwrap_or_default();
            assert!(
                text.contains(&format!("| `{name}` |")),
                "{}: output {name} not in README",
                lab.name
            );
        }
    }
}

#[test]
fn spec_text_cannot_inject_markdown() {
    let spec = format!(
        "{}description: \"a | b <script>alert(1)</script> [x](http://evil) *bold*\"\nexperiments:\n  e:\n    description: \"line1\\n## Fake heading | `code`\"\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: s3}}\n    targets: {{subnets: private}}\n",
        common::MINIMAL
    );
    let text = readme(&spec);
    assert!(
        text.contains(r"a \| b &lt;script&gt;alert(1)&lt;/script&gt; \[x\](http://evil) \*bold\*"),
        "{text}"
    );
    assert!(
        text.contains(r"line1 \#\# Fake heading \| \`code\`"),
        "{text}"
    );
    assert!(!text.contains("<script>"));
}

/// The README's probe, run as written against a stand-in app (200 for the catalog and promo,
/// a JSON 503 for reviews): it must count ok/failed per endpoint for the phase, as the
/// article's table does, and give up on a request after the app's budget plus a second.
#[test]
fn readme_probe_counts_ok_and_failed_per_endpoint() {
    let (_, files) = reference();
    let text = content(&files, "README.md");
    let start = text
        .find("url=\"$(terraform output")
        .expect("probe snippet");
    let end = start + text[start..].find("probe baseline").expect("probe call");
    let snippet = &text[start..end];
    assert!(
        snippet.contains("-m 5 "),
        "probe timeout is not the 4 s budget + 1: {snippet}"
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let server = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 503 if self.path.endswith("/reviews") else 200
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 1
import threading, time
threading.Timer(30, s.shutdown).start()
s.serve_forever()
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", server])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut port = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
        &mut port,
    )
    .expect("port");
    // `terraform output -raw app_url` answers with the stand-in's URL.
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let tf = bin.join("terraform");
    std::fs::write(
        &tf,
        format!("#!/bin/sh\necho http://127.0.0.1:{}\n", port.trim()),
    )
    .expect("shim");
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(&tf)
        .status()
        .expect("chmod");
    let script = format!("set -e\n{snippet}probe baseline 3\n");
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .output()
        .expect("bash runs");
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout.trim();
    let counts = |ep: &str| {
        let tail = line.split(&format!("{ep} ok=")).nth(1).expect(ep);
        let (ok, failed) = tail
            .split_whitespace()
            .next()
            .expect("n/m")
            .split_once('/')
            .expect("/");
        (
            ok.parse::<u32>().expect("ok"),
            failed.parse::<u32>().expect("failed"),
        )
    };
    assert!(line.starts_with("baseline (3s):"), "{line}");
    let (p_ok, p_bad) = counts("products");
    let (r_ok, r_bad) = counts("reviews");
    let (m_ok, m_bad) = counts("promo");
    assert!((2..=4).contains(&p_ok) && p_bad == 0, "{line}");
    assert!(r_ok == 0 && (2..=4).contains(&r_bad), "{line}");
    assert!((2..=4).contains(&m_ok) && m_bad == 0, "{line}");
}

#[test]
fn readme_says_what_is_needed_before_apply_and_how_to_stop() {
    for spec in common::blueprints() {
        let lab = spec.display();
        let text = readme(&std::fs::read_to_string(&spec).expect("blueprint"));
        for want in [
            "## Before you apply",
            "**Terraform `>= 1.5.0`**",
            "Terraform\n  1.0.3, but only for `terraform fmt`",
            "**AWS credentials**",
            "`iam:PassRole`",
            "**Region** `us-east-1` by default",
            "`terraform apply` takes about ",
            "| NAT gateway |",
            "| Application Load Balancer | 1 | $0.0225 |",
            "| Aurora Serverless v2 instance at its minimum capacity |",
            "checked December 2026",
            "terraform plan -out=tfplan\nterraform apply tfplan",
            "--experiment-options actionsMode=skip-all",
            "aws fis stop-experiment --id",
            "aws fis update-safety-lever-state --id default --state \"status=engaged",
        ] {
            assert!(text.contains(want), "{lab}: missing {want}");
        }
        // Numbers and versions are not Markdown-escaped, and every action has its own
        // expectation.
        for bad in [
            "16\\.8",
            "0\\.5",
            "\\.0",
            "(s)",
            "runs against its targets",
            "acts on its targets",
        ] {
            assert!(!text.contains(bad), "{lab}: {bad} in\n{text}");
        }
    }
}

#[test]
fn readme_text_follows_the_spec() {
    // No app: no load balancer, probe or instances; nothing billed by the hour.
    let spec = format!(
        "{}dynamodb:\n  t:\n    hash_key: {{name: id, type: S}}\n    items:\n      - {{id: a}}\nexperiments:\n  e:\n    description: d\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: dynamodb}}\n    targets: {{subnets: private}}\n    acknowledge: [no-stop-condition]\n",
        common::MINIMAL
    );
    let text = readme(&spec);
    for absent in [
        "load balancer",
        "probe",
        "curl",
        "instances",
        "NAT gateway |",
        "bills by the hour (see",
    ] {
        assert!(
            !text.contains(absent),
            "{absent} in a lab without an app:\n{text}"
        );
    }
    assert!(text.contains("table `mini-t`: 1 seed item."), "{text}");
    assert!(text.contains("1 experiment template, the role"), "{text}");
    assert!(
        text.contains("nothing in this lab bills by the hour"),
        "{text}"
    );

    // RDS Proxy, readers and auto-pause are said when present, with the proxy's finding.
    let blueprint =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("blueprint");
    let text = readme(&blueprint.replace(
        "aurora: {}",
        "aurora: {proxy: true, readers: 2, min_capacity: 0}",
    ));
    for want in [
        "`/products` | Aurora, through RDS Proxy |",
        "a writer and 2 readers in the other zones; the app connects through RDS Proxy.",
        "Minimum capacity 0 lets the database pause when idle",
        "| RDS Proxy | 1 | $0.12 |",
        "| CKV2_AWS_5 (security group not attached to a resource), on the RDS Proxy's group |",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
}

/// The Terraform resource and data source types of a generated tree, from its `.tf` files.
fn tree_types(files: &[chaoslab::output::GeneratedFile]) -> Vec<String> {
    let mut types: Vec<String> = files
        .iter()
        .filter(|f| f.name.ends_with(".tf"))
        .flat_map(|f| f.content.lines())
        .filter_map(|l| {
            l.strip_prefix("resource \"")
                .or_else(|| l.strip_prefix("data \""))
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        })
        .collect();
    types.sort();
    types.dedup();
    types
}

/// Every blueprint and the fixtures that use every action: the specs whose READMEs the
/// service list is checked on.
fn every_lab() -> Vec<std::path::PathBuf> {
    let mut specs = common::blueprints();
    for fixture in common::EVERY_ACTION_FIXTURES
        .into_iter()
        .chain(["lambda-lab.yaml"])
    {
        specs.push(common::root().join("tests/fixtures").join(fixture));
    }
    specs
}

/// "Before you apply" names the AWS services (with their IAM action prefixes) the applying
/// identity creates resources in: each one exactly when the tree has a resource of it. The
/// oracle is the tree itself: Terraform's type names carry the service.
#[test]
fn the_iam_services_to_apply_follow_what_the_tree_creates() {
    // (type prefixes of the tree, the service the README names for them)
    const SERVICES: &[(&[&str], &str)] = &[
        (&["aws_ecs_"], "Amazon ECS (`ecs`)"),
        (&["aws_lambda_"], "AWS Lambda (`lambda`)"),
        (&["aws_scheduler_"], "EventBridge Scheduler (`scheduler`)"),
        (&["aws_sqs_"], "Amazon SQS (`sqs`)"),
        (&["aws_cloudwatch_event_"], "Amazon EventBridge (`events`)"),
        (&["aws_rds_", "aws_db_"], "Amazon RDS (`rds`)"),
        (
            &["aws_lb"],
            "Elastic Load Balancing (`elasticloadbalancing`)",
        ),
        (
            &["aws_autoscaling_"],
            "Amazon EC2 Auto Scaling (`autoscaling`)",
        ),
        (&["aws_dynamodb_"], "Amazon DynamoDB (`dynamodb`)"),
        (&["aws_s3_"], "Amazon S3 (`s3`)"),
        (&["aws_fis_"], "AWS FIS (`fis`)"),
        (
            &["aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard"],
            "Amazon CloudWatch (`cloudwatch`)",
        ),
        (&["aws_cloudwatch_log_"], "Amazon CloudWatch Logs (`logs`)"),
        (&["aws_nat_gateway"], "NAT gateways"),
        (&["aws_eip"], "Elastic IPs"),
        (&["aws_iam_"], "AWS IAM (`iam`)"),
    ];
    let mut seen_ecs = false;
    for spec in every_lab() {
        let (lab, files) = common::generate_file(&spec);
        let readme = content(&files, "README.md");
        let start = readme
            .find("The identity needs")
            .unwrap_or_else(|| panic!("{}: no service list", lab.name));
        let end = start
            + readme[start..]
                .find("`AdministratorAccess`")
                .expect("the list ends");
        let list = &readme[start..end];
        let types = tree_types(&files);
        for (prefixes, service) in SERVICES {
            let used = types
                .iter()
                .any(|t| prefixes.iter().any(|p| t.starts_with(p)));
            assert_eq!(
                list.contains(service),
                used,
                "{}: {service} listed = {}, used by the tree = {used} ({types:?})\n{list}",
                lab.name,
                list.contains(service)
            );
        }
        // The ECS task faults' sidecars register through SSM activations the task role
        // creates: the README says how to find and remove what a killed task leaves.
        let sidecar = files.iter().any(|f| f.name == "app/ssm_agent_sidecar.sh");
        seen_ecs |= sidecar;
        assert_eq!(
            readme.contains("aws ssm describe-activations"),
            sidecar,
            "{}: SSM activation clean-up said iff the tasks carry the sidecar",
            lab.name
        );
    }
    assert!(seen_ecs, "no lab with the SSM agent sidecar was checked");
}

/// A lab with a schedule says at its top, before anything else, that once applied it runs an
/// experiment on its own: which, what it does, how often, and how to pause it.
#[test]
fn a_scheduled_lab_says_at_the_top_what_it_does_on_its_own() {
    let top = |readme: &str| {
        readme
            .split("## What is in it")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let program = std::fs::read_to_string(common::root().join("blueprints/chaos-program.yaml"))
        .expect("blueprint");
    let head = top(&readme(&program));
    for want in [
        "**Once applied, this lab starts experiments on its own.**",
        "`weekly-instance-loss`",
        "every Tuesday at 10:00 (time zone `Europe/Paris`, `cron(0 10 ? * TUE *)`)",
        "`aws:ec2:stop-instances`",
        "selection COUNT(1)",
        "aws scheduler update-schedule",
        "`enabled: false`",
    ] {
        assert!(head.contains(want), "missing {want} in\n{head}");
    }
    for spec in common::blueprints() {
        let text = std::fs::read_to_string(&spec).expect("blueprint");
        if !text.contains("schedule:") {
            assert!(
                !top(&readme(&text)).contains("on its own"),
                "{}",
                spec.display()
            );
        }
    }
    // A rate, and a schedule created paused.
    let paused = program.replace(
        "expression: cron(0 10 ? * TUE *)\n      timezone: Europe/Paris",
        "expression: rate(7 days)\n      timezone: Europe/Paris\n      enabled: false",
    );
    assert_ne!(paused, program, "the blueprint's schedule moved");
    let head = top(&readme(&paused));
    assert!(
        head.contains("every 7 days") && head.contains("created paused"),
        "{head}"
    );
}

/// A workshop with `tenants:` says how many VPCs, Elastic IPs and NAT gateways it needs
/// against the default quotas (data with its source), and what all tenants cost together.
#[test]
fn a_workshop_says_what_it_needs_against_the_default_quotas_and_its_total_cost() {
    let blueprint =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("blueprint");
    let single = readme(&blueprint);
    let hourly = |text: &str| -> f64 {
        let at = text.find("roughly $").expect("a cost") + "roughly $".len();
        text[at..]
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a price")
    };
    let one = hourly(&single);
    assert!(
        !single.contains("per Availability Zone"),
        "no quota table without tenants"
    );

    let six = readme(&format!("{blueprint}\ntenants: [t1, t2, t3, t4, t5, t6]\n"));
    for want in [
        "| VPCs (each with its internet gateway) per Region | 1 | 6 | 5 |",
        "| Elastic IP addresses per Region | 1 | 6 | 5 |",
        "| NAT gateways per Availability Zone | 1 | 6 | 5 |",
        "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
        "read 2026-12-07",
        "6 tenants need more than the default quotas",
    ] {
        assert!(six.contains(want), "missing {want} in\n{six}");
    }
    let total = format!("${:.4}", 6.0 * one);
    let total = total.trim_end_matches('0');
    assert!(
        six.contains(&format!("all 6 tenants together roughly {total} per hour")),
        "want {total} for 6 × ${one}:\n{six}"
    );

    // Per-zone NAT in two zones: two Elastic IPs and one NAT gateway per zone per tenant.
    let per_az = blueprint.replace("nat: single", "nat: per-az");
    let two = readme(&format!("{per_az}\ntenants: [t1, t2]\n"));
    for want in [
        "| VPCs (each with its internet gateway) per Region | 1 | 2 | 5 |",
        "| Elastic IP addresses per Region | 2 | 4 | 5 |",
        "| NAT gateways per Availability Zone | 1 | 2 | 5 |",
        "2 tenants fit in the default quotas",
    ] {
        assert!(two.contains(want), "missing {want} in\n{two}");
    }
}

/// Every resource and data source type chaoslab emits (the provider schema fixtures the
/// schema-conformance test holds the trees to) has its service in the README's table, or is
/// known to need none: a new type cannot silently drop out of the list.
#[test]
fn every_emitted_type_has_its_service() {
    use chaoslab::model::before_apply::{NO_SERVICE, types};
    let declared = types();
    for fixture in ["aws-schema.json", "archive-schema.json"] {
        let text = std::fs::read_to_string(common::root().join("tests/fixtures").join(fixture))
            .expect("fixture");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for kind in ["resource_schemas", "data_source_schemas"] {
            let Some(emitted) = schema[kind].as_object() else {
                continue;
            };
            for t in emitted.keys() {
                assert!(
                    declared.iter().any(|(k, _, _)| k == t) || NO_SERVICE.contains(&t.as_str()),
                    "{fixture}: `{t}` has no service in any kind's TYPES"
                );
            }
        }
    }
}

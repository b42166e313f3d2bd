//! The README generated into each lab tells the person applying it what to do next.

mod common;

fn readme(spec: &str) -> String {
    common::generate_str(spec)
        .into_iter()
        .find(|f| f.name == "README.md")
        .expect("README.md generated")
        .content
}

#[test]
fn reference_readme_covers_apply_experiments_and_destroy() {
    let (lab, files) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    let text = &files
        .iter()
        .find(|f| f.name == "README.md")
        .expect("README")
        .content;
    for section in [
        "## Inputs",
        "## Outputs",
        "## Apply",
        "## Run the experiments",
        "## Destroy",
        "## Lab trade-offs",
    ] {
        assert!(text.contains(section), "missing {section}");
    }
    for e in &lab.experiments {
        assert!(text.contains(&format!("### {}", e.name)));
        let cmd = format!(
            "$(terraform output -raw {}_start_command)",
            e.name.replace('-', "_")
        );
        assert!(text.contains(&cmd), "missing {cmd}");
    }
    // Every output the tree declares is documented.
    let outputs = &files
        .iter()
        .find(|f| f.name == "outputs.tf")
        .expect("outputs.tf")
        .content;
    for line in outputs.lines().filter_map(|l| l.strip_prefix("output \"")) {
        let name = line.split('"').next().unwrap_or_default();
        assert!(
            text.contains(&format!("| `{name}` |")),
            "output {name} not in README"
        );
    }
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

#[test]
fn readme_says_what_is_needed_before_apply_and_how_to_stop() {
    for lab in ["chaos-shop-dependencies", "chaos-shop-az-failure"] {
        let text = readme(
            &std::fs::read_to_string(common::root().join(format!("blueprints/{lab}.yaml")))
                .expect("blueprint"),
        );
        for want in [
            "## Before you apply",
            "**Terraform `>= 1.5.0`**",
            "Terraform\n  1.0.3, but only for `terraform fmt`",
            "**AWS credentials**",
            "`iam:PassRole`",
            "**Region** `us-east-1` by default",
            "`terraform apply` takes about 15 to 25 minutes",
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

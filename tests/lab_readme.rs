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
    assert!(text.contains("`/products/<id>/reviews` | DynamoDB table `reviews`"));
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

//! What the model emits for a given spec: guardrails, credentials, network and versions.

mod common;

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

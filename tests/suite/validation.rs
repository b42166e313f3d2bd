//! One spec per rule: each mistake is reported with its code, position, field and fix.

/// The reference-like spec the cases edit.
const BASE: &str = "\
lab: demo
region: us-east-1
network:
  cidr: 10.0.0.0/16
  azs: 2
  public: [10.0.1.0/24, 10.0.2.0/24]
  private: [10.0.11.0/24, 10.0.12.0/24]
dynamodb:
  reviews:
    hash_key: {name: product_id, type: S}
    items:
      - {product_id: '1', text: ok}
s3:
  promo:
    objects:
      promo.json: {content: '{}'}
app: {}
aurora: {}
experiments:
  cut-reviews:
    description: Block DynamoDB
    action: aws:network:disrupt-connectivity
    parameters: {duration: PT3M, scope: dynamodb}
    targets: {subnets: private}
    stop_conditions: [unhealthy-hosts]
";

fn errors(spec: &str) -> String {
    match chaoslab::load("spec.yaml", spec) {
        Ok(_) => panic!("spec was accepted:\n{spec}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn base_spec_is_valid() {
    chaoslab::load("spec.yaml", BASE).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn each_rule_reports_code_location_field_and_fix() {
    // (replace this, with that, expected fragments)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "  azs: 2",
            "  azs: 2\n  privte: []",
            &[
                "error[E003]: unknown key `privte`",
                "spec.yaml:6:3",
                "did you mean `private`?",
            ],
        ),
        (
            "region: us-east-1",
            "region: us-east",
            &[
                "error[E012]",
                "spec.yaml:2:9",
                "`us-east` is not an AWS Region code",
            ],
        ),
        (
            "lab: demo",
            "lab: Demo_Lab",
            &["error[E010]", "field: lab", "e.g. `demo-lab`"],
        ),
        (
            "10.0.12.0/24]",
            "10.0.12.0/33]",
            &["error[E020]", "invalid prefix length"],
        ),
        (
            "10.0.12.0/24]",
            "10.1.12.0/24]",
            &[
                "error[E021]",
                "outside the VPC 10.0.0.0/16",
                "field: network.private[1]",
            ],
        ),
        (
            "10.0.12.0/24]",
            "10.0.11.128/25]",
            &["error[E021]", "overlaps 10.0.11.0/24 (network.private[0])"],
        ),
        (
            "  azs: 2",
            "  azs: 3",
            &["error[E022]", "2 public subnets for 3 availability zones"],
        ),
        (
            "  azs: 2",
            "  azs: 2\n  nat: per_az",
            &["error[E023]", "did you mean `per-az`?"],
        ),
        (
            "type: S}",
            "type: X}",
            &["error[E023]", "field: dynamodb.reviews.hash_key.type"],
        ),
        (
            "{product_id: '1', text: ok}",
            "{product_id: 1, text: ok}",
            &["error[E030]", "must be of type S", "quote the value"],
        ),
        (
            "{product_id: '1', text: ok}",
            "{text: ok}",
            &["error[E030]", "seed item has no `product_id`"],
        ),
        (
            "promo.json:",
            "/promo.json:",
            &["error[E031]", "not a usable object key"],
        ),
        (
            "aws:network:disrupt-connectivity",
            "aws:network:disrupt-conectivity",
            &[
                "error[E040]",
                "did you mean `aws:network:disrupt-connectivity`?",
            ],
        ),
        (
            "duration: PT3M",
            "duration: 3M",
            &["error[E041]", "not an ISO 8601 duration"],
        ),
        (
            "duration: PT3M",
            "duration: PT13H",
            &["error[E041]", "outside PT1M..PT12H"],
        ),
        (
            "scope: dynamodb",
            "scope: dynamo",
            &["error[E041]", "did you mean `dynamodb`?"],
        ),
        (
            "duration: PT3M, scope: dynamodb",
            "scope: dynamodb",
            &["error[E041]", "needs the parameter `duration`"],
        ),
        (
            "scope: dynamodb}",
            "scope: dynamodb, scopes: s3}",
            &[
                "error[E041]",
                "has no parameter `scopes`",
                "did you mean `scope`?",
            ],
        ),
        (
            "{subnets: private}",
            "{subnet: private}",
            &[
                "error[E042]",
                "cannot target `subnet`",
                "did you mean `subnets`?",
            ],
        ),
        (
            "{subnets: private}",
            "{subnets: privte}",
            &["error[E043]", "did you mean `private`?"],
        ),
        (
            "[unhealthy-hosts]",
            "[unhealthy-host]",
            &[
                "error[E043]",
                "there is no alarm `unhealthy-host`",
                "did you mean `unhealthy-hosts`?",
            ],
        ),
        ("aurora: {}\n", "", &["error[E043]", "no `aurora:` section"]),
        (
            "app: {}",
            "app: {reviews: review}",
            &[
                "error[E043]",
                "no DynamoDB table `review`",
                "did you mean `reviews`?",
            ],
        ),
        (
            "app: {}",
            "app: {promo: promo/banner.json}",
            &["error[E043]", "no S3 object `promo/banner.json`"],
        ),
        (
            "app: {}",
            "app: {timeouts: {connect: 0}}",
            &["error[E006]", "field: app.timeouts.connect", "from 1 to 60"],
        ),
        (
            "aurora: {}",
            "aurora: {min_capacity: 4, max_capacity: 2}",
            &["error[E050]", "exceeds max_capacity"],
        ),
        (
            "aurora: {}",
            "aurora: {min_capacity: 0.7}",
            &["error[E006]", "not a multiple of 0.5"],
        ),
        (
            "aurora: {}",
            "aurora: {engine: mysql}",
            &["error[E023]", "field: aurora.engine"],
        ),
        ("app: {}", "app: {instances: yes}", &["error[E004]"]),
        (
            "lab: demo",
            "lab: demo\nlab: again",
            &["error[E002]", "`lab` is given twice"],
        ),
    ];
    for (from, to, expected) in cases {
        assert!(BASE.contains(from), "case does not apply: {from}");
        let spec = BASE.replacen(from, to, 1);
        let err = errors(&spec);
        for fragment in *expected {
            assert!(
                err.contains(fragment),
                "`{to}`: missing `{fragment}` in:\n{err}"
            );
        }
        assert!(err.contains("= help: "), "`{to}`: no fix in:\n{err}");
    }
}

#[test]
fn several_errors_are_reported_in_one_run() {
    let spec = BASE
        .replace("region: us-east-1", "region: nowhere")
        .replace("scope: dynamodb", "scope: nope");
    let err = errors(&spec);
    assert!(
        err.contains("error[E012]") && err.contains("error[E041]"),
        "{err}"
    );
    assert!(err.contains("spec.yaml rejected: 2 errors"), "{err}");
}

/// `expect:` and its defaults: what `chaoslab verify` judges and the lab README states.
#[test]
fn the_hypothesis_defaults_from_the_fault_and_follows_the_spec() {
    let hypothesis = |spec: &str, experiment: &str| {
        let lab = chaoslab::load("spec.yaml", spec).unwrap_or_else(|e| panic!("{e}"));
        let e = lab.experiments.iter().find(|e| e.name == experiment);
        e.and_then(|e| e.hypothesis.clone()).expect("a hypothesis")
    };
    let h = hypothesis(BASE, "cut-reviews");
    assert_eq!(
        (h.degraded, h.healthy, h.tolerance),
        (
            vec!["reviews".to_owned()],
            vec!["products".to_owned(), "promo".to_owned()],
            99.0
        )
    );
    // Claiming the cut endpoint healthy (a cache would serve it) takes it out of the default.
    let cached = BASE.replace(
        "    stop_conditions: [unhealthy-hosts]\n",
        "    stop_conditions: [unhealthy-hosts]\n    expect: {healthy: [reviews], tolerance: 95}\n",
    );
    let h = hypothesis(&cached, "cut-reviews");
    assert!(h.degraded.is_empty(), "{h:?}");
    assert_eq!((h.healthy, h.tolerance), (vec!["reviews".to_owned()], 95.0));
    // A failover may fail the catalog for a moment: by default it is not judged.
    let failover = BASE.replace("aurora: {}\n", "aurora: {readers: 1}\n")
        + "  failover:\n    description: Fail over\n    action: aws:rds:failover-db-cluster\n    targets: {clusters: aurora}\n    stop_conditions: [unhealthy-hosts]\n";
    let h = hypothesis(&failover, "failover");
    assert!(h.degraded.is_empty());
    assert_eq!(h.healthy, ["reviews", "promo"]);
}

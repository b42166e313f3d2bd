//! reports.tf: the bucket FIS writes experiment reports to, when an experiment asks for one
//! (`report:`). Each experiment's reports go under its own prefix; the template's
//! `experiment_report_configuration` (fis.tf) and the role's rights (fis_iam.tf) name it.

use super::{Accepted, Tree, s3};
use crate::base::address::REPORTS;
use crate::experiments::Lab;

const FILE: &str = "reports.tf";
/// Terraform name of the report bucket (and of its settings resources).
pub const REPORTS_ID: &str = "fis_reports";

/// Whether any experiment of the lab asks for a report.
pub fn wanted(lab: &Lab) -> bool {
    lab.experiments.iter().any(|e| e.report.is_some())
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if !wanted(lab) {
        return;
    }
    tree.accept(&REPORT_BUCKET);
    s3::private_bucket(tree, FILE, REPORTS_ID, crate::experiments::report::BUCKET);
    tree.output(
        "fis_reports_bucket",
        "S3 bucket FIS writes experiment reports to (one prefix per experiment).",
        REPORTS.attr("bucket"),
    );
}

/// The key prefix of one experiment's reports.
pub fn prefix(experiment: &str) -> String {
    format!("{experiment}/")
}

const REPORT_BUCKET: Accepted = Accepted {
    findings: "CKV_AWS_144, CKV_AWS_145, CKV_AWS_18, CKV2_AWS_61, CKV2_AWS_62 (S3 replication, KMS, access logs, lifecycle, notifications)",
    reason: "the report bucket holds a few PDFs per run and goes with the lab; it is private, versioned and SSE-S3 encrypted",
};

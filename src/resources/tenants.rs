//! `state:` and `tenants:`: one tree, many labs, each with its own names and its own state.

use super::MAX_PREFIX;
use super::checker::Validator;
use super::s3::bucket_name_problem;
use crate::base::diag::problems;
use crate::spec::{RawState, Spanned, pos};

/// The S3 backend's settings (the only remote backend chaoslab emits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// `None`: the backend files name a placeholder the user replaces.
    pub bucket: Option<String>,
}

/// Tenants one spec may list. A tenant is a whole copy of the lab (its VPC, NAT gateway, load
/// balancer, database, experiment templates) with its own name prefix, so that tenants can
/// share an account and Region; there they share its quotas, and FIS's "Experiment templates"
/// quota (500 per account and Region, not adjustable; "Quotas and limitations", AWS FIS User
/// Guide, <https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html>, read 2026-12-07)
/// is full at 100 tenants of a 5-experiment lab. A GameDay or a workshop runs a few dozen.
pub const MAX_TENANTS: usize = 100;

problems! {
    /// What can be wrong in `state:` and `tenants:`.
    pub enum Problem in "resources::tenants::Problem" {
        /// `why` completes "it …" (from `bucket_name_problem`).
        BadStateBucket { bucket: String, why: String } => E010,
        TooManyTenants { count: usize } => E008,
        /// `room`: the characters the prefix leaves a tenant name.
        TenantPrefixTooLong { prefix: String, tenant: String, room: usize } => E010,
        TenantTwice { tenant: String } => E010,
        TenantPrefixOfAnother { tenant: String, other: String, prefix: String } => E010,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::BadStateBucket { bucket, why } => {
                format!("`{bucket}` is not an S3 bucket name: it {why}")
            }
            Problem::TooManyTenants { count } => {
                format!("a spec lists at most {MAX_TENANTS} tenants; this one lists {count}")
            }
            Problem::TenantPrefixTooLong { prefix, tenant, .. } => format!(
                "the tenant's name prefix `{prefix}-{tenant}` would be {} + 1 + {} = {} characters; the limit is {MAX_PREFIX}",
                prefix.len(),
                tenant.len(),
                prefix.len() + 1 + tenant.len()
            ),
            Problem::TenantTwice { tenant } => format!("tenant `{tenant}` is listed twice"),
            Problem::TenantPrefixOfAnother {
                tenant,
                other,
                prefix,
            } => format!(
                "tenant `{tenant}` is tenant `{other}` followed by a hyphen, so their AWS names could collide (`{prefix}-{other}` + `-…`)"
            ),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::BadStateBucket { .. } => "S3 bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not shaped like an IP address, without a prefix or suffix S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, .mrap, --x-s3, --table-s3)".to_owned(),
            Problem::TooManyTenants { .. } => format!("keep at most {MAX_TENANTS} tenants per spec: split them over several specs (each its own lab name), or over several accounts"),
            Problem::TenantPrefixTooLong { room: 0, .. } => format!("shorten `prefix` to leave room for `-<tenant>` within {MAX_PREFIX} characters"),
            Problem::TenantPrefixTooLong { room, .. } => format!("use at most {room} characters for tenant names, or shorten `prefix`"),
            Problem::TenantTwice { .. } => "list each tenant once: two tenants with one name would share every AWS name and the state".to_owned(),
            Problem::TenantPrefixOfAnother { tenant, .. } => format!("rename one of them so neither starts with the other and a hyphen, e.g. `{}`", tenant.replace('-', "")),
        }
    }
}

impl Validator {
    pub(crate) fn state(&mut self, raw: &Spanned<RawState>) -> State {
        let backend = &raw.value.backend;
        if backend.value != "s3" {
            self.choice(backend, "state.backend", &backend.value, &["s3"]);
        }
        let bucket = raw.value.bucket.as_ref().map(|b| {
            if let Some(why) = bucket_name_problem(&b.value) {
                let bucket = b.value.clone();
                self.flag(
                    pos(b),
                    "state.bucket",
                    Problem::BadStateBucket { bucket, why },
                );
            }
            b.value.clone()
        });
        State { bucket }
    }

    /// Each tenant's names are `<prefix>-<tenant>-…`, so `<prefix>-<tenant>` must pass the
    /// same limit as the prefix itself (the `name_prefix` variable's validation says so too).
    pub(crate) fn tenants(&mut self, raw: &[Spanned<String>], prefix: &str) -> Vec<String> {
        if let Some(over) = raw.get(MAX_TENANTS) {
            // Refused before any per-tenant work, which compares tenants pairwise.
            let problem = Problem::TooManyTenants { count: raw.len() };
            self.flag(pos(over), format!("tenants[{MAX_TENANTS}]"), problem);
            return Vec::new();
        }
        let room = MAX_PREFIX.saturating_sub(prefix.len() + 1);
        let mut seen: Vec<&str> = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let field = format!("tenants[{i}]");
            // Length is judged below, with the arithmetic; here only the characters.
            self.name(t, &field, room.max(t.value.len()));
            let total = prefix.len() + 1 + t.value.len();
            if total > MAX_PREFIX {
                let problem = Problem::TenantPrefixTooLong {
                    prefix: prefix.to_owned(),
                    tenant: t.value.clone(),
                    room,
                };
                self.flag(pos(t), &field, problem);
            }
            if seen.contains(&t.value.as_str()) {
                let tenant = t.value.clone();
                self.flag(pos(t), &field, Problem::TenantTwice { tenant });
            }
            // `<prefix>-a` + `-b-x` is `<prefix>-a-b` + `-x`: tenant `a`'s names could be
            // tenant `a-b`'s.
            if let Some(other) = raw.iter().find(|o| {
                t.value
                    .strip_prefix(o.value.as_str())
                    .is_some_and(|rest| rest.starts_with('-'))
            }) {
                let problem = Problem::TenantPrefixOfAnother {
                    tenant: t.value.clone(),
                    other: other.value.clone(),
                    prefix: prefix.to_owned(),
                };
                self.flag(pos(t), &field, problem);
            }
            seen.push(&t.value);
        }
        raw.iter().map(|t| t.value.clone()).collect()
    }
}

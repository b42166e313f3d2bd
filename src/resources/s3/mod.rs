//! `s3:`: buckets and their objects.

use super::Validator;
use crate::base::diag::problems;
use crate::spec::{RawSpec, Spanned, pos};

pub mod model;

/// A lab bucket's name as the README and diagnostics show it before the account is known:
/// `<prefix>-<name>-<account id>` (the model appends the account id, see
/// [`model::private_bucket`]).
pub fn shown_name(prefix: &str, name: &str) -> String {
    format!("{prefix}-{name}-<account id>")
}

#[derive(Clone, Debug)]
pub struct Object {
    pub key: String,
    pub content: String,
    /// As given, or guessed from the key's extension.
    pub content_type: String,
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub name: String,
    /// Sorted by key.
    pub objects: Vec<Object>,
}

problems! {
    /// What can be wrong in `s3:` (and in the bucket names the prefix makes).
    pub enum Problem in "resources::s3::Problem" {
        BadObjectKey { key: String } => E031,
        /// `tenant`: the name prefix is a tenant's, not the lab's own.
        ReservedBucketPrefix { bucket: String, reserved: String, tenant: bool } => E010,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::BadObjectKey { key } => format!("`{key}` is not a usable object key"),
            Problem::ReservedBucketPrefix {
                bucket, reserved, ..
            } => format!(
                "the bucket name `{bucket}` starts with `{reserved}`, a prefix S3 reserves: S3 would refuse the bucket"
            ),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::BadObjectKey { .. } => "use a relative key of 1 to 1024 bytes without control characters, e.g. `promo.json`".to_owned(),
            Problem::ReservedBucketPrefix { reserved, tenant, .. } => {
                let fix = if *tenant {
                    "rename the tenant or change `prefix`"
                } else {
                    "change `prefix`"
                };
                format!("{fix} so that no bucket name starts with `{reserved}`")
            }
        }
    }
}

impl Validator {
    pub(crate) fn bucket(
        &mut self,
        name: &Spanned<String>,
        raw: &Spanned<crate::spec::RawBucket>,
    ) -> Bucket {
        let mut objects = Vec::new();
        for (k, o) in raw.value.objects.iter() {
            let field = format!("s3.{}.objects.{}", name.value, k.value);
            if k.value.is_empty()
                || k.value.len() > 1024
                || k.value.starts_with('/')
                || k.value.chars().any(char::is_control)
            {
                let key = k.value.clone();
                self.flag(pos(k), &field, Problem::BadObjectKey { key });
            }
            objects.push(Object {
                key: k.value.clone(),
                content: o.value.content.value.clone(),
                content_type: match &o.value.content_type {
                    Some(c) => c.value.clone(),
                    None => content_type_for(&k.value).to_owned(),
                },
            });
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Bucket {
            name: name.value.clone(),
            objects,
        }
    }
}

/// Source of the rules below: "General purpose bucket naming rules" (S3 User Guide,
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>), read
/// 2026-12-07. `sthree-configurator` is covered by `sthree-`.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];

/// Suffixes S3 keeps for names of other kinds, with what uses them.
const RESERVED_SUFFIXES: [(&str, &str); 5] = [
    ("-s3alias", "access point aliases"),
    ("--ol-s3", "Object Lambda Access Point aliases"),
    (".mrap", "Multi-Region Access Points"),
    ("--x-s3", "directory buckets"),
    ("--table-s3", "table buckets"),
];

/// The reserved prefix `name` starts with, if any.
pub(crate) fn reserved_prefix(name: &str) -> Option<&'static str> {
    RESERVED_PREFIXES.into_iter().find(|p| name.starts_with(p))
}

/// Why S3 refuses `name` for a general purpose bucket, or `None`.
pub(crate) fn bucket_name_problem(name: &str) -> Option<String> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let octets: Vec<&str> = name.split('.').collect();
    let ip_shaped = octets.len() == 4
        && octets
            .iter()
            .all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit()));
    if !(3..=63).contains(&name.len()) {
        Some(format!("is {} characters long, not 3 to 63", name.len()))
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        Some(format!(
            "holds `{}`: only lowercase letters, digits, dots and hyphens",
            c
        ))
    } else if !edge(name.chars().next()) || !edge(name.chars().last()) {
        Some("does not begin and end with a letter or digit".to_owned())
    } else if name.contains("..") {
        Some("holds two adjacent dots".to_owned())
    } else if ip_shaped {
        Some("is formatted as an IP address".to_owned())
    } else if let Some(p) = reserved_prefix(name) {
        Some(format!("starts with `{p}`, a prefix S3 reserves"))
    } else {
        RESERVED_SUFFIXES
            .iter()
            .find(|(suffix, _)| name.ends_with(suffix))
            .map(|(suffix, what)| format!("ends with `{suffix}`, which S3 reserves for {what}"))
    }
}

impl Validator {
    /// Every lab bucket is `<name prefix>-<bucket>-<account id>`: the prefix (and each
    /// tenant's) must not put a reserved prefix in front of any of them. `buckets` are the
    /// spec names of the buckets the lab makes (its own and chaoslab's).
    pub(crate) fn bucket_prefixes(&mut self, raw: &RawSpec, buckets: &[&str]) {
        let prefix = raw.prefix.as_ref().unwrap_or(&raw.lab);
        let mut name_prefixes = vec![(
            prefix.value.clone(),
            pos(prefix),
            "prefix".to_owned(),
            false,
        )];
        for (i, t) in raw.tenants.iter().enumerate() {
            name_prefixes.push((
                format!("{}-{}", prefix.value, t.value),
                pos(t),
                format!("tenants[{i}]"),
                true,
            ));
        }
        for (name_prefix, at, field, tenant) in name_prefixes {
            let clash = buckets.iter().find_map(|b| {
                let bucket = format!("{name_prefix}-{b}-<account id>");
                reserved_prefix(&bucket).map(|r| (bucket, r))
            });
            if let Some((bucket, reserved)) = clash {
                let reserved = reserved.to_owned();
                let problem = Problem::ReservedBucketPrefix {
                    bucket,
                    reserved,
                    tenant,
                };
                self.flag(at, field, problem);
            }
        }
    }
}

/// The content type S3 should serve an object with, from its key's extension.
fn content_type_for(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "css" => "text/css",
        "js" => "text/javascript",
        "csv" => "text/csv",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in [
            "abc",
            "my-state.bucket-1",
            "0abc",
            "chaos-lab-promo-123456789012",
            "192.168.5",
            "s3alias-state",
            "sthree",
        ] {
            assert_eq!(bucket_name_problem(ok), None, "{ok}");
        }
        let long = "a".repeat(64);
        for bad in [
            "ab",
            "Abc",
            "abc-",
            "-abc",
            "a..b",
            "a_b",
            long.as_str(),
            "192.168.5.4",
            "10.0.0.1",
            "xn--state",
            "sthree-state",
            "sthree-configurator-x",
            "amzn-s3-demo-bucket",
            "lab-state-s3alias",
            "lab-state--ol-s3",
            "lab-state.mrap",
            "lab-state--x-s3",
            "lab-state--table-s3",
        ] {
            assert!(bucket_name_problem(bad).is_some(), "{bad}");
        }
    }
}

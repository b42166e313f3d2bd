//! `s3:`: buckets and their objects.

use super::{Bucket, Object, Validator};
use crate::errors::Code;
use crate::spec::{Spanned, pos};

impl Validator {
    pub(super) fn bucket(
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
                self.err(Code::E031, pos(k), &field, format!("`{}` is not a usable object key", k.value), "use a relative key of 1 to 1024 bytes without control characters, e.g. `promo.json`");
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

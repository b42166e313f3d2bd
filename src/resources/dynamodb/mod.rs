//! `dynamodb:`: tables, their keys and seed items.

use super::Validator;
use crate::base::diag::problems;
use crate::base::regions;
use crate::spec::{Scalar, Spanned, pos};

pub mod model;

problems! {
    /// What can be wrong in `dynamodb:`.
    pub enum Problem in "resources::dynamodb::Problem" {
        EmptyKeyName => E030,
        RangeKeyRepeatsHashKey => E030,
        CapacityOnDemand => E027,
        ProvisionedWithoutCapacity => E005,
        SeedWithoutKey { key: String } => E030,
        SeedKeyType { key: String, kind: KeyType } => E030,
        SeedKeyTwice { id: String } => E030,
        NotARegion { code: String } => E012,
        ReplicaOtherPartition { code: String, name: String, partition: String, region: String, home: String } => E054,
        ReplicaInOwnRegion { code: String } => E054,
        ReplicaTwice { code: String } => E054,
        ReplicasProvisioned => E054,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::EmptyKeyName => "key attribute names are 1 to 255 bytes".to_owned(),
            Problem::RangeKeyRepeatsHashKey => "the range key repeats the hash key".to_owned(),
            Problem::CapacityOnDemand => "capacity is set but billing is on demand".to_owned(),
            Problem::ProvisionedWithoutCapacity => {
                "PROVISIONED billing needs read_capacity and write_capacity".to_owned()
            }
            Problem::SeedWithoutKey { key } => {
                format!("seed item has no `{key}` (the table's key)")
            }
            Problem::SeedKeyType { key, kind } => format!(
                "`{key}` must be of type {} to match the table's key",
                kind.as_str()
            ),
            Problem::SeedKeyTwice { id } => format!("two seed items have the key `{id}`"),
            Problem::NotARegion { code } => format!("`{code}` is not an AWS Region code"),
            Problem::ReplicaOtherPartition {
                code,
                name,
                partition,
                region,
                home,
            } => format!(
                "`{code}` ({name}) is in the `{partition}` partition and the lab's Region `{region}` in `{home}`: an account and its credentials belong to one partition, so the replica cannot be made"
            ),
            Problem::ReplicaInOwnRegion { code } => {
                format!("`{code}` is the lab's own Region, where the table already is")
            }
            Problem::ReplicaTwice { code } => format!("`{code}` is listed twice"),
            Problem::ReplicasProvisioned => "a provisioned global table needs auto scaling on every replica, which the lab does not build".to_owned(),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::EmptyKeyName => "name the key attribute, e.g. `product_id`".to_owned(),
            Problem::RangeKeyRepeatsHashKey => {
                "give the range key its own attribute name".to_owned()
            }
            Problem::CapacityOnDemand => {
                "remove read_capacity/write_capacity, or set `billing_mode: PROVISIONED`".to_owned()
            }
            Problem::ProvisionedWithoutCapacity => {
                "add `read_capacity: 1` and `write_capacity: 1`, or use PAY_PER_REQUEST".to_owned()
            }
            Problem::SeedWithoutKey { key } => format!("add `{key}:` to the item"),
            Problem::SeedKeyType { kind, .. } => match kind {
                KeyType::S => "quote the value to make it text, e.g. '3'",
                KeyType::N => "write a number without quotes",
                KeyType::B => "binary keys cannot be seeded from a spec; use S or N",
            }
            .to_owned(),
            Problem::SeedKeyTwice { .. } => "give each seed item a unique key".to_owned(),
            Problem::NotARegion { code } => regions::help(code),
            Problem::ReplicaOtherPartition { .. } => {
                "list replica Regions of the lab's own partition".to_owned()
            }
            Problem::ReplicaInOwnRegion { .. } => {
                "list only the other Regions that hold a replica".to_owned()
            }
            Problem::ReplicaTwice { .. } => "list each replica Region once".to_owned(),
            Problem::ReplicasProvisioned => {
                "use `billing_mode: PAY_PER_REQUEST` (the default) for a replicated table"
                    .to_owned()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyType {
    #[default]
    S,
    N,
    B,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Key {
    pub name: String,
    pub kind: KeyType,
}

#[derive(Clone, Debug)]
pub enum Billing {
    PayPerRequest,
    Provisioned { read: u32, write: u32 },
}

/// A DynamoDB attribute value in a seed item.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    S(String),
    N(String),
    Bool(bool),
}

#[derive(Clone, Debug)]
pub struct Item {
    /// Stable `for_each` key: hash key value, then `#` and the range key value.
    pub id: String,
    /// Sorted by attribute name.
    pub attrs: Vec<(String, AttrValue)>,
}

#[derive(Clone, Debug)]
pub struct Table {
    /// Spec name; also the Terraform resource name.
    pub name: String,
    pub hash_key: Key,
    pub range_key: Option<Key>,
    pub billing: Billing,
    /// Sorted by id.
    pub items: Vec<Item>,
    /// Replica Regions, in spec order; none for a single-Region table.
    pub replicas: Vec<String>,
}

impl Validator {
    pub(crate) fn key(&mut self, raw: &Spanned<crate::spec::RawKey>, field: &str) -> Key {
        let k = &raw.value;
        if k.name.value.is_empty() || k.name.value.len() > 255 {
            self.flag(pos(&k.name), format!("{field}.name"), Problem::EmptyKeyName);
        }
        let kind = match k.kind.value.as_str() {
            "S" => KeyType::S,
            "N" => KeyType::N,
            "B" => KeyType::B,
            other => {
                self.choice(&k.kind, &format!("{field}.type"), other, &["S", "N", "B"]);
                KeyType::S
            }
        };
        Key {
            name: k.name.value.clone(),
            kind,
        }
    }

    pub(crate) fn table(
        &mut self,
        name: &Spanned<String>,
        raw: &Spanned<crate::spec::RawTable>,
        region: &str,
    ) -> Table {
        let t = &raw.value;
        let field = format!("dynamodb.{}", name.value);
        let hash_key = self.key(&t.hash_key, &format!("{field}.hash_key"));
        let range_key = t
            .range_key
            .as_ref()
            .map(|r| self.key(r, &format!("{field}.range_key")));
        if let (Some(r), Some(raw_r)) = (&range_key, &t.range_key)
            && r.name == hash_key.name
        {
            let problem = Problem::RangeKeyRepeatsHashKey;
            self.flag(pos(raw_r), format!("{field}.range_key"), problem);
        }
        let billing = match t.billing_mode.as_ref().map(|b| (b, b.value.as_str())) {
            None | Some((_, "PAY_PER_REQUEST")) => {
                for cap in [&t.read_capacity, &t.write_capacity].into_iter().flatten() {
                    let problem = Problem::CapacityOnDemand;
                    self.flag(pos(cap), format!("{field}.billing_mode"), problem);
                }
                Billing::PayPerRequest
            }
            Some((b, "PROVISIONED")) => match (&t.read_capacity, &t.write_capacity) {
                (Some(r), Some(w)) if r.value > 0 && w.value > 0 => Billing::Provisioned {
                    read: r.value,
                    write: w.value,
                },
                _ => {
                    let problem = Problem::ProvisionedWithoutCapacity;
                    self.flag(pos(b), format!("{field}.billing_mode"), problem);
                    Billing::PayPerRequest
                }
            },
            Some((b, other)) => {
                self.choice(
                    b,
                    &format!("{field}.billing_mode"),
                    other,
                    &["PAY_PER_REQUEST", "PROVISIONED"],
                );
                Billing::PayPerRequest
            }
        };
        let mut items: Vec<Item> = Vec::new();
        for (i, raw_item) in t.items.iter().enumerate() {
            let ifield = format!("{field}.items[{i}]");
            let mut attrs = Vec::new();
            for (k, v) in raw_item.value.iter() {
                let value = match &v.value {
                    Scalar::Text(s) => AttrValue::S(s.clone()),
                    Scalar::Number(n) => AttrValue::N(n.clone()),
                    Scalar::Bool(b) => AttrValue::Bool(*b),
                };
                attrs.push((k.value.clone(), value));
            }
            attrs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut id = Vec::new();
            for key in std::iter::once(&hash_key).chain(range_key.as_ref()) {
                match attrs.iter().find(|(n, _)| *n == key.name) {
                    None => {
                        let key = key.name.clone();
                        self.flag(pos(raw_item), &ifield, Problem::SeedWithoutKey { key });
                    }
                    Some((_, value)) => match (key.kind, value) {
                        (KeyType::S, AttrValue::S(s)) => id.push(s.clone()),
                        (KeyType::N, AttrValue::N(n)) => id.push(n.clone()),
                        _ => {
                            let problem = Problem::SeedKeyType {
                                key: key.name.clone(),
                                kind: key.kind,
                            };
                            self.flag(pos(raw_item), format!("{ifield}.{}", key.name), problem);
                        }
                    },
                }
            }
            let id = id.join("#");
            if items.iter().any(|it| it.id == id) {
                let id = id.clone();
                self.flag(pos(raw_item), &ifield, Problem::SeedKeyTwice { id });
            }
            items.push(Item { id, attrs });
        }
        items.sort_by(|a, b| a.id.cmp(&b.id));
        let replicas = self.replicas(&field, t, &billing, region);
        Table {
            replicas,
            name: name.value.clone(),
            hash_key,
            range_key,
            billing,
            items,
        }
    }

    /// Replica Regions: real Region codes, each once, none the lab's own. A provisioned
    /// global table needs auto scaling on every replica, which the lab does not build, so
    /// replicas take on-demand billing.
    /// Source: "Global tables: how it works" and "Best practices for global tables"
    /// (DynamoDB Developer Guide).
    fn replicas(
        &mut self,
        field: &str,
        t: &crate::spec::RawTable,
        billing: &Billing,
        region: &str,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, r) in t.replicas.iter().enumerate() {
            let rfield = format!("{field}.replicas[{i}]");
            let Some(found) = regions::find(&r.value) else {
                let code = r.value.clone();
                self.flag(pos(r), rfield, Problem::NotARegion { code });
                continue;
            };
            let home = regions::find(region).map(|h| h.partition);
            if home.is_some_and(|p| p != found.partition) {
                let problem = Problem::ReplicaOtherPartition {
                    code: r.value.clone(),
                    name: found.name.to_owned(),
                    partition: found.partition.to_owned(),
                    region: region.to_owned(),
                    home: home.unwrap_or_default().to_owned(),
                };
                self.flag(pos(r), rfield, problem);
            } else if r.value == region {
                let code = r.value.clone();
                self.flag(pos(r), rfield, Problem::ReplicaInOwnRegion { code });
            } else if out.contains(&r.value) {
                let code = r.value.clone();
                self.flag(pos(r), rfield, Problem::ReplicaTwice { code });
            } else {
                out.push(r.value.clone());
            }
        }
        if let (Some(first), Billing::Provisioned { .. }) = (t.replicas.first(), billing) {
            let problem = Problem::ReplicasProvisioned;
            self.flag(pos(first), format!("{field}.replicas"), problem);
        }
        out
    }
}

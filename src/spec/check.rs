//! The loader's first pass: every unknown key, wrong-typed value and missing key of a spec, in
//! one run.
//!
//! It drives the raw types' own `Deserialize` impls over the untyped [`Node`] tree with a
//! deserializer that records a problem and carries on with a placeholder instead of stopping. The
//! key sets come from serde (`deserialize_struct` is handed the field names) and the leaf types
//! from the call serde makes (`deserialize_u32`, ...), so nothing here repeats the spec format. A
//! scalar is judged by serde-saphyr itself, re-reading its source text as the requested type, so
//! this pass accepts exactly what the typed pass accepts. The value it builds is thrown away.
//!
//! Missing keys rest on one convention of the raw types: a required field is a bare
//! `Spanned<T>`; an optional one is an `Option<_>` or a collection with `#[serde(default)]`.

use std::cell::RefCell;
use std::fmt;

use serde::de::value::{MapDeserializer, StrDeserializer, UnitDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use serde_saphyr::Spanned;

use super::Problem;
use super::tree::{Node, pos_of, source_text};
use crate::base::diag::Problem as _;
use crate::base::errors::{Diagnostic, Pos};
use crate::base::suggest::suggest;

/// The name serde-saphyr's `Spanned<T>` asks for, and the first key of the map its own
/// deserializer hands back (`spanned.rs` in serde-saphyr 2.2; the loader tests pin it).
const SPANNED: &str = "__yaml_spanned";
const SPANNED_MARKER: &str = "__serde_saphyr_private_spanned";

/// Every shape problem of the spec, sorted by position.
pub fn check<T: DeserializeOwned>(tree: &Spanned<Node>, source: &str) -> Vec<Diagnostic> {
    let sink = Sink {
        source,
        diags: RefCell::new(Vec::new()),
    };
    let root = Probe {
        sink: &sink,
        at: At::Node(tree),
        path: String::new(),
        key: Pos { line: 1, column: 1 },
    };
    if let Err(stop) = T::deserialize(root) {
        // A raw type refused a placeholder; report what it said where it said it.
        let problem = Problem::Refused {
            message: stop.message,
        };
        sink.push(problem.at(stop.pos, stop.field));
    }
    let mut diags = sink.diags.into_inner();
    diags.sort_by_key(|d| (d.pos, d.code));
    diags
}

struct Sink<'a> {
    source: &'a str,
    diags: RefCell<Vec<Diagnostic>>,
}

impl Sink<'_> {
    fn push(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }
}

#[derive(Clone, Copy)]
enum At<'a> {
    Node(&'a Spanned<Node>),
    /// The key is not in its mapping.
    Absent,
    /// Stands in for a value already reported; reports nothing more.
    Quiet,
}

/// A place in the tree, with the dotted field path and the position of the key that leads
/// there (where a missing key below it is reported).
struct Probe<'a> {
    sink: &'a Sink<'a>,
    at: At<'a>,
    path: String,
    key: Pos,
}

/// The only error of this pass: a raw type's own `Deserialize` gave up on a placeholder.
#[derive(Debug)]
pub struct Stop {
    message: String,
    pos: Pos,
    field: String,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Stop {
            message: msg.to_string(),
            pos: Pos::default(),
            field: String::new(),
        }
    }
}

impl<'a> Probe<'a> {
    fn child(&self, at: &'a Spanned<Node>, path: String, key: Pos) -> Probe<'a> {
        Probe {
            sink: self.sink,
            at: At::Node(at),
            path,
            key,
        }
    }

    fn dup(&self) -> Probe<'a> {
        Probe {
            sink: self.sink,
            at: self.at,
            path: self.path.clone(),
            key: self.key,
        }
    }

    fn quiet(self) -> Probe<'a> {
        Probe {
            at: At::Quiet,
            ..self
        }
    }

    fn node(&self) -> Option<&'a Spanned<Node>> {
        match self.at {
            At::Node(n) => Some(n),
            At::Absent | At::Quiet => None,
        }
    }

    fn report(&self, at: Pos, problem: Problem) {
        self.sink.push(problem.at(at, self.path.clone()));
    }

    /// Reports a value of the wrong shape (unless a placeholder) and returns a quiet stand-in.
    fn mismatch(self, problem: Problem) -> Probe<'a> {
        if let Some(n) = self.node() {
            let problem = if self.path.is_empty() {
                Problem::NotALab
            } else {
                problem
            };
            self.report(pos_of(n), problem);
        }
        self.quiet()
    }

    /// A scalar of type `T`, read by serde-saphyr from the value's source text; the default
    /// (after reporting `problem`) when it is not one.
    fn leaf<T: DeserializeOwned + Default>(&self, problem: Problem) -> T {
        let Some(n) = self.node() else {
            return T::default();
        };
        let parsed = match (&n.value, source_text(n, self.sink.source)) {
            (Node::Scalar(_), Some(text)) => {
                serde_saphyr::from_str_with_options::<T>(text, super::options()).ok()
            }
            // No source text to re-read: leave the verdict to the typed pass.
            (Node::Scalar(_), None) => return T::default(),
            _ => None,
        };
        parsed.unwrap_or_else(|| {
            self.report(pos_of(n), problem);
            T::default()
        })
    }

    fn text(&self) -> String {
        // Any scalar is text, except one tagged as something else (`!!int 5`).
        let tagged_other = |n: &Spanned<Node>| {
            source_text(n, self.sink.source).is_some_and(|t| {
                t.starts_with('!')
                    && serde_saphyr::from_str_with_options::<String>(t, super::options()).is_err()
            })
        };
        match self.node().map(|n| (n, &n.value)) {
            Some((n, Node::Scalar(s))) if !tagged_other(n) => s.clone(),
            Some(_) => {
                if let Some(n) = self.node() {
                    self.report(pos_of(n), Problem::ExpectedText);
                }
                String::new()
            }
            None => String::new(),
        }
    }

    /// Adds the position and field of this place to an error a raw type raised below it.
    fn locate(&self, mut stop: Stop) -> Stop {
        if stop.pos == Pos::default() {
            stop.pos = self.node().map_or(self.key, pos_of);
            stop.field.clone_from(&self.path);
        }
        stop
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

macro_rules! leaves {
    ($($method:ident => $ty:ty, $visit:ident, $problem:expr;)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
            let v: $ty = self.leaf($problem);
            visitor.$visit(v)
        })*
    };
}

impl<'de, 'a> Deserializer<'de> for Probe<'a> {
    type Error = Stop;

    leaves! {
        deserialize_bool => bool, visit_bool, Problem::ExpectedBool;
        deserialize_i8 => i8, visit_i8, Problem::ExpectedWhole;
        deserialize_i16 => i16, visit_i16, Problem::ExpectedWhole;
        deserialize_i32 => i32, visit_i32, Problem::ExpectedWhole;
        deserialize_i64 => i64, visit_i64, Problem::ExpectedWhole;
        deserialize_u8 => u8, visit_u8, Problem::ExpectedWhole;
        deserialize_u16 => u16, visit_u16, Problem::ExpectedWhole;
        deserialize_u32 => u32, visit_u32, Problem::ExpectedWhole;
        deserialize_u64 => u64, visit_u64, Problem::ExpectedWhole;
        deserialize_f32 => f32, visit_f32, Problem::ExpectedNumber;
        deserialize_f64 => f64, visit_f64, Problem::ExpectedNumber;
    }

    /// Serves typeless values (`Scalar`, ignored values) with the node's own shape.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        let Some(n) = self.node() else {
            return visitor.visit_unit();
        };
        let result = match &n.value {
            Node::Null => visitor.visit_unit(),
            Node::Scalar(s) => {
                // serde-saphyr refuses NaN and infinities where no type is asked for.
                let number = source_text(n, self.sink.source).and_then(|text| {
                    serde_saphyr::from_str_with_options::<f64>(text, super::options()).ok()
                });
                if number.is_some_and(|f| !f.is_finite()) {
                    let value = s.clone();
                    self.report(pos_of(n), Problem::NotFiniteScalar { value });
                }
                visitor.visit_str(s)
            }
            Node::Seq(items) => visitor.visit_seq(Items::new(&self, items)),
            Node::Map(entries) => visitor.visit_map(Entries::new(&self, entries)),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_string(self.text())
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_string(self.text())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_string(self.text())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.node().map(|n| &n.value) {
            None | Some(Node::Null) => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.node().map(|n| &n.value) {
            Some(Node::Seq(items)) => visitor.visit_seq(Items::new(&self, items)),
            None => visitor.visit_seq(Items::new(&self, &[])),
            Some(_) => {
                let quiet = self.mismatch(Problem::ExpectedList);
                visitor.visit_seq(Items::new(&quiet, &[]))
            }
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.node().map(|n| &n.value) {
            Some(Node::Map(entries)) => visitor.visit_map(Entries::new(&self, entries)),
            None => visitor.visit_map(Entries::new(&self, &[])),
            Some(_) => {
                let quiet = self.mismatch(Problem::ExpectedMap);
                visitor.visit_map(Entries::new(&quiet, &[]))
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        match self.node().map(|n| &n.value) {
            Some(Node::Map(entries)) => visitor.visit_map(Fields::new(&self, entries, fields)),
            None => visitor.visit_map(Fields::new(&self.quiet(), &[], fields)),
            Some(_) => {
                let quiet = self.mismatch(Problem::ExpectedFields);
                visitor.visit_map(Fields::new(&quiet, &[], fields))
            }
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Stop> {
        if name != SPANNED {
            return visitor.visit_newtype_struct(self);
        }
        // A bare `Spanned<T>` is a required field (see the module doc).
        let probe = match self.at {
            At::Absent => {
                let key = self
                    .path
                    .rsplit('.')
                    .next()
                    .unwrap_or(&self.path)
                    .to_owned();
                self.report(self.key, Problem::MissingKey { key });
                self.quiet()
            }
            At::Node(_) | At::Quiet => self,
        };
        visitor.visit_newtype_struct(SpannedForm(probe))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct enum
    }
}

/// The map serde-saphyr's deserializer hands `Spanned<T>`: a marker, the value, two locations.
struct SpannedForm<'a>(Probe<'a>);

impl<'de> Deserializer<'de> for SpannedForm<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_map(SpannedFields {
            probe: Some(self.0),
            next: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct SpannedFields<'a> {
    probe: Option<Probe<'a>>,
    next: usize,
}

const SPANNED_KEYS: [&str; 4] = [SPANNED_MARKER, "value", "referenced", "defined"];

impl<'de> MapAccess<'de> for SpannedFields<'_> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Stop> {
        let Some(key) = SPANNED_KEYS.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(StrDeserializer::<Stop>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        match self.next {
            2 => match self.probe.take() {
                Some(probe) => seed.deserialize(probe),
                None => Err(de::Error::custom("a located value was read twice")),
            },
            3 | 4 => {
                // The located value is thrown away, so the position does not matter.
                let at = [("line", 0u64), ("column", 0u64)];
                seed.deserialize(MapDeserializer::<_, Stop>::new(at.into_iter()))
            }
            _ => seed.deserialize(UnitDeserializer::<Stop>::new()),
        }
    }
}

/// The entries of a struct's mapping: unknown keys are reported and skipped, then every absent
/// field is handed over as [`At::Absent`] so that a required one reports itself (unless an
/// unknown key's "did you mean" already names it).
struct Fields<'a> {
    parent: Probe<'a>,
    entries: std::slice::Iter<'a, (Spanned<Node>, Spanned<Node>)>,
    fields: &'static [&'static str],
    seen: Vec<&'static str>,
    suggested: Vec<&'static str>,
    absent: std::slice::Iter<'static, &'static str>,
    value: Option<Probe<'a>>,
}

impl<'a> Fields<'a> {
    fn new(
        parent: &Probe<'a>,
        entries: &'a [(Spanned<Node>, Spanned<Node>)],
        fields: &'static [&'static str],
    ) -> Self {
        Fields {
            parent: parent.dup(),
            entries: entries.iter(),
            fields,
            seen: Vec::new(),
            suggested: Vec::new(),
            absent: fields.iter(),
            value: None,
        }
    }

    fn unknown(&mut self, key: &Spanned<Node>, name: &str) {
        if matches!(self.parent.at, At::Quiet) {
            return;
        }
        // A required key the help suggests is not reported missing as well.
        if let Some(s) = suggest(name, self.fields) {
            self.suggested.push(s);
        }
        let allowed = self.fields.iter().map(|f| (*f).to_owned()).collect();
        let problem = if name.is_empty() {
            Problem::NotPlainKey { allowed }
        } else {
            let key = name.to_owned();
            Problem::UnknownKey { key, allowed }
        };
        let field = join(&self.parent.path, name);
        self.parent.sink.push(problem.at(pos_of(key), field));
    }
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Stop> {
        while let Some((key, value)) = self.entries.next() {
            let name = match &key.value {
                Node::Scalar(s) => s.as_str(),
                _ => "",
            };
            let Some(field) = self.fields.iter().find(|f| **f == name) else {
                self.unknown(key, name);
                continue;
            };
            self.seen.push(field);
            self.value = Some(self.parent.child(
                value,
                join(&self.parent.path, field),
                pos_of(key),
            ));
            return seed
                .deserialize(StrDeserializer::<Stop>::new(field))
                .map(Some);
        }
        for field in self.absent.by_ref() {
            if self.seen.contains(field) {
                continue;
            }
            self.value = Some(Probe {
                sink: self.parent.sink,
                at: match self.parent.at {
                    At::Node(_) | At::Absent if !self.suggested.contains(field) => At::Absent,
                    _ => At::Quiet,
                },
                path: join(&self.parent.path, field),
                key: self.parent.key,
            });
            return seed
                .deserialize(StrDeserializer::<Stop>::new(field))
                .map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        value(&mut self.value, seed)
    }
}

/// The entries of a mapping of user-chosen names: keys and values as they are.
struct Entries<'a> {
    parent: Probe<'a>,
    entries: std::slice::Iter<'a, (Spanned<Node>, Spanned<Node>)>,
    value: Option<Probe<'a>>,
}

impl<'a> Entries<'a> {
    fn new(parent: &Probe<'a>, entries: &'a [(Spanned<Node>, Spanned<Node>)]) -> Self {
        Entries {
            parent: parent.dup(),
            entries: entries.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Stop> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let name = match &key.value {
            Node::Scalar(s) => s.as_str(),
            _ => "",
        };
        let path = join(&self.parent.path, name);
        self.value = Some(self.parent.child(value, path.clone(), pos_of(key)));
        seed.deserialize(self.parent.child(key, path, pos_of(key)))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        value(&mut self.value, seed)
    }
}

/// The items of a list, each with its index in the field path.
struct Items<'a> {
    parent: Probe<'a>,
    items: std::iter::Enumerate<std::slice::Iter<'a, Spanned<Node>>>,
}

impl<'a> Items<'a> {
    fn new(parent: &Probe<'a>, items: &'a [Spanned<Node>]) -> Self {
        Items {
            parent: parent.dup(),
            items: items.iter().enumerate(),
        }
    }
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Stop;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Stop> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let probe = self
            .parent
            .child(item, format!("{}[{i}]", self.parent.path), pos_of(item));
        seed.deserialize(probe).map(Some)
    }
}

/// The value of the entry whose key was just handed over.
fn value<'de, V: DeserializeSeed<'de>>(
    next: &mut Option<Probe<'_>>,
    seed: V,
) -> Result<V::Value, Stop> {
    match next.take() {
        Some(probe) => seed.deserialize(probe),
        None => Err(de::Error::custom("a value was asked for before its key")),
    }
}

//! JSON and YAML documents for the readers: the spec loader's own located tree
//! (`spec::tree`), read under the spec's budgets, JSON being YAML; CloudFormation's short-form
//! tags (`!Ref X`) read as their plain value.

use serde_saphyr::Spanned;

pub use crate::spec::tree::Node;

use super::At;
use crate::base::errors::{Diagnostic, Pos};

/// Reads a JSON or YAML document; a syntax error is E002 where it is.
pub fn parse(text: &str) -> Result<Spanned<Node>, Diagnostic> {
    crate::spec::document(text)
}

/// Where a node starts.
pub fn pos<T>(node: &Spanned<T>) -> Pos {
    crate::spec::pos(node)
}

/// What the readers ask of a node.
pub trait Doc {
    /// The value of `key` in a map.
    fn get(&self, key: &str) -> Option<&Spanned<Node>>;
    /// A map's entries with their keys' text, else none.
    fn entries(&self) -> Vec<(At<String>, &Spanned<Node>)>;
    /// A list's items, else none.
    fn items(&self) -> &[Spanned<Node>];
    /// A scalar's text: a string, or a number or boolean as written.
    fn text(&self) -> Option<&str>;
}

impl Doc for Node {
    fn get(&self, key: &str) -> Option<&Spanned<Node>> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.value.text() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn entries(&self) -> Vec<(At<String>, &Spanned<Node>)> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .filter_map(|(k, v)| Some((At::new(k.value.text()?.to_owned(), pos(k)), v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn items(&self) -> &[Spanned<Node>] {
        match self {
            Node::Seq(items) => items,
            _ => &[],
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_and_cloudformation_yaml_with_positions() {
        let json =
            parse("{\n  \"actions\": {\"a\": {\"actionId\": \"aws:fis:wait\"}}\n}").expect("json");
        let id = json
            .value
            .get("actions")
            .and_then(|a| a.value.get("a"))
            .and_then(|a| a.value.get("actionId"))
            .expect("id");
        assert_eq!(id.value.text(), Some("aws:fis:wait"));
        assert_eq!((pos(id).line, pos(id).column), (2, 33));
        let yaml = "Resources:\n  T:\n    Type: AWS::FIS::ExperimentTemplate\n    Properties:\n      RoleArn: !GetAtt Role.Arn\n      Tags: {a: !Ref B}\n";
        let cfn = parse(yaml).expect("yaml with tags");
        let props = cfn
            .value
            .get("Resources")
            .and_then(|r| r.value.get("T"))
            .and_then(|t| t.value.get("Properties"))
            .expect("props");
        assert_eq!(
            props.value.get("RoleArn").and_then(|r| r.value.text()),
            Some("Role.Arn")
        );
        assert_eq!(
            parse("{\"a\": [1,\n}")
                .map_err(|d| d.code.to_string())
                .err(),
            Some("E002".to_owned())
        );
    }
}

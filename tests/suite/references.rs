//! Terraform references are checked when the tree is built: the renames that once passed the
//! whole suite (the app role in an FIS target, the auto-scaling group's `depends_on`) now fail.

use crate::common;

use chaoslab::base::address;
use chaoslab::base::hcl::{Block, Expr, File, Item, Part};

fn every_action_model() -> Vec<File> {
    let path = common::root().join("tests/fixtures/every-action.yaml");
    let source = std::fs::read_to_string(&path).expect("fixture");
    let lab = chaoslab::load("every-action.yaml", &source).expect("loads");
    chaoslab::model::build(&lab).expect("builds").files
}

/// Renames every reference `from` in `file` to `to`; returns how many it renamed.
fn rename(files: &mut [File], file: &str, from: &str, to: &str) -> usize {
    fn expr(e: &mut Expr, from: &str, to: &str) -> usize {
        match e {
            Expr::Ref(r) if r == from => {
                *r = to.to_owned();
                1
            }
            Expr::List(v) | Expr::Call(_, v) => v.iter_mut().map(|e| expr(e, from, to)).sum(),
            Expr::Map(m) => m.iter_mut().map(|(_, e)| expr(e, from, to)).sum(),
            Expr::Template(parts) => parts
                .iter_mut()
                .map(|p| match p {
                    Part::Interp(e) => expr(e, from, to),
                    Part::Lit(_) => 0,
                })
                .sum(),
            Expr::Add(e, _) => expr(e, from, to),
            _ => 0,
        }
    }
    fn block(b: &mut Block, from: &str, to: &str) -> usize {
        b.body
            .iter_mut()
            .map(|i| match i {
                Item::Attr(_, e) => expr(e, from, to),
                Item::Block(b) => block(b, from, to),
                Item::Blank => 0,
            })
            .sum()
    }
    files
        .iter_mut()
        .filter(|f| f.name == file)
        .flat_map(|f| f.blocks.iter_mut())
        .map(|b| block(b, from, to))
        .sum()
}

#[test]
fn the_built_tree_declares_every_reference() {
    for spec in common::blueprints() {
        let (lab, _) = common::generate_file(&spec);
        let files = chaoslab::model::build(&lab).expect("builds").files;
        assert_eq!(address::check(&files), Ok(()), "{}", spec.display());
    }
}

#[test]
fn renaming_a_reference_fails_the_build() {
    for (file, from, to) in [
        ("fis.tf", "aws_iam_role.app.arn", "aws_iam_role.ap.arn"),
        (
            "compute.tf",
            "aws_rds_cluster_instance.writer",
            "aws_rds_cluster_instance.writr",
        ),
    ] {
        let mut files = every_action_model();
        assert_eq!(address::check(&files), Ok(()));
        assert!(
            rename(&mut files, file, from, to) > 0,
            "{from} not in {file}"
        );
        assert_eq!(
            address::check(&files),
            Err(address::Undeclared(to.to_owned(), file)),
            "{file}: {from} → {to}"
        );
    }
}

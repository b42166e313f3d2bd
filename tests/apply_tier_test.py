#!/usr/bin/env python3
"""Unit tests of scripts/apply-tier's judgement (run by tests/suite/apply_tier.rs): what fails
a tree, what a listed gap must show to stay listed, how a copy is cut, what counts as a
re-plan change. The tier itself (minutes, the real provider) runs from scripts/test."""

import importlib.machinery
import importlib.util
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_loader = importlib.machinery.SourceFileLoader("apply_tier", str(ROOT / "scripts" / "apply-tier"))
_spec = importlib.util.spec_from_loader("apply_tier", _loader)
tier = importlib.util.module_from_spec(_spec)
_loader.exec_module(tier)

PATCH_GAP = {"id": "tags", "blueprints": ["lab"], "patch": "ec2-launch-template-tags"}
RACE_GAP = {
    "id": "marker",
    "blueprints": ["lab"],
    "patch": "s3-versioned-delete-marker",
    "order_dependent": True,
}


def clean(**over):
    result = {
        "blueprint": "lab",
        "apply": [],
        "replan": {},
        "destroy": [],
        "leftover": [],
        "hits": {"ec2-launch-template-tags": 1},
        "probes": {"s3-versioned-delete-marker": True},
        "evidence": {},
    }
    result.update(over)
    return result


class Judge(unittest.TestCase):
    def test_a_clean_run_with_its_gaps_occurring_passes(self):
        self.assertEqual(tier.judge(clean(), [PATCH_GAP, RACE_GAP]), [])

    def test_every_kind_of_difference_fails_the_tree(self):
        result = clean(
            apply=[("aws_s3_bucket.x", "boom")],
            replan={"aws_lb.app": ["idle_timeout"]},
            destroy=[("aws_vpc.main", "DependencyViolation")],
            leftover=["aws_vpc.main"],
        )
        problems = tier.judge(result, [PATCH_GAP])
        self.assertEqual(len(problems), 4, problems)
        self.assertIn("re-plan aws_lb.app: idle_timeout", problems)
        self.assertIn("left in state aws_vpc.main", problems)

    def test_a_listed_patch_that_changed_nothing_is_a_gap_gone(self):
        problems = tier.judge(clean(hits={}), [PATCH_GAP])
        self.assertEqual(len(problems), 1)
        self.assertIn("no longer occurs", problems[0])

    def test_a_patch_that_fired_where_no_gap_lists_it_fails(self):
        result = clean(hits={"ec2-launch-template-tags": 1, "lambda-logging-config": 3})
        problems = tier.judge(result, [PATCH_GAP])
        self.assertEqual(len(problems), 1)
        self.assertIn("lambda-logging-config", problems[0])

    def test_an_order_dependent_gap_is_judged_by_its_probe_not_its_hits(self):
        self.assertEqual(tier.judge(clean(hits={}), [RACE_GAP]), [])
        gone = tier.judge(
            clean(hits={}, probes={"s3-versioned-delete-marker": False}), [RACE_GAP]
        )
        self.assertEqual(len(gone), 1)
        self.assertIn("probe", gone[0])

    def test_a_removal_whose_evidence_is_gone_fails(self):
        gap = {"id": "archive", "blueprints": ["lab"], "remove": ["x"]}
        result = clean(evidence={"archive": "hashicorp/archive is now in the mirror"})
        problems = tier.judge(result, [PATCH_GAP, gap])
        self.assertEqual(len(problems), 1)
        self.assertIn("archive", problems[0])

    def test_a_harness_error_fails_the_tree(self):
        self.assertEqual(tier.judge({"blueprint": "lab", "error": "moto exited"}, []), ["moto exited"])


class Replan(unittest.TestCase):
    def test_null_and_zero_value_are_the_same_and_unknown_is_a_change(self):
        change = {
            "before": {"a": None, "b": [{"c": None}], "v": "1", "same": 3},
            "after": {"a": "", "b": [{"c": ""}], "v": None, "same": 3},
            "after_unknown": {"v": True, "b": [{}]},
        }
        self.assertEqual(tier.changed_attributes(change), ["v"])

    def test_replacements_and_outputs_are_changes_reads_are_not(self):
        plan = {
            "resource_changes": [
                {"address": "a.x", "change": {"actions": ["no-op"]}},
                {"address": "data.d.x", "change": {"actions": ["read"]}},
                {"address": "a.y", "change": {"actions": ["delete", "create"]}},
            ],
            "output_changes": {"o": {"actions": ["update"]}, "p": {"actions": ["no-op"]}},
        }
        self.assertEqual(tier.replan_changes(plan), {"a.y": ["delete/create"], "output.o": ["update"]})


class Copy(unittest.TestCase):
    def test_remove_block_cuts_one_block_at_its_indent(self):
        with tempfile.TemporaryDirectory() as d:
            tf = Path(d) / "versions.tf"
            tf.write_text(
                'terraform {\n  required_providers {\n    aws = {\n      source = "a"\n    }\n'
                '    archive = {\n      source = "b"\n    }\n  }\n}\n\ndata "x" "y" {\n  a = 1\n}\n'
            )
            tier.remove_block(Path(d), "archive = {")
            tier.remove_block(Path(d), 'data "x" "y"')
            self.assertEqual(
                tf.read_text(),
                'terraform {\n  required_providers {\n    aws = {\n      source = "a"\n    }\n  }\n}\n\n',
            )
            with self.assertRaises(tier.Failure):
                tier.remove_block(Path(d), 'data "x" "y"')

    def test_the_override_points_every_provider_block_at_moto(self):
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "providers.tf").write_text(
                'provider "aws" {\n  region = "us-east-1"\n}\n\n'
                'provider "aws" {\n  alias  = "us_west_2"\n  region = "us-west-2"\n}\n'
            )
            hcl = tier.override_hcl(Path(d), 4566, "# extra")
            self.assertEqual(hcl.count('provider "aws" {'), 2)
            self.assertIn('alias = "us_west_2"', hcl)
            self.assertEqual(hcl.count('dynamodb = "http://127.0.0.1:4566"'), 2)
            self.assertTrue(hcl.rstrip().endswith("# extra"))
            hcl = tier.override_hcl(Path(d), 4566, "# extra")


class Gaps(unittest.TestCase):
    NAMES = sorted(p.name for p in tier.GENERATED.iterdir() if (p / "versions.tf").exists())

    def test_the_committed_list_is_complete_and_names_real_trees_and_patches(self):
        gaps = tier.load_gaps(self.NAMES)
        self.assertTrue(all(g["kind"] in tier.KINDS for g in gaps))
        pins = [g for g in gaps if f'version = "{tier.PROVIDER_VERSION}"' in g.get("override", "")]
        self.assertEqual(len(pins), 1, "one gap pins the provider build the tier checks for")
        self.assertEqual(pins[0]["kind"], "provider-version")
        self.assertEqual(pins[0]["blueprints"], self.NAMES)

    def test_a_gap_naming_a_patch_the_launcher_lacks_is_refused(self):
        text = tier.GAPS.read_text().replace(
            'patch = "ec2-launch-template-tags"', 'patch = "no-such-patch"'
        )
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "gaps.toml"
            path.write_text(text)
            with self.assertRaises(tier.Failure) as err:
                tier.load_gaps(self.NAMES, path)
        self.assertIn("no-such-patch", str(err.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)

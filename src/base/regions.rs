//! The AWS Region codes a spec may name (the lab's `region`, a table's `replicas`), as data.
//!
//! Source: the partitions file every AWS SDK resolves endpoints with (`partitions.json`, the
//! copy compiled into aws-sdk-fis 1.122.0, `src/endpoint_lib.rs`), read 2026-12-07, and the
//! Region list of "AWS Regions and Availability Zones"
//! (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>). A
//! test compares this table with the SDK's copy, so a Region AWS adds shows up as a failing
//! test rather than as a refused spec. The SDK's `*-global` pseudo-Regions are not Regions.

/// One Region and the partition it belongs to: resources of one partition cannot reach
/// another's (a global table's replicas stay in the table's partition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub partition: &'static str,
    pub name: &'static str,
}

const fn r(code: &'static str, partition: &'static str, name: &'static str) -> Region {
    Region {
        code,
        partition,
        name,
    }
}

pub const REGIONS: &[Region] = &[
    r("af-south-1", "aws", "Africa (Cape Town)"),
    r("ap-east-1", "aws", "Asia Pacific (Hong Kong)"),
    r("ap-east-2", "aws", "Asia Pacific (Taipei)"),
    r("ap-northeast-1", "aws", "Asia Pacific (Tokyo)"),
    r("ap-northeast-2", "aws", "Asia Pacific (Seoul)"),
    r("ap-northeast-3", "aws", "Asia Pacific (Osaka)"),
    r("ap-south-1", "aws", "Asia Pacific (Mumbai)"),
    r("ap-south-2", "aws", "Asia Pacific (Hyderabad)"),
    r("ap-southeast-1", "aws", "Asia Pacific (Singapore)"),
    r("ap-southeast-2", "aws", "Asia Pacific (Sydney)"),
    r("ap-southeast-3", "aws", "Asia Pacific (Jakarta)"),
    r("ap-southeast-4", "aws", "Asia Pacific (Melbourne)"),
    r("ap-southeast-5", "aws", "Asia Pacific (Malaysia)"),
    r("ap-southeast-6", "aws", "Asia Pacific (New Zealand)"),
    r("ap-southeast-7", "aws", "Asia Pacific (Thailand)"),
    r("ca-central-1", "aws", "Canada (Central)"),
    r("ca-west-1", "aws", "Canada West (Calgary)"),
    r("eu-central-1", "aws", "Europe (Frankfurt)"),
    r("eu-central-2", "aws", "Europe (Zurich)"),
    r("eu-north-1", "aws", "Europe (Stockholm)"),
    r("eu-south-1", "aws", "Europe (Milan)"),
    r("eu-south-2", "aws", "Europe (Spain)"),
    r("eu-west-1", "aws", "Europe (Ireland)"),
    r("eu-west-2", "aws", "Europe (London)"),
    r("eu-west-3", "aws", "Europe (Paris)"),
    r("il-central-1", "aws", "Israel (Tel Aviv)"),
    r("me-central-1", "aws", "Middle East (UAE)"),
    r("me-south-1", "aws", "Middle East (Bahrain)"),
    r("mx-central-1", "aws", "Mexico (Central)"),
    r("sa-east-1", "aws", "South America (Sao Paulo)"),
    r("us-east-1", "aws", "US East (N. Virginia)"),
    r("us-east-2", "aws", "US East (Ohio)"),
    r("us-west-1", "aws", "US West (N. California)"),
    r("us-west-2", "aws", "US West (Oregon)"),
    r("cn-north-1", "aws-cn", "China (Beijing)"),
    r("cn-northwest-1", "aws-cn", "China (Ningxia)"),
    r(
        "eusc-de-east-1",
        "aws-eusc",
        "AWS European Sovereign Cloud (Germany)",
    ),
    r("us-iso-east-1", "aws-iso", "US ISO East"),
    r("us-iso-west-1", "aws-iso", "US ISO WEST"),
    r("us-isob-east-1", "aws-iso-b", "US ISOB East (Ohio)"),
    r("us-isob-west-1", "aws-iso-b", "US ISOB West"),
    r("eu-isoe-west-1", "aws-iso-e", "EU ISOE West"),
    r("us-isof-east-1", "aws-iso-f", "US ISOF EAST"),
    r("us-isof-south-1", "aws-iso-f", "US ISOF SOUTH"),
    r("us-gov-east-1", "aws-us-gov", "AWS GovCloud (US-East)"),
    r("us-gov-west-1", "aws-us-gov", "AWS GovCloud (US-West)"),
];

pub fn find(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// The fix for a code that is not a Region: the nearest Region's code, else an example.
pub fn help(code: &str) -> String {
    let codes: Vec<&str> = REGIONS.iter().map(|r| r.code).collect();
    crate::base::suggest::did_you_mean(&code.to_ascii_lowercase(), &codes, || {
        "use a Region code such as `us-east-1` or `eu-west-3` (the list is src/base/regions.rs)"
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_shaped_like_codes() {
        for (i, r) in REGIONS.iter().enumerate() {
            assert!(
                REGIONS.iter().skip(i + 1).all(|o| o.code != r.code),
                "{} twice",
                r.code
            );
            assert!(
                r.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.code
            );
        }
        assert_eq!(find("us-east-1").map(|r| r.partition), Some("aws"));
        assert_eq!(find("ap-nowhere-9"), None);
        assert_eq!(help("US-EAST-1"), "did you mean `us-east-1`?");
        assert_eq!(help("eu-west-7"), "did you mean `eu-west-1`?");
    }
}

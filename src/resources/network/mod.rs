//! `network:`: the VPC, its subnets, NAT and endpoints.

use std::borrow::Cow;

use super::Validator;
use crate::base::address::Address;
use crate::base::cidr::Cidr;
use crate::base::diag::problems;
use crate::base::hcl::Expr;
use crate::spec::{Spanned, pos};

pub mod model;

/// The cost row of public IPv4 addresses, which the NAT gateways and the load balancer share.
pub const PUBLIC_IPV4: &str = "Public IPv4 address (NAT gateways, load balancer nodes)";
/// us-east-1 on-demand list price per address-hour (Amazon VPC pricing page, checked
/// December 2026).
pub const PUBLIC_IPV4_HOUR: f64 = 0.005;
pub const PUBLIC_IPV4_NOTE: &str = "the load balancer has about one per zone";

problems! {
    /// What can be wrong in `network:`.
    pub enum Problem in "resources::network::Problem" {
        VpcSize { cidr: String, len: u8 } => E020,
        BadCidr { why: String } => E020,
        AzCount { azs: u32 } => E006,
        SubnetCount { tier: &'static str, count: usize, azs: u32 } => E022,
        OutsideVpc { subnet: String, vpc: String } => E021,
        Overlap { subnet: String, other: String, other_field: String } => E021,
        EndpointTwice { service: String } => E024,
        EndpointBothWays { service: String } => E024,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::VpcSize { cidr, len } => {
                format!("a VPC block must be /16 to /28; `{cidr}` is /{len}")
            }
            Problem::BadCidr { why } => why.clone(),
            Problem::AzCount { azs } => format!("azs must be 1 to 5, not {azs}"),
            Problem::SubnetCount { tier, count, azs } => {
                format!("{count} {tier} subnets for {azs} availability zones")
            }
            Problem::OutsideVpc { subnet, vpc } => {
                format!("subnet {subnet} is outside the VPC {vpc}")
            }
            Problem::Overlap {
                subnet,
                other,
                other_field,
            } => format!("subnet {subnet} overlaps {other} ({other_field})"),
            Problem::EndpointTwice { service } => format!("`{service}` is listed twice"),
            Problem::EndpointBothWays { service } => {
                format!("`{service}` has both a gateway and an interface endpoint")
            }
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::VpcSize { .. } => "use a block such as 10.0.0.0/16".to_owned(),
            Problem::BadCidr { .. } => "write an IPv4 block such as 10.0.11.0/24".to_owned(),
            Problem::AzCount { .. } => "labs normally use 2 availability zones".to_owned(),
            Problem::SubnetCount { tier, azs, .. } => {
                format!("give exactly one {tier} subnet per availability zone ({azs})")
            }
            Problem::OutsideVpc { vpc, .. } => format!("choose a block inside {vpc}"),
            Problem::Overlap { .. } => "give every subnet its own block".to_owned(),
            Problem::EndpointTwice { .. } => "list each service once".to_owned(),
            Problem::EndpointBothWays { .. } => {
                "pick one way for the app to reach the service".to_owned()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    Single,
    PerAz,
    None,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub cidr: String,
    pub azs: usize,
    pub public: Vec<String>,
    pub private: Vec<String>,
    pub nat: Nat,
    /// Sorted service names (`dynamodb`, `s3`).
    pub gateway_endpoints: Vec<String>,
    /// Sorted service names reached through PrivateLink.
    pub interface_endpoints: Vec<String>,
}

/// Subnet tiers a spec can target by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Public,
    Private,
}

impl Tier {
    pub const ALL: [(&'static str, Tier); 2] =
        [("public", Tier::Public), ("private", Tier::Private)];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
        }
    }
}

type RawNetworkRef = crate::spec::RawNetwork;

impl Validator {
    /// `needs_egress`: something in the lab reaches the internet from the private subnets (the
    /// app's bootstrap: dnf, PyPI); without it no NAT gateway is created, whatever `nat` says.
    pub(crate) fn network(&mut self, raw: &Spanned<RawNetworkRef>, needs_egress: bool) -> Network {
        let n = &raw.value;
        let vpc = self.cidr(&n.cidr, "network.cidr");
        if let Some(vpc) = vpc
            && !(16..=28).contains(&vpc.len)
        {
            let (cidr, len) = (n.cidr.value.clone(), vpc.len);
            self.flag(pos(&n.cidr), "network.cidr", Problem::VpcSize { cidr, len });
        }
        let azs = n.azs.value;
        // FIS takes at most 5 subnets per action: more zones could not all be targeted.
        if !(1..=5).contains(&azs) {
            self.flag(pos(&n.azs), "network.azs", Problem::AzCount { azs });
        }
        let mut seen: Vec<(Cidr, String)> = Vec::new();
        let mut tier = |v: &mut Self, list: &Spanned<Vec<Spanned<String>>>, tier: &'static str| {
            let count = list.value.len();
            if count != azs as usize {
                let problem = Problem::SubnetCount { tier, count, azs };
                v.flag(pos(list), format!("network.{tier}"), problem);
            }
            for (i, s) in list.value.iter().enumerate() {
                let field = format!("network.{tier}[{i}]");
                let Some(c) = v.cidr(s, &field) else { continue };
                if let Some(vpc) = vpc
                    && !vpc.contains(c)
                {
                    let (subnet, vpc) = (c.to_string(), vpc.to_string());
                    v.flag(pos(s), &field, Problem::OutsideVpc { subnet, vpc });
                }
                if let Some((other, where_)) = seen.iter().find(|(o, _)| o.overlaps(c)) {
                    let problem = Problem::Overlap {
                        subnet: c.to_string(),
                        other: other.to_string(),
                        other_field: where_.clone(),
                    };
                    v.flag(pos(s), &field, problem);
                }
                seen.push((c, field));
            }
            list.value
                .iter()
                .map(|s| s.value.clone())
                .collect::<Vec<_>>()
        };
        let public = tier(self, &n.public, "public");
        let private = tier(self, &n.private, "private");
        let nat = match n.nat.as_ref().map(|s| (s, s.value.as_str())) {
            None | Some((_, "single")) => Nat::Single,
            Some((_, "per-az")) => Nat::PerAz,
            Some((_, "none")) => Nat::None,
            Some((s, other)) => {
                self.choice(s, "network.nat", other, &["single", "per-az", "none"]);
                Nat::Single
            }
        };
        let endpoints = self.services(
            &n.gateway_endpoints,
            "network.gateway_endpoints",
            &[],
            &["dynamodb", "s3"],
        );
        let interface = self.services(
            &n.interface_endpoints,
            "network.interface_endpoints",
            &endpoints,
            &["s3"],
        );
        Network {
            interface_endpoints: interface,
            cidr: n.cidr.value.clone(),
            azs: azs as usize,
            public,
            private,
            nat: if needs_egress { nat } else { Nat::None },
            gateway_endpoints: endpoints,
        }
    }

    /// A list of endpoint services, each once, none already reached another way (`taken`).
    pub(crate) fn services(
        &mut self,
        list: &[Spanned<String>],
        field: &str,
        taken: &[String],
        allowed: &[&str],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            if !allowed.contains(&e.value.as_str()) {
                self.choice(e, &field, &e.value, allowed);
            } else if out.contains(&e.value) {
                let service = e.value.clone();
                self.flag(pos(e), field, Problem::EndpointTwice { service });
            } else if taken.contains(&e.value) {
                let service = e.value.clone();
                self.flag(pos(e), field, Problem::EndpointBothWays { service });
            } else {
                out.push(e.value.clone());
            }
        }
        out.sort();
        out
    }

    pub(crate) fn cidr(&mut self, s: &Spanned<String>, field: &str) -> Option<Cidr> {
        match Cidr::parse(&s.value) {
            Ok(c) => Some(c),
            Err(why) => {
                self.flag(pos(s), field, Problem::BadCidr { why });
                None
            }
        }
    }
}

/// The counted subnets of a tier, `aws_subnet.<tier>`.
pub fn subnet(tier: Tier) -> Address {
    Address::Resource("aws_subnet", Cow::Borrowed(tier.name()))
}

/// The interface endpoint of a service, `aws_vpc_endpoint.<service>_interface`.
pub fn interface_endpoint(service: &str) -> Address {
    Address::resource("aws_vpc_endpoint", format!("{service}_interface"))
}

/// Reference to every subnet of a tier, e.g. `aws_subnet.private[*].arn`.
pub fn subnets(tier: Tier, attr: &str) -> Expr {
    subnet(tier).splat(attr)
}

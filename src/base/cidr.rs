//! IPv4 CIDR blocks: just enough to check that subnets parse, nest and do not overlap.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: u32,
    pub len: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` strictly: four decimal octets, no leading zeros, host bits zero.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (ip, len) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` has no prefix length (expected a.b.c.d/n)"))?;
        let len: u8 = parse_decimal(len)
            .filter(|l| *l <= 32)
            .and_then(|l| u8::try_from(l).ok())
            .ok_or_else(|| format!("`{s}` has an invalid prefix length (expected 0 to 32)"))?;
        let octets: Vec<&str> = ip.split('.').collect();
        if octets.len() != 4 {
            return Err(format!("`{s}` is not an IPv4 address with four octets"));
        }
        let mut addr = 0u32;
        for o in octets {
            let v = parse_decimal(o)
                .filter(|v| *v <= 255)
                .ok_or_else(|| format!("`{s}` has an invalid octet `{o}` (expected 0 to 255)"))?;
            addr = (addr << 8) | v;
        }
        let cidr = Cidr { addr, len };
        if addr & !cidr.mask() != 0 {
            let base = Cidr {
                addr: addr & cidr.mask(),
                len,
            };
            return Err(format!("`{s}` has host bits set; the network is {base}"));
        }
        Ok(cidr)
    }

    fn mask(self) -> u32 {
        if self.len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.len))
        }
    }

    pub fn contains(self, other: Cidr) -> bool {
        other.len >= self.len && (other.addr & self.mask()) == self.addr
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

fn parse_decimal(s: &str) -> Option<u32> {
    let ok = !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.addr.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_nests() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        let sub = Cidr::parse("10.0.11.0/24").unwrap();
        assert!(vpc.contains(sub));
        assert!(!sub.contains(vpc));
        assert!(sub.overlaps(vpc));
        assert!(!Cidr::parse("10.1.0.0/24").unwrap().overlaps(vpc));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "10.0.0.0",
            "10.0.0/16",
            "10.0.0.256/24",
            "10.0.0.1/24",
            "10.0.0.0/33",
            "010.0.0.0/8",
            "a.b.c.d/8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Cidr::parse("10.0.0.1/24").unwrap_err(),
            "`10.0.0.1/24` has host bits set; the network is 10.0.0.0/24"
        );
    }
}

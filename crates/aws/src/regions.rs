//! Partitions and their regions. A region that is not listed here is refused before any
//! call is made: a typo would otherwise become a snapshot of nothing.

use audit_model::Partition;

const AWS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];
const AWS_CN: &[&str] = &["cn-north-1", "cn-northwest-1"];
const AWS_US_GOV: &[&str] = &["us-gov-east-1", "us-gov-west-1"];

/// The AWS partitions `collect` can read (Baidu is not AWS).
pub fn parse_partition(name: &str) -> Option<Partition> {
    match name {
        "aws" => Some(Partition::Aws),
        "aws-cn" => Some(Partition::AwsCn),
        "aws-us-gov" => Some(Partition::AwsUsGov),
        _ => None,
    }
}

pub fn regions_of(partition: Partition) -> &'static [&'static str] {
    match partition {
        Partition::Aws => AWS,
        Partition::AwsCn => AWS_CN,
        Partition::AwsUsGov => AWS_US_GOV,
        Partition::Bce => &[],
    }
}

pub fn partition_of(region: &str) -> Option<Partition> {
    [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov]
        .into_iter()
        .find(|p| regions_of(*p).contains(&region))
}

/// Where CloudFront, a global service, is asked: Ningxia in China (not the partition's
/// home region), N. Virginia elsewhere (GovCloud has no CloudFront of its own).
pub fn cloudfront_region(partition: Partition) -> &'static str {
    match partition {
        Partition::AwsCn => "cn-northwest-1",
        Partition::Aws | Partition::AwsUsGov | Partition::Bce => "us-east-1",
    }
}

/// Where the partition's global services (IAM, STS, S3's bucket list) are asked.
pub fn home_region(partition: Partition) -> &'static str {
    match partition {
        Partition::AwsCn => "cn-north-1",
        Partition::AwsUsGov => "us-gov-west-1",
        Partition::Aws | Partition::Bce => "us-east-1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_belong_to_one_partition() {
        assert_eq!(partition_of("cn-northwest-1"), Some(Partition::AwsCn));
        assert_eq!(partition_of("ap-east-1"), Some(Partition::Aws));
        assert_eq!(partition_of("us-gov-west-1"), Some(Partition::AwsUsGov));
        assert_eq!(partition_of("cn-north-2"), None);
        for p in [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov] {
            assert_eq!(partition_of(home_region(p)), Some(p));
        }
    }
}

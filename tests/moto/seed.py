#!/usr/bin/env python3
"""Seed a moto server with a realistic account in both partitions, for the collector tests.

usage: seed.py ENDPOINT_URL MANIFEST_OUT [--scale N]

The account belongs to the migrating company: compliant and non-compliant resources of
every kind `audit collect` reads, in cn-north-1 and cn-northwest-1 (partition aws-cn) and
in us-east-1 and ap-southeast-1 (partition aws). moto keeps IAM apart per partition but
uses one account id for both.

The manifest (JSON) lists every resource this script made and the ones moto made by itself
(default VPCs and security groups): its snapshot id, type, region, a label, and the
properties and tags the snapshot must show. The findings the gate must give are written by
hand, per label, in expected-findings.txt: the manifest only names things, it never
predicts findings. `--scale N` makes N copies of the regional resources (the benchmark).
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]
MANIFEST = sys.argv[2]
SCALE = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")
TAGS = {"owner": "platform@lanting.cn", "cost-center": "cc-4100", "env": "prod"}

PARTITIONS = {
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws": ["us-east-1", "ap-southeast-1"],
}

manifest = []


def client(service, region):
    return boto3.client(service, region_name=region, endpoint_url=ENDPOINT, **CREDS)


def tags(data_class, **extra):
    t = dict(TAGS, **{"data-class": data_class})
    t.update(extra)
    return t


def tag_list(t):
    return [{"Key": k, "Value": v} for k, v in sorted(t.items())]


def record(partition, label, rtype, rid, region, props=None, tags=None):
    manifest.append(
        {
            "partition": partition,
            "label": label,
            "type": rtype,
            "id": rid,
            "region": region,
            "properties": props or {},
            "tags": tags,
        }
    )


ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def seed_iam(partition, home, account):
    iam = client("iam", home)
    p = "cn" if partition == "aws-cn" else "gl"
    admin_arn = f"arn:{partition}:iam::aws:policy/AdministratorAccess"
    if partition == "aws-cn":
        iam.update_account_password_policy(
            MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
            RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
            MaxPasswordAge=90, PasswordReusePrevention=12,
        )
    # aws: no password policy at all.
    record(partition, f"{p}-account", "account", f"arn:{partition}:iam::{account}:root", "global")

    def user(name, t, console=False, mfa=False, key=False, admin=False):
        u = iam.create_user(UserName=name, Tags=tag_list(t) if t else [])["User"]
        if console:
            iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9!")
        if mfa:
            dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{name}-mfa")["VirtualMFADevice"]
            iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
        if key:
            iam.create_access_key(UserName=name)
        if admin:
            iam.attach_user_policy(UserName=name, PolicyArn=admin_arn)
        record(partition, name, "iam_user", u["Arn"], "global",
               {"name": name, "console_access": console, "mfa": mfa, "keys": 1 if key else 0,
                "attached_policies": [admin_arn] if admin else []}, t)

    user(f"{p}-alice", tags("internal"), console=True, mfa=True)
    user(f"{p}-bob", tags("internal"), console=True)
    user(f"{p}-ci-deploy", tags("internal"), key=True, admin=True)
    user(f"{p}-legacy", None, key=True)

    g = iam.create_group(GroupName=f"{p}-breakglass")["Group"]
    iam.put_group_policy(GroupName=f"{p}-breakglass", PolicyName="everything",
                         PolicyDocument=json.dumps(ADMIN_DOC))
    iam.add_user_to_group(GroupName=f"{p}-breakglass", UserName=f"{p}-legacy")
    record(partition, f"{p}-breakglass", "iam_group", g["Arn"], "global",
           {"name": f"{p}-breakglass", "members": [f"{p}-legacy"], "inline": ["everything"]})

    r = iam.create_role(RoleName=f"{p}-app-role", AssumeRolePolicyDocument=json.dumps(EC2_TRUST),
                        Tags=tag_list(tags("internal")))["Role"]
    iam.put_role_policy(RoleName=f"{p}-app-role", PolicyName="read", PolicyDocument=json.dumps(READ_DOC))
    record(partition, f"{p}-app-role", "iam_role", r["Arn"], "global",
           {"name": f"{p}-app-role", "inline": ["read"]}, tags("internal"))


def seed_region(partition, region, account, i, trail_bucket):
    """One copy (number i) of the regional estate."""
    s = f"{region}-{i}"
    ec2 = client("ec2", region)
    arn = lambda kind, rid: f"arn:{partition}:ec2:{region}:{account}:{kind}/{rid}"  # noqa: E731

    vpc = ec2.create_vpc(CidrBlock=f"10.{(i % 200) + 10}.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(tags("internal", Name=f"vpc-{s}"))}])["Vpc"]
    vid = vpc["VpcId"]
    fl = ec2.create_flow_logs(ResourceIds=[vid], ResourceType="VPC", TrafficType="ALL",
                              LogDestinationType="s3", LogDestination=f"arn:{partition}:s3:::{trail_bucket}")
    record(partition, f"vpc-{s}", "vpc", arn("vpc", vid), region,
           {"vpc_id": vid, "is_default": False, "cidr": vpc["CidrBlock"], "flow_log_ids": fl["FlowLogIds"]},
           tags("internal", Name=f"vpc-{s}"))
    bare = ec2.create_vpc(CidrBlock="172.31.0.0/16")["Vpc"]
    record(partition, f"bare-vpc-{s}", "vpc", arn("vpc", bare["VpcId"]), region,
           {"vpc_id": bare["VpcId"], "is_default": False, "flow_log_ids": []}, {})
    # Every VPC comes with a security group named `default` (untagged, self-referencing).
    for label, v in ((f"vpc-{s}", vid), (f"bare-vpc-{s}", bare["VpcId"])):
        g = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
        record(partition, f"default-sg-{label}", "security_group", arn("security-group", g["GroupId"]), region,
               {"group_id": g["GroupId"], "name": "default", "vpc_id": v}, {})

    def sg(name, port, cidr="0.0.0.0/0", v6=None):
        gid = ec2.create_security_group(GroupName=f"{name}-{s}", Description=name, VpcId=vid,
                                        TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(tags("internal"))}])["GroupId"]
        perm = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
        if v6:
            perm["Ipv6Ranges"] = [{"CidrIpv6": v6}]
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[perm])
        record(partition, f"{name}-{s}", "security_group", arn("security-group", gid), region,
               {"group_id": gid, "name": f"{name}-{s}", "vpc_id": vid,
                "ingress": [{"protocol": "tcp", "from_port": port, "to_port": port,
                             "ipv4_ranges": [cidr], "ipv6_ranges": [v6] if v6 else []}]},
               tags("internal"))
        return gid

    web = sg("web", 443, v6="::/0")
    sg("ssh-open", 22)
    sg("http-open", 80)
    sg("db-internal", 5432, cidr="10.0.0.0/8")

    subnet = ec2.create_subnet(VpcId=vid, CidrBlock=vpc["CidrBlock"].replace("0.0/16", "1.0/24"))["Subnet"]["SubnetId"]
    inst = ec2.run_instances(ImageId="ami-0a1b2c3d4e5f60718", MinCount=1, MaxCount=1, InstanceType="p4d.24xlarge",
                             SubnetId=subnet, SecurityGroupIds=[web],
                             TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list(tags("camera-video", Name=f"gpu-{s}"))}])["Instances"][0]
    iid = inst["InstanceId"]
    record(partition, f"gpu-{s}", "ec2_instance", arn("instance", iid), region,
           {"instance_id": iid, "instance_type": "p4d.24xlarge", "state": "running"},
           tags("camera-video", Name=f"gpu-{s}"))
    # moto gives the instance a root volume of its own: untagged, unencrypted.
    root_vol = inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    record(partition, f"gpu-root-{s}", "ebs_volume", arn("volume", root_vol), region,
           {"volume_id": root_vol, "attached_instance_ids": [iid]}, {})

    az = subnet and ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailabilityZone"]
    data = ec2.create_volume(AvailabilityZone=az, Size=500, VolumeType="gp3", Encrypted=True,
                             TagSpecifications=[{"ResourceType": "volume", "Tags": tag_list(tags("camera-video"))}])
    ec2.attach_volume(VolumeId=data["VolumeId"], InstanceId=iid, Device="/dev/sdf")
    record(partition, f"data-vol-{s}", "ebs_volume", arn("volume", data["VolumeId"]), region,
           {"volume_id": data["VolumeId"], "volume_type": "gp3", "size_gib": 500, "encrypted": True,
            "attached_instance_ids": [iid]}, tags("camera-video"))
    old = ec2.create_volume(AvailabilityZone=az, Size=100, VolumeType="gp2", Encrypted=False,
                            TagSpecifications=[{"ResourceType": "volume", "Tags": tag_list(tags("internal"))}])
    record(partition, f"old-vol-{s}", "ebs_volume", arn("volume", old["VolumeId"]), region,
           {"volume_id": old["VolumeId"], "volume_type": "gp2", "size_gib": 100, "encrypted": False,
            "state": "available", "attached_instance_ids": []}, tags("internal"))
    snap = ec2.create_snapshot(VolumeId=data["VolumeId"], Description="nightly",
                               TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag_list(tags("camera-video"))}])
    record(partition, f"snap-{s}", "ebs_snapshot", arn("snapshot", snap["SnapshotId"]), region,
           {"snapshot_id": snap["SnapshotId"], "volume_id": data["VolumeId"], "size_gib": 500, "encrypted": True},
           tags("camera-video"))

    s3 = client("s3", region)
    loc = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    video = f"lanting-video-{s}"
    s3.create_bucket(Bucket=video, **loc)
    s3.put_bucket_tagging(Bucket=video, Tagging={"TagSet": tag_list(tags("camera-video"))})
    s3.put_bucket_encryption(Bucket=video, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_public_access_block(Bucket=video, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_lifecycle_configuration(Bucket=video, LifecycleConfiguration={"Rules": [
        {"ID": "cold", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    record(partition, video, "s3_bucket", f"arn:{partition}:s3:::{video}", region,
           {"name": video, "encryption": "aws:kms", "lifecycle_rules": 1,
            "public_access_block": {"block_public_acls": True, "ignore_public_acls": True,
                                    "block_public_policy": True, "restrict_public_buckets": True}},
           tags("camera-video"))
    scratch = f"lanting-scratch-{s}"
    s3.create_bucket(Bucket=scratch, **loc)
    record(partition, scratch, "s3_bucket", f"arn:{partition}:s3:::{scratch}", region,
           {"name": scratch, "encryption": None, "public_access_block": None, "lifecycle_rules": 0}, {})

    logs = client("logs", region)
    for name, days, t in ((f"/lanting/app-{s}", 365, tags("internal")),
                          (f"/lanting/debug-{s}", 30, tags("internal")),
                          (f"/lanting/forever-{s}", None, tags("personal"))):
        logs.create_log_group(logGroupName=name, tags=t)
        if days:
            logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        record(partition, name, "log_group", f"arn:{partition}:logs:{region}:{account}:log-group:{name}", region,
               {"name": name, "retention_days": days}, t)

    rds = client("rds", region)
    for name, enc, public, t in ((f"orders-{s}", True, False, tags("personal")),
                                 (f"legacy-db-{s}", False, True, tags("internal"))):
        db = rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.r6g.large",
                                    AllocatedStorage=100, MasterUsername="app", MasterUserPassword="not-a-secret-1",
                                    StorageEncrypted=enc, PubliclyAccessible=public, MultiAZ=enc,
                                    BackupRetentionPeriod=7 if enc else 1, Tags=tag_list(t))["DBInstance"]
        record(partition, name, "rds_instance", db["DBInstanceArn"], region,
               {"identifier": name, "engine": "postgres", "storage_encrypted": enc,
                "publicly_accessible": public, "backup_retention_days": 7 if enc else 1}, t)

    kms = client("kms", region)
    for label, rotate in ((f"key-rotated-{s}", True), (f"key-static-{s}", False)):
        k = kms.create_key(Description=label, Tags=[{"TagKey": k, "TagValue": v} for k, v in sorted(tags("internal").items())])["KeyMetadata"]
        if rotate:
            kms.enable_key_rotation(KeyId=k["KeyId"])
        record(partition, label, "kms_key", k["Arn"], region,
               {"key_id": k["KeyId"], "manager": "CUSTOMER", "state": "Enabled", "rotation_enabled": rotate},
               tags("internal"))

    sqs = client("sqs", region)
    q = f"events-{s}"
    url = sqs.create_queue(QueueName=q, tags=tags("personal"))["QueueUrl"]
    record(partition, q, "other", f"arn:{partition}:sqs:{region}:{account}:{q}", region,
           {"resource_type": "sqs"}, tags("personal"))


def seed_defaults(partition, region, account):
    """moto makes a default VPC and security groups in every region: they are the account's too."""
    ec2 = client("ec2", region)
    for v in ec2.describe_vpcs()["Vpcs"]:
        if v.get("IsDefault"):
            record(partition, f"default-vpc-{region}", "vpc",
                   f"arn:{partition}:ec2:{region}:{account}:vpc/{v['VpcId']}", region,
                   {"vpc_id": v["VpcId"], "is_default": True, "flow_log_ids": []}, {})
    for g in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        record(partition, f"default-sg-{region}", "security_group",
               f"arn:{partition}:ec2:{region}:{account}:security-group/{g['GroupId']}", region,
               {"group_id": g["GroupId"], "name": "default"}, {})


def seed_trail(partition, region, account, multi_region):
    bucket = f"lanting-trail-{region}"
    s3 = client("s3", region)
    loc = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **loc)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags("internal"))})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "keep", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 400}}]})
    record(partition, bucket, "s3_bucket", f"arn:{partition}:s3:::{bucket}", region,
           {"name": bucket, "encryption": "AES256", "lifecycle_rules": 1}, tags("internal"))
    ct = client("cloudtrail", region)
    name = f"org-trail-{region}"
    t = ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region,
                        EnableLogFileValidation=multi_region,
                        TagsList=tag_list(tags("internal")))
    if multi_region:
        ct.start_logging(Name=name)
    record(partition, name, "cloudtrail_trail", t["TrailARN"], region,
           {"name": name, "is_multi_region": multi_region, "is_logging": multi_region,
            "log_file_validation": multi_region}, tags("internal"))
    return bucket


def seed_moto_keys(partition, region):
    """moto makes the `aws/ebs` key when an encrypted volume names no key, and reports it as
    a customer key, untagged, without rotation (AWS makes it AWS-managed): as moto answers,
    it is the account's too."""
    kms = client("kms", region)
    known = {r["id"] for r in manifest}
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] != "alias/aws/ebs" or "TargetKeyId" not in alias:
            continue
        m = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
        if m["Arn"] not in known:
            record(partition, f"moto-ebs-key-{region}", "kms_key", m["Arn"], region,
                   {"key_id": m["KeyId"], "manager": m["KeyManager"]}, {})


def main():
    account = client("sts", "us-east-1").get_caller_identity()["Account"]
    for partition, regions in PARTITIONS.items():
        seed_iam(partition, regions[0], account)
        # aws-cn: one multi-region trail covers both regions; aws: a single-region trail in
        # us-east-1 only, so ap-southeast-1 has none.
        bucket = seed_trail(partition, regions[0], account, multi_region=partition == "aws-cn")
        for region in regions:
            seed_defaults(partition, region, account)
            for i in range(SCALE):
                seed_region(partition, region, account, i, bucket)
            seed_moto_keys(partition, region)
    manifest.sort(key=lambda r: (r["partition"], r["id"]))
    with open(MANIFEST, "w") as f:
        json.dump({"account_id": account, "resources": manifest}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()

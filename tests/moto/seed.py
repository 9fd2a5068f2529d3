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
import io
import json
import sys
import zipfile

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
# Credential values planted in user data, function environments and secrets: none of them
# may appear in a snapshot, a log or a report (the manifest lists them for that test).
planted = []


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

    # Subnets: `app` and `data` are private (the VPC's main route table only routes
    # locally); `edge-a` and `edge-b` route 0.0.0.0/0 to an internet gateway.
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    prefix = vpc["CidrBlock"].rsplit(".", 2)[0]

    def subnet_in(name, third, az, public):
        n = ec2.create_subnet(VpcId=vid, CidrBlock=f"{prefix}.{third}.0/24", AvailabilityZone=az,
                              TagSpecifications=[{"ResourceType": "subnet", "Tags": tag_list(tags("internal", Name=f"{name}-{s}"))}])["Subnet"]
        record(partition, f"{name}-{s}", "subnet", arn("subnet", n["SubnetId"]), region,
               {"subnet_id": n["SubnetId"], "vpc_id": vid, "cidr": n["CidrBlock"], "availability_zone": az,
                "routes_to_internet_gateway": public}, tags("internal", Name=f"{name}-{s}"))
        return n["SubnetId"]

    subnet = subnet_in("app", 1, azs[0], False)
    data_b = subnet_in("data", 2, azs[1], False)
    edge_a = subnet_in("edge-a", 3, azs[0], True)
    edge_b = subnet_in("edge-b", 4, azs[1], True)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for n in (edge_a, edge_b):
        ec2.associate_route_table(RouteTableId=rt, SubnetId=n)
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
            "lifecycle_transitions": ["GLACIER"], "lifecycle_expiration": False,
            "public_access_block": {"block_public_acls": True, "ignore_public_acls": True,
                                    "block_public_policy": True, "restrict_public_buckets": True}},
           tags("camera-video"))
    scratch = f"lanting-scratch-{s}"
    s3.create_bucket(Bucket=scratch, **loc)
    record(partition, scratch, "s3_bucket", f"arn:{partition}:s3:::{scratch}", region,
           {"name": scratch, "encryption": None, "public_access_block": None, "lifecycle_rules": 0,
            "lifecycle_transitions": [], "lifecycle_expiration": False}, {})

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
    # The orders database sits in the private data subnets, Multi-AZ; the legacy one in
    # the public edge subnets, in one zone.
    private_dbs, public_dbs = f"private-dbs-{s}", f"public-dbs-{s}"
    rds.create_db_subnet_group(DBSubnetGroupName=private_dbs, DBSubnetGroupDescription="data tier",
                               SubnetIds=[subnet, data_b])
    rds.create_db_subnet_group(DBSubnetGroupName=public_dbs, DBSubnetGroupDescription="edge",
                               SubnetIds=[edge_a, edge_b])
    for name, enc, public, group, t in ((f"orders-{s}", True, False, private_dbs, tags("personal")),
                                        (f"legacy-db-{s}", False, True, public_dbs, tags("internal"))):
        db = rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.r6g.large",
                                    AllocatedStorage=100, MasterUsername="app", MasterUserPassword="not-a-secret-1",
                                    StorageEncrypted=enc, PubliclyAccessible=public, MultiAZ=enc,
                                    DBSubnetGroupName=group, DeletionProtection=enc,
                                    BackupRetentionPeriod=7 if enc else 1, Tags=tag_list(t))["DBInstance"]
        record(partition, name, "rds_instance", db["DBInstanceArn"], region,
               {"identifier": name, "engine": "postgres", "storage_encrypted": enc,
                "publicly_accessible": public, "backup_retention_days": 7 if enc else 1,
                "multi_az": enc, "deletion_protection": enc,
                "subnet_ids": sorted([subnet, data_b] if enc else [edge_a, edge_b])}, t)

    # An Aurora cluster with a writer and a reader in two zones: each instance says
    # MultiAZ false on its own; the cluster is what is Multi-AZ.
    t = tags("personal")
    cluster = rds.create_db_cluster(DBClusterIdentifier=f"analytics-{s}", Engine="aurora-postgresql",
                                    MasterUsername="app", MasterUserPassword="not-a-secret-2",
                                    DBSubnetGroupName=private_dbs, StorageEncrypted=True,
                                    BackupRetentionPeriod=7, Tags=tag_list(t))["DBCluster"]
    record(partition, f"analytics-{s}", "other", cluster["DBClusterArn"], region, {"resource_type": "rds:cluster"}, t)
    for n, az in enumerate(azs, 1):
        db = rds.create_db_instance(DBInstanceIdentifier=f"analytics-{s}-{n}", DBClusterIdentifier=f"analytics-{s}",
                                    Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
                                    AvailabilityZone=az, Tags=tag_list(t))["DBInstance"]
        record(partition, f"analytics-{s}-{n}", "rds_instance", db["DBInstanceArn"], region,
               {"identifier": f"analytics-{s}-{n}", "engine": "aurora-postgresql", "multi_az": True}, t)

    seed_load_balancers(partition, region, account, s, vid, edge_a, edge_b, subnet, data_b)
    seed_secrets(partition, region, account, s, ec2, subnet, web)
    seed_caches(partition, region, s, subnet, data_b)

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


def seed_load_balancers(partition, region, account, s, vid, edge_a, edge_b, app, data_b):
    """Internet-facing ALBs: one serving plain HTTP without a WAF, one redirecting HTTP to
    HTTPS behind a WAF; an internal ALB with a TLS 1.0 policy; an internet-facing NLB (no
    WAF possible)."""
    elb = client("elbv2", region)
    acm = client("acm", region)
    waf = client("wafv2", region)
    cert = acm.request_certificate(DomainName=f"shop-{s}.lanting.cn")["CertificateArn"]
    tg = elb.create_target_group(Name=f"web-{s}"[:32], Protocol="HTTP", Port=8080, VpcId=vid)["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": tg}]
    to_https = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    acl = waf.create_web_acl(Name=f"edge-{s}", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
                             VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                                               "MetricName": "edge"})["Summary"]["ARN"]

    def lb(name, scheme, lb_type, subnets, listeners, with_acl=False):
        t = tags("internal")
        made = elb.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme, Type=lb_type,
                                        Tags=tag_list(t))["LoadBalancers"][0]
        lb_arn = made["LoadBalancerArn"]
        got = []
        for port, protocol, policy, actions in listeners:
            extra = {"SslPolicy": policy, "Certificates": [{"CertificateArn": cert}]} if policy else {}
            elb.create_listener(LoadBalancerArn=lb_arn, Protocol=protocol, Port=port, DefaultActions=actions, **extra)
            got.append({"port": port, "protocol": protocol})
        if with_acl:
            waf.associate_web_acl(WebACLArn=acl, ResourceArn=lb_arn)
        record(partition, name, "load_balancer", lb_arn, region,
               {"name": name, "lb_type": lb_type, "scheme": scheme, "listeners": sorted(got, key=lambda l: l["port"]),
                "web_acl": acl if with_acl else None}, t)

    lb(f"web-plain-{s}", "internet-facing", "application", [edge_a, edge_b], [(80, "HTTP", None, forward)])
    lb(f"web-ok-{s}", "internet-facing", "application", [edge_a, edge_b],
       [(80, "HTTP", None, to_https), (443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", forward)], with_acl=True)
    lb(f"api-old-tls-{s}", "internal", "application", [app, data_b],
       [(443, "HTTPS", "ELBSecurityPolicy-2016-08", forward)])
    lb(f"nlb-{s}", "internet-facing", "network", [edge_a, edge_b], [(443, "TCP", None, forward)])


def seed_caches(partition, region, s, app, data_b):
    """A Redis replication group with replicas, failover and encryption; one without
    failover (a single node), unencrypted in transit; a stand-alone Memcached cluster."""
    ec = client("elasticache", region)
    group = f"cache-subnets-{s}"
    t = tags("personal")
    sg = ec.create_cache_subnet_group(CacheSubnetGroupName=group, CacheSubnetGroupDescription="data tier",
                                      SubnetIds=[app, data_b], Tags=tag_list(t))["CacheSubnetGroup"]
    # The tagging API reports the subnet group; no collector reads more of it.
    record(partition, group, "other", sg["ARN"], region, {"resource_type": "elasticache:subnetgroup"}, t)
    for name, ha in ((f"cache-ha-{s}", True), (f"cache-single-{s}", False)):
        g = ec.create_replication_group(
            ReplicationGroupId=name, ReplicationGroupDescription=name, Engine="redis",
            CacheNodeType="cache.r6g.large",
            # The plan's cluster mode with a replica per shard; moto 5.2.5 ignores
            # NumCacheClusters and counts members from ReplicasPerNodeGroup.
            **({"ClusterMode": "enabled", "NumNodeGroups": 1, "ReplicasPerNodeGroup": 1} if ha
               else {"NumCacheClusters": 1}),
            AutomaticFailoverEnabled=ha, MultiAZEnabled=ha, TransitEncryptionEnabled=ha,
            AtRestEncryptionEnabled=True, CacheSubnetGroupName=group, Tags=tag_list(t))["ReplicationGroup"]
        record(partition, name, "cache_replication_group", g["ARN"], region,
               {"group_id": name, "automatic_failover": ha, "multi_az": ha,
                "member_clusters": len(g["MemberClusters"]), "transit_encryption": ha,
                "at_rest_encryption": True}, t)
    # moto 5.2.5's ListTagsForResource accepts only `arn:aws:` ARNs of cache clusters
    # (its replication groups carry `arn:aws:` ARNs in every partition), so a stand-alone
    # cluster in aws-cn could not have its tags read: it is seeded in the aws partition.
    if partition != "aws":
        return
    name = f"sessions-{s}"
    c = ec.create_cache_cluster(CacheClusterId=name, Engine="memcached", CacheNodeType="cache.t4g.small",
                                NumCacheNodes=2, CacheSubnetGroupName=group, Tags=tag_list(t))["CacheCluster"]
    record(partition, name, "cache_cluster", c["ARN"], region,
           {"cluster_id": name, "engine": "memcached", "nodes": 2, "subnet_ids": sorted([app, data_b])}, t)


def seed_secrets(partition, region, account, s, ec2, subnet, sg):
    """A bastion whose user data holds a password and an access key; a function with an
    access key and a secret key in its environment, one that names its secret by ARN; a
    managed secret that rotates and one that does not."""
    key_id = "AKIA" + ("CN" if partition == "aws-cn" else "GL") + f"PLANTED{len(planted):02d}" + "XYZ42"[:5]
    key_id = key_id[:20].ljust(20, "Q")
    password = f"Plant3d-Passw0rd-{s}"
    secret_key = f"wJalrXUtnFEMI/K7MDENG/planted/{s}"
    planted.extend([key_id, password, secret_key])
    user_data = ("#!/bin/bash\n"
                 "# bootstrap the bastion\n"
                 f"export DB_PASSWORD=\"{password}\"\n"
                 f"aws configure set aws_access_key_id {key_id}\n"
                 "yum install -y postgresql\n")
    t = tags("internal", Name=f"bastion-{s}")
    inst = ec2.run_instances(ImageId="ami-0a1b2c3d4e5f60718", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             SubnetId=subnet, SecurityGroupIds=[sg], UserData=user_data,
                             TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list(t)}])["Instances"][0]
    iid = inst["InstanceId"]
    arn = lambda kind, rid: f"arn:{partition}:ec2:{region}:{account}:{kind}/{rid}"  # noqa: E731
    record(partition, f"bastion-{s}", "ec2_instance", arn("instance", iid), region,
           {"instance_id": iid, "state": "running",
            "user_data_secrets": [{"location": "line 3", "kind": "assignment"},
                                  {"location": "line 4", "kind": "aws-access-key-id"}]}, t)
    root_vol = inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    record(partition, f"bastion-root-{s}", "ebs_volume", arn("volume", root_vol), region,
           {"volume_id": root_vol, "attached_instance_ids": [iid]}, {})

    sm = client("secretsmanager", region)
    t = tags("personal")
    db_secret = f"Planted-Secret-String-{s}"
    planted.append(db_secret)
    made = {}
    for name, rotate in ((f"db-{s}", True), (f"legacy-api-{s}", False)):
        sec = sm.create_secret(Name=name, SecretString=db_secret, Tags=tag_list(t))
        if rotate:
            sm.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": 30})
        made[name] = sec["ARN"]
        record(partition, name, "secret", sec["ARN"], region, {"name": name, "rotation_enabled": rotate}, t)

    lam = client("lambda", region)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    role = f"arn:{partition}:iam::{account}:role/{'cn' if partition == 'aws-cn' else 'gl'}-app-role"
    t = tags("personal")
    for name, env, found in (
        (f"ingest-{s}", {"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret_key, "LOG_LEVEL": "info"},
         [{"location": "env AWS_ACCESS_KEY_ID", "kind": "aws-access-key-id"},
          {"location": "env AWS_SECRET_ACCESS_KEY", "kind": "assignment"}]),
        (f"ingest-ok-{s}", {"DB_SECRET_ARN": made[f"db-{s}"], "TOKEN_TTL": "3600"}, []),
    ):
        f = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                                Code={"ZipFile": code.getvalue()}, Environment={"Variables": env}, Tags=t)
        record(partition, name, "lambda_function", f["FunctionArn"], region,
               {"name": name, "runtime": "python3.12", "env_secrets": found}, t)


def seed_cdn(partition, region, account):
    """CloudFront distributions, tagged. The tagging API also reports them (an ARN without a
    region) in every region's answer: the snapshot must hold each once, as global, read by
    the CloudFront collector. shop-cdn redirects viewers to HTTPS and speaks HTTPS to its
    origin but has no web ACL; video-cdn has a web ACL but lets viewers use plain HTTP and
    reaches its origin over HTTP."""
    cf = client("cloudfront", region)
    t = tags("internal")

    def distribution(name, viewer, origin, acl=None):
        config = {
            "CallerReference": f"{name}-{partition}", "Comment": name, "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": name, "DomainName": f"{name}.lanting.cn",
                                                  "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                                                         "OriginProtocolPolicy": origin}}]},
            "DefaultCacheBehavior": {"TargetOriginId": name, "ViewerProtocolPolicy": viewer,
                                     "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0}},
        }
        if acl:
            config["WebACLId"] = acl
        d = cf.create_distribution_with_tags(DistributionConfigWithTags={
            "DistributionConfig": config, "Tags": {"Items": tag_list(t)}})["Distribution"]
        props = {"distribution_id": d["Id"], "enabled": True, "viewer_protocol_policies": [viewer],
                 "custom_origin_policies": [origin], "web_acl_id": acl}
        record(partition, name, "cdn_distribution", d["ARN"], "global", props, t)

    distribution("shop-cdn", "redirect-to-https", "https-only")
    acl = f"arn:{partition}:wafv2:us-east-1:{account}:global/webacl/edge/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    distribution("video-cdn", "allow-all", "http-only", acl)


def seed_landing_zone(partition, region, account):
    """EKS clusters and the private links to the IDC. An EKS API open to the world and one
    private with encrypted secrets; a peering of the spoke with the hub; a Direct Connect
    line in aws-cn and a VPN connection in both."""
    eks = client("eks", region)
    ec2 = client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.90.{n}.0/24")["Subnet"]["SubnetId"] for n in (1, 2)]
    ec2.create_tags(Resources=[vpc] + subnets, Tags=tag_list(tags("internal")))
    arn = lambda kind, rid: f"arn:{partition}:ec2:{region}:{account}:{kind}/{rid}"
    record(partition, "eks-vpc", "vpc", arn("vpc", vpc), region, {"vpc_id": vpc, "is_default": False}, tags("internal"))
    for n, sid in enumerate(subnets, 1):
        record(partition, f"eks-subnet-{n}", "subnet", arn("subnet", sid), region,
               {"subnet_id": sid, "vpc_id": vpc, "routes_to_internet_gateway": False}, tags("internal"))
    # The VPC's default security group, which moto makes with it, is recorded (untagged)
    # by seed_defaults with the region's other default groups.
    # The spoke peered with the region's default VPC (the hub, in this small estate).
    hub = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")][0]
    pcx = ec2.create_vpc_peering_connection(
        VpcId=hub, PeerVpcId=vpc,
        TagSpecifications=[{"ResourceType": "vpc-peering-connection", "Tags": tag_list(tags("internal"))}],
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    record(partition, "hub-eks-peering", "vpc_peering", arn("vpc-peering-connection", pcx), region,
           {"peering_id": pcx}, tags("internal"))
    role = f"arn:{partition}:iam::{account}:role/eks-cluster"
    t = tags("internal")
    open_ = eks.create_cluster(name="eks-open", roleArn=role, tags=t,
                               resourcesVpcConfig={"subnetIds": subnets, "endpointPublicAccess": True,
                                                   "endpointPrivateAccess": False,
                                                   "publicAccessCidrs": ["0.0.0.0/0"]})["cluster"]
    record(partition, "eks-open", "eks_cluster", open_["arn"], region,
           {"name": "eks-open", "endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"],
            "secrets_encrypted": False}, t)
    kms = client("kms", region)
    key = kms.create_key(Description="eks secrets",
                         Tags=[{"TagKey": k, "TagValue": v} for k, v in sorted(t.items())])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    closed = eks.create_cluster(name="eks-private", roleArn=role, tags=t,
                                resourcesVpcConfig={"subnetIds": subnets, "endpointPublicAccess": False,
                                                    "endpointPrivateAccess": True},
                                encryptionConfig=[{"resources": ["secrets"],
                                                   "provider": {"keyArn": key["Arn"]}}])["cluster"]
    record(partition, "eks-private", "eks_cluster", closed["arn"], region,
           {"name": "eks-private", "endpoint_public_access": False, "endpoint_private_access": True,
            "secrets_encrypted": True}, t)
    record(partition, "eks-key", "kms_key", key["Arn"], region, {"key_id": key["KeyId"], "rotation_enabled": True}, t)
    # aws-cn reaches the IDC over a Direct Connect line (moto makes it `available`; its
    # answer is corrected by fixes.py); both partitions also have a VPN connection, whose
    # tunnels moto never reports up: the aws account has workloads and no private link.
    if partition == "aws-cn":
        dx = client("directconnect", region).create_connection(
            location="BJSDX", bandwidth="10Gbps", connectionName="idc-beijing",
            tags=[{"key": k, "value": v} for k, v in sorted(t.items())])
        record(partition, "idc-beijing", "dx_connection", dx["connectionId"], region,
               {"name": "idc-beijing", "state": "available", "location": "BJSDX"}, t)
    cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp="203.0.113.10", Type="ipsec.1")["CustomerGateway"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    VpnGatewayId=vgw["VpnGatewayId"],
                                    TagSpecifications=[{"ResourceType": "vpn-connection", "Tags": tag_list(t)}])
    vid = vpn["VpnConnection"]["VpnConnectionId"]
    record(partition, "idc-vpn", "vpn_connection", arn("vpn-connection", vid), region,
           {"vpn_connection_id": vid, "tunnels_up": 0}, t)


def seed_defaults(partition, region, account):
    """moto makes a default VPC and security groups in every region: they are the account's too."""
    ec2 = client("ec2", region)
    for v in ec2.describe_vpcs()["Vpcs"]:
        if v.get("IsDefault"):
            record(partition, f"default-vpc-{region}", "vpc",
                   f"arn:{partition}:ec2:{region}:{account}:vpc/{v['VpcId']}", region,
                   {"vpc_id": v["VpcId"], "is_default": True, "flow_log_ids": []}, {})
    # Its subnets, one per zone, tagged here: how many zones moto makes is moto's business.
    for n in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]:
        ec2.create_tags(Resources=[n["SubnetId"]], Tags=tag_list(tags("internal")))
        record(partition, f"default-subnet-{n['AvailabilityZone']}", "subnet",
               f"arn:{partition}:ec2:{region}:{account}:subnet/{n['SubnetId']}", region,
               {"subnet_id": n["SubnetId"], "vpc_id": n["VpcId"]}, tags("internal"))
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
           {"name": bucket, "encryption": "AES256", "lifecycle_rules": 1,
            "lifecycle_transitions": [], "lifecycle_expiration": True}, tags("internal"))
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
    a customer key (AWS makes it AWS-managed). Its alias under `alias/aws/` is what tells:
    the snapshot keeps the manager as read and the alias, and the rules treat it as
    AWS-managed (no rotation or tag finding)."""
    kms = client("kms", region)
    known = {r["id"] for r in manifest}
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] != "alias/aws/ebs" or "TargetKeyId" not in alias:
            continue
        m = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
        if m["Arn"] not in known:
            record(partition, f"moto-ebs-key-{region}", "kms_key", m["Arn"], region,
                   {"key_id": m["KeyId"], "manager": m["KeyManager"], "aliases": ["alias/aws/ebs"]}, {})


def main():
    account = client("sts", "us-east-1").get_caller_identity()["Account"]
    for partition, regions in PARTITIONS.items():
        seed_iam(partition, regions[0], account)
        # aws-cn: one multi-region trail covers both regions; aws: a single-region trail in
        # us-east-1 only, so ap-southeast-1 has none.
        bucket = seed_trail(partition, regions[0], account, multi_region=partition == "aws-cn")
        seed_cdn(partition, regions[0], account)
        seed_landing_zone(partition, regions[0], account)
        for region in regions:
            seed_defaults(partition, region, account)
            for i in range(SCALE):
                seed_region(partition, region, account, i, bucket)
            seed_moto_keys(partition, region)
    manifest.sort(key=lambda r: (r["partition"], r["id"]))
    with open(MANIFEST, "w") as f:
        json.dump({"account_id": account, "resources": manifest, "planted_secrets": planted}, f,
                  indent=1, sort_keys=True)


if __name__ == "__main__":
    main()

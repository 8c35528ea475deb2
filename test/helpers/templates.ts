/** Shared test inputs. */

/** An imdsv2 finding whose only fix is a suggestion (the value comes from a parameter). */
export const SUGGEST_ONLY = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tokens:
    Type: String
    Default: optional
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: !Ref Tokens
`;

/** A template holding one EC2 role (its properties open, for more to be appended) and no policy. */
export const APP_ROLE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
`;

/** A role with an inline S3 read policy and a security group open on 443 to 10/8: the base of the tests of access that widens. */
export const ROLE_AND_GROUP = `${APP_ROLE}      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::assets/*
  WebGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
`;

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

/**
 * The one configuration object of the engine: rule severities and every rule
 * option the catalog calls configurable, with documented defaults. The config
 * file format (`.iac-lint.yaml`) maps onto this.
 */
import type { Severity } from './types';

export interface RuleOptions {
  /** `ec2-approved-ami`: approved AMI ids / SSM parameter paths. Empty: the rule is silent. */
  approvedAmis: string[];
  /** `sg-admin-ports-restricted`: CIDRs from which SSH/RDP may be reached. */
  adminCidrs: string[];
  /** `sg-no-public-ingress`: ports that may be open to the internet (e.g. 443). */
  publicPorts: number[];
  /** `sg-least-privilege`: widest port range a rule may open. */
  maxPortRange: number;
  /** `ec2-name-tag`: tag keys every instance, volume and security group must carry. */
  requiredTags: string[];
  /** `ec2-separate-data-volume`: root volume size (GiB) above which data belongs on its own volume. */
  rootVolumeMaxGiB: number;
  /** `ec2-spot-for-noncritical`: name/tag words that mark a workload as non-critical. */
  nonCriticalPatterns: string[];
  /** `iam-admin-count`: most principals that may hold administrator access. */
  maxAdmins: number;
  /** `docker-trusted-base-image`: trusted registries/repositories. Empty: the rule is silent. */
  trustedImages: string[];
  /** `naming-convention`: separator between name words. */
  namingSeparator: string;
  /** `naming-convention`: required name prefix per entity. */
  namingPrefixes: Record<string, string>;
  /**
   * Files larger than this (KB of text) are not linted: they get one `file-too-large`
   * information finding instead, in the editor and the CLI alike.
   */
  maxFileSizeKB: number;
}

export const DEFAULT_OPTIONS: RuleOptions = {
  approvedAmis: [],
  adminCidrs: [],
  publicPorts: [],
  maxPortRange: 1024,
  requiredTags: [],
  rootVolumeMaxGiB: 100,
  nonCriticalPatterns: ['build', 'ci', 'pr', 'runner', 'test'],
  maxAdmins: 2,
  trustedImages: [],
  namingSeparator: '-',
  namingPrefixes: {
    security_group: 'security-group-[region]',
    ec2_instance: 'ec2-instance-[region]',
  },
  maxFileSizeKB: 4096,
};

export interface EngineConfig {
  /** Per-rule severity override, or `off`. */
  rules: Record<string, Severity | 'off'>;
  options: RuleOptions;
}

export function defaultConfig(): EngineConfig {
  return { rules: {}, options: structuredClone(DEFAULT_OPTIONS) };
}

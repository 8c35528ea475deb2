import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { LineIndex } from '../positions';
import type { OffsetRange } from '../types';

export interface CfnResource {
  logicalId: string;
  /** `AWS::EC2::Instance`, or '' when missing / not a plain string. */
  type: string;
  /** The logical id key. */
  keyRange: OffsetRange;
  /** The `LogicalId: {...}` pair. */
  pair: Pair;
  /** The resource body map (`Type`, `Properties`, `DeletionPolicy`, ...). */
  body: YAMLMap;
  /** `Properties`, when it is a map. */
  properties: YAMLMap | null;
}

export interface CfnParameter {
  name: string;
  body: YAMLMap | null;
  default: Node | null;
}

export interface CfnTemplate {
  format: 'cloudformation';
  path: string;
  text: string;
  lines: LineIndex;
  /** The template was written as JSON (flow style throughout). */
  isJson: boolean;
  doc: Document;
  root: YAMLMap;
  resources: CfnResource[];
  resourceById: Map<string, CfnResource>;
  parameters: Map<string, CfnParameter>;
  errors: { range: OffsetRange; message: string }[];
  /**
   * What each YAML alias (`*a`) of the document stands for (the last `&a` before
   * it). Undefined when the document has no aliases; empty when they expand too far
   * (an alias bomb, or an alias inside its own anchor): they are not followed then.
   */
  aliasTargets: ReadonlyMap<Node, Node> | undefined;
  /**
   * Linted once and forgotten (the CLI's scan): nothing about it is kept for a
   * later lint (no facts cached by text, no memo keys).
   */
  transient: boolean;
}

export type { Node, Pair, Scalar, YAMLMap };

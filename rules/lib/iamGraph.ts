/**
 * Who holds which policy: IAM users, groups and roles of one CloudFormation
 * template or one Terraform module (all `.tf` files of a folder), the policies
 * attached to them (inline, managed, through groups), console access, access
 * keys, and every policy document with what it is used as (identity, resource
 * or trust policy). Built once per template / module and shared by the IAM rules.
 *
 * Scope: relations are followed inside the template or module only. A group,
 * user or policy defined elsewhere (another stack, an import, a module call, a
 * customer managed policy given by ARN) is unknown, and rules that would need
 * its content stay silent.
 */
import { defineRule, type BaseContext, type Rule, type RuleMeta } from '../../server/engine/rule';
import type { OffsetRange } from '../../server/engine/types';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import type { TfBlock, TfExpr, TfFile, TfModule } from '../../server/engine/terraform/model';
import { tupleItems } from '../../server/engine/terraform/parser';
import { headerRange, resolveExpr } from '../../server/engine/terraform/values';
import { CFN_IAM, TF_IAM } from './reads';
import { cfnOfTypes } from './byType';
import { branches, entry, fromCfn, pushBranches, fromTf, get, str, type DMap, type DNode } from './docNode';
import {
  adminGrants, dataDocumentName, findDataDocument, policyFromNode, tfDataDocument, tfPolicyFromExpr, wildcardFree, type PolicyDocument,
} from './policy';
import { moduleKey } from '../../server/engine/terraform/moduleKey';

export type PrincipalKind = 'user' | 'group' | 'role';

/** A place in a file. */
export interface Site {
  range: OffsetRange;
  path: string;
  /** The resource the text belongs to: CFN logical id or Terraform address. */
  resource: string;
}

/** One policy attached to a principal. */
export interface Attached extends Site {
  /** The document, when its content is in the template / module. */
  doc: PolicyDocument | null;
  /** Name of the AWS managed policy (`AdministratorAccess`), when attached by AWS ARN or SAM name. */
  awsManaged: string | null;
  /** Content not visible (customer managed ARN, import, variable). */
  unknown: boolean;
  /**
   * Its source shows that the document (when there is one) names no wildcard that
   * matters (`wildcardFree` in policy.ts): no administrator grant, whole-service or
   * every-action wildcard, nor `Resource: "*"`. Rules looking only for those skip it unread.
   */
  readonly wildcardFree: boolean;
}

export interface Principal extends Site {
  kind: PrincipalKind;
  /** CFN logical id / Terraform address. */
  id: string;
  /** The IAM name, when written literally. */
  name: string | null;
  policies: Attached[];
  /** Users: ids of the groups they are in. */
  groups: Set<string>;
  /** Users: some group membership could not be resolved inside the template / module. */
  groupsUnknown: boolean;
  /** Groups: ids of their member users. */
  members: Set<string>;
  /** Users: where console access is given. */
  loginProfile: Site | null;
  /** How many principals the resource stands for (Terraform `count` / `for_each` with a literal value). */
  multiplicity: number;
}

export interface AccessKey extends Site {
  /** Where the user is named, and the user's id when it resolves. */
  user: Site & { id: string | null };
}

export type PolicyKind = 'identity' | 'resource' | 'trust';

export interface PolicyUse {
  doc: PolicyDocument;
  /** As `Attached.wildcardFree`. */
  readonly wildcardFree: boolean;
  kind: PolicyKind;
  /** An ECR repository policy. */
  ecr: boolean;
  resource: string;
}

export interface IamGraph {
  principals: Map<string, Principal>;
  accessKeys: AccessKey[];
  policies: PolicyUse[];
  /** Policies attached straight to users (iam-no-user-policies). */
  userPolicySites: (Site & { what: string })[];
  /** Every managed policy attachment by ARN, name or reference, whether or not its principal resolves. */
  managed: Attached[];
}

/** `AdministratorAccess` from `arn:aws:iam::aws:policy/AdministratorAccess` (any partition, `${AWS::Partition}` too). */
export function awsManagedName(arn: string): string | null {
  const m = /^arn:(?:\$\{[^}]*\}|[\w-]*):iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn.trim());
  return m ? m[1] : null;
}

export const ADMIN_POLICY = 'AdministratorAccess';

/** The attachments that give administrator access. */
export function adminAttachments(p: Principal): Attached[] {
  return p.policies.filter((a) => a.awsManaged === ADMIN_POLICY || (!a.wildcardFree && a.doc !== null && a.doc.statements.some((s) => adminGrants(s).length > 0)));
}

/** Principals holding administrator access: users (directly or through a group), roles, and groups whose members are not in view. */
export function administrators(g: IamGraph): Principal[] {
  const adminGroups = new Set<string>();
  for (const p of g.principals.values()) if (p.kind === 'group' && adminAttachments(p).length) adminGroups.add(p.id);
  const out: Principal[] = [];
  for (const p of g.principals.values()) {
    if (p.multiplicity === 0) continue;
    if (p.kind === 'group') {
      if (adminGroups.has(p.id) && p.members.size === 0) out.push(p);
    } else if (adminAttachments(p).length || (p.kind === 'user' && [...p.groups].some((id) => adminGroups.has(id)))) {
      out.push(p);
    }
  }
  return out;
}

/** Every policy reaching a user: its own and its groups'. */
export function effectivePolicies(g: IamGraph, p: Principal): { policies: Attached[]; unknown: boolean } {
  const policies = [...p.policies];
  let unknown = p.groupsUnknown;
  for (const gid of p.groups) {
    const grp = g.principals.get(gid);
    if (!grp) { unknown = true; continue; }
    policies.push(...grp.policies);
  }
  if (policies.some((a) => a.unknown || (a.doc?.unknown ?? false))) unknown = true;
  return { policies, unknown };
}

function newPrincipal(kind: PrincipalKind, id: string, site: Site, name: string | null): Principal {
  // A site is exactly its three fields (both graphs make it so): copied by name, not spread.
  return { range: site.range, path: site.path, resource: site.resource, kind, id, name, policies: [], groups: new Set(), groupsUnknown: false, members: new Set(), loginProfile: null, multiplicity: 1 };
}

type DocFn = () => PolicyDocument | null;

/**
 * A document computed once, when first asked for: rules that look only at
 * relations never pay for parsing policies. Its state in fields (not a closure),
 * so that attachments and uses holding one are plain objects of one class.
 */
class LazyDoc {
  private done = false;
  private v: PolicyDocument | null = null;
  /** `wildcardFree` of the source: 0 not asked yet, 1 yes, 2 no. */
  private free = 0;
  /** `text`, `start`, `end`: where the document is written, when all of it is written there (else text is null). */
  constructor(private readonly f: DocFn, private readonly text: string | null = null, private readonly start = 0, private readonly end = 0) {}

  get(): PolicyDocument | null {
    if (!this.done) {
      this.v = this.f();
      this.done = true;
    }
    return this.v;
  }

  /** The source shows that the document names no wildcard that matters (`wildcardFree`); false when unknown. */
  wildcardFree(): boolean {
    if (this.free === 0) this.free = this.text !== null && wildcardFree(this.text, this.start, this.end) ? 1 : 2;
    return this.free === 1;
  }
}

/** A document read from the DNode `d`, whose source is `d`'s range. */
function docAt(d: DNode, read: () => PolicyDocument): LazyDoc {
  return new LazyDoc(read, d.text, d.range.start, d.range.end);
}

/**
 * An attachment whose document is read when `doc` is first read. A class with
 * `doc` on its prototype: an object literal with a getter made a new getter
 * function (and object layout) per attachment.
 */
class LazyAttached implements Attached {
  constructor(
    readonly range: OffsetRange,
    readonly path: string,
    readonly resource: string,
    readonly awsManaged: string | null,
    readonly unknown: boolean,
    private readonly read: LazyDoc | null,
  ) {}

  get doc(): PolicyDocument | null {
    return this.read === null ? null : this.read.get();
  }

  get wildcardFree(): boolean {
    return this.read === null || this.read.wildcardFree();
  }

  /** The same attachment written at `range`, sharing the document's reader. */
  at(range: OffsetRange): LazyAttached {
    return new LazyAttached(range, this.path, this.resource, this.awsManaged, this.unknown, this.read);
  }
}

function attached(site: Site, doc: DocFn | LazyDoc | null, awsManaged: string | null, unknown: boolean): LazyAttached {
  const read = doc === null ? null : doc instanceof LazyDoc ? doc : new LazyDoc(doc);
  return new LazyAttached(site.range, site.path, site.resource, awsManaged, unknown, read);
}


/** A listed document use, read when `doc` is first read (see `LazyAttached`). */
class LazyUse implements PolicyUse {
  constructor(
    readonly kind: PolicyKind,
    readonly ecr: boolean,
    readonly resource: string,
    private readonly read: LazyDoc,
  ) {}

  get doc(): PolicyDocument {
    return this.read.get()!;
  }

  get wildcardFree(): boolean {
    return this.read.wildcardFree();
  }
}

/** Lists a document as used; returns its (memoised) reader, for attachments of the same document. */
function use(g: IamGraph, kind: PolicyKind, ecr: boolean, resource: string, read: LazyDoc): LazyDoc {
  g.policies.push(new LazyUse(kind, ecr, resource, read));
  return read;
}

function link(g: IamGraph, user: Principal, groupId: string): void {
  user.groups.add(groupId);
  g.principals.get(groupId)?.members.add(user.id);
}

/** Items of a list-valued node (a scalar counts as a one-item list); `unknown` when it cannot be read. */
function listItems(n: DNode | undefined): { items: DNode[]; unknown: boolean } {
  if (!n) return { items: [], unknown: false };
  const items: DNode[] = [];
  let unknown = false;
  for (const b of branches(n)) {
    if (b.kind === 'list') for (const x of b.items) pushBranches(x, items);
    else if (b.kind === 'scalar' && b.type === 'null') continue;
    else if (b.kind === 'unknown' && !b.ref) unknown = true;
    else items.push(b);
  }
  return { items, unknown };
}

// ---------------------------------------------------------------------------
// CloudFormation

const CFN_KIND: Record<string, PrincipalKind> = { 'AWS::IAM::User': 'user', 'AWS::IAM::Group': 'group', 'AWS::IAM::Role': 'role' };
const CFN_NAME: Record<PrincipalKind, string> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };
const CFN_RESOURCE_POLICIES: Record<string, string> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
};
const SAM_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Serverless::StateMachine']);
/** Every resource type the graph reads. */
const CFN_TYPES = new Set([
  ...Object.keys(CFN_KIND), ...Object.keys(CFN_RESOURCE_POLICIES), 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserToGroupAddition', 'AWS::IAM::AccessKey',
]);
/** The resources the graph reads (every loop below skips the others), for `cfnOfTypes`. */
const CFN_GRAPH_TYPES = [...CFN_TYPES, ...SAM_TYPES];

const cfnCache = new WeakMap<CfnTemplate, IamGraph>();

export function cfnIamGraph(tpl: CfnTemplate): IamGraph {
  const cached = cfnCache.get(tpl);
  if (cached) return cached;
  const g: IamGraph = { principals: new Map(), accessKeys: [], policies: [], userPolicySites: [], managed: [] };
  const props = new Map<string, DMap>();
  const graphResources = cfnOfTypes(tpl, CFN_GRAPH_TYPES);
  for (const res of graphResources) {
    if (!CFN_TYPES.has(res.type) && !SAM_TYPES.has(res.type)) continue;
    const p = res.properties ? fromCfn(tpl, res.properties) : null;
    if (p?.kind === 'map') props.set(res.logicalId, p);
  }
  const site = (range: OffsetRange, resource: string): Site => ({ range, path: tpl.path, resource });

  // Principals first, so that attachments written anywhere can find them.
  for (const res of graphResources) {
    const kind = CFN_KIND[res.type];
    if (kind) {
      const name = str(get(props.get(res.logicalId), CFN_NAME[kind]));
      g.principals.set(res.logicalId, newPrincipal(kind, res.logicalId, site(res.keyRange, res.logicalId), name ?? null));
    } else if (SAM_TYPES.has(res.type) && props.get(res.logicalId) && !entry(props.get(res.logicalId)!, 'Role')) {
      const id = `${res.logicalId}Role`;
      if (!g.principals.has(id)) g.principals.set(id, newPrincipal('role', id, site(res.keyRange, res.logicalId), null));
    }
  }

  const target = (n: DNode, kind: PrincipalKind): Principal | null => {
    if (n.kind === 'unknown' && n.ref?.length) {
      const p = g.principals.get(n.ref[0]);
      return p && p.kind === kind ? p : null;
    }
    if (n.kind === 'scalar') {
      for (const p of g.principals.values()) if (p.kind === kind && (p.name === n.value || (!p.name && p.id === n.value))) return p;
    }
    return null;
  };

  /** The document of `AWS::IAM::ManagedPolicy` `id`, read when needed; null when there is none. */
  const managedDoc = (id: string): LazyDoc | null => {
    const res = tpl.resourceById.get(id);
    if (res?.type !== 'AWS::IAM::ManagedPolicy') return null;
    const d = get(props.get(id), 'PolicyDocument');
    return d ? docAt(d, () => policyFromNode(d)) : null;
  };

  /** A managed policy given by ARN / Ref / GetAtt. */
  const managed = (n: DNode, owner: string): Attached => {
    const base = { range: n.range, path: tpl.path, resource: owner };
    let a: Attached | null = null;
    if (n.kind === 'unknown' && n.ref?.length) {
      const doc = managedDoc(n.ref[0]);
      if (doc) a = attached(base, doc, null, false);
    }
    if (!a) {
      const text = n.kind === 'scalar' || n.kind === 'template' ? n.value : joinedText(n);
      const aws = text ? awsManagedName(text) : null;
      a = attached(base, null, aws, aws === null);
    }
    g.managed.push(a);
    return a;
  };

  // Both push into `out` (a principal's policies): one packed array, no spread of map results.
  const inlinePolicies = (owner: string, list: DNode | undefined, out: Attached[]): void => {
    const { items, unknown } = listItems(list);
    for (const it of items) {
      const d = get(it, 'PolicyDocument');
      const doc = d ? use(g, 'identity', false, owner, docAt(d, () => policyFromNode(d))) : null;
      out.push(attached(site(it.range, owner), doc, null, doc === null));
    }
    if (unknown && list) out.push(attached(site(list.range, owner), null, null, true));
  };

  const managedList = (owner: string, list: DNode | undefined, out: Attached[]): void => {
    const { items, unknown } = listItems(list);
    for (const it of items) out.push(managed(it, owner));
    if (unknown && list) out.push(attached(site(list.range, owner), null, null, true));
  };

  const nonEmpty = (n: DNode | undefined): boolean => {
    if (!n) return false;
    const { items, unknown } = listItems(n);
    return items.length > 0 || unknown;
  };

  for (const res of graphResources) {
    const id = res.logicalId;
    const p = props.get(id);
    if (!p) continue;
    const kind = CFN_KIND[res.type];
    if (kind) {
      const me = g.principals.get(id)!;
      const pol = entry(p, 'Policies');
      const man = entry(p, 'ManagedPolicyArns');
      inlinePolicies(id, pol?.value, me.policies);
      managedList(id, man?.value, me.policies);
      if (kind === 'user') {
        if (pol && nonEmpty(pol.value)) g.userPolicySites.push({ ...site(pol.keyRange, id), what: 'the user has inline Policies of its own' });
        if (man && nonEmpty(man.value)) g.userPolicySites.push({ ...site(man.keyRange, id), what: 'the user has ManagedPolicyArns of its own' });
        const lp = entry(p, 'LoginProfile');
        if (lp) me.loginProfile = site(lp.keyRange, id);
        const groups = listItems(get(p, 'Groups'));
        if (groups.unknown) me.groupsUnknown = true;
        for (const gn of groups.items) {
          const grp = target(gn, 'group');
          if (grp) link(g, me, grp.id);
          else me.groupsUnknown = true;
        }
      }
      if (kind === 'role') {
        const trust = get(p, 'AssumeRolePolicyDocument');
        if (trust) use(g, 'trust', false, id, docAt(trust, () => policyFromNode(trust)));
      }
      continue;
    }
    switch (res.type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy': {
        const d = get(p, 'PolicyDocument');
        const doc = d ? use(g, 'identity', false, id, docAt(d, () => policyFromNode(d))) : null;
        for (const [key, k] of [['Users', 'user'], ['Groups', 'group'], ['Roles', 'role']] as const) {
          const e = entry(p, key);
          if (!e) continue;
          const { items } = listItems(e.value);
          for (const it of items) {
            if (k === 'user') g.userPolicySites.push({ ...site(it.range, id), what: `${res.type === 'AWS::IAM::Policy' ? 'policy' : 'managed policy'} ${id} is attached straight to a user` });
            const t = target(it, k);
            if (t) t.policies.push(attached(site(it.range, id), doc, null, doc === null));
          }
        }
        break;
      }
      case 'AWS::IAM::UserPolicy':
      case 'AWS::IAM::GroupPolicy':
      case 'AWS::IAM::RolePolicy': {
        const k: PrincipalKind = res.type === 'AWS::IAM::UserPolicy' ? 'user' : res.type === 'AWS::IAM::GroupPolicy' ? 'group' : 'role';
        const d = get(p, 'PolicyDocument');
        const doc = d ? use(g, 'identity', false, id, docAt(d, () => policyFromNode(d))) : null;
        if (k === 'user') g.userPolicySites.push({ ...site(res.keyRange, id), what: `${id} is an inline policy of a user` });
        const tn = get(p, CFN_NAME[k]);
        const t = tn ? target(tn, k) : null;
        if (t) t.policies.push(attached(site(res.keyRange, id), doc, null, doc === null));
        break;
      }
      case 'AWS::IAM::UserToGroupAddition': {
        const gn = get(p, 'GroupName');
        const grp = gn ? target(gn, 'group') : null;
        for (const un of listItems(get(p, 'Users')).items) {
          const u = target(un, 'user');
          if (!u) continue;
          if (grp) link(g, u, grp.id);
          else u.groupsUnknown = true;
        }
        break;
      }
      case 'AWS::IAM::AccessKey': {
        const un = get(p, 'UserName');
        const u = un ? target(un, 'user') : null;
        g.accessKeys.push({ ...site(res.keyRange, id), user: { ...site(un?.range ?? res.keyRange, id), id: u?.id ?? null } });
        break;
      }
      default: {
        const key = CFN_RESOURCE_POLICIES[res.type];
        if (key) {
          const d = get(p, key);
          if (d) use(g, 'resource', res.type === 'AWS::ECR::Repository', id, docAt(d, () => policyFromNode(d)));
        } else if (SAM_TYPES.has(res.type)) {
          samPolicies(g, tpl.path, id, p);
        }
      }
    }
  }
  cfnCache.set(tpl, g);
  return g;
}

/** Text of an `!Join` of literals (`arn:`, `!Ref AWS::Partition`, `:iam::aws:policy/X`), for managed policy ARNs. */
function joinedText(n: DNode): string | null {
  if (n.kind !== 'unknown') return null;
  const list = n.parts.length === 2 && n.parts[1].kind === 'list' ? n.parts[1].items : null;
  if (!list) return null;
  const delim = n.parts[0].kind === 'scalar' ? n.parts[0].value : '';
  const pieces = list.map((x) => (x.kind === 'scalar' ? x.value : x.kind === 'unknown' && x.ref?.[0] === 'AWS::Partition' ? '${AWS::Partition}' : null));
  return pieces.every((x) => x !== null) ? pieces.join(delim) : null;
}

/** SAM `Policies`: managed policy names / ARNs, policy templates, inline documents. Attached to the implicit role. */
function samPolicies(g: IamGraph, path: string, id: string, p: DMap): void {
  const pol = get(p, 'Policies');
  if (!pol) return;
  const role = g.principals.get(`${id}Role`);
  const { items, unknown } = listItems(pol);
  for (const it of items) {
    const base = { range: it.range, path, resource: id };
    let a: Attached;
    if (it.kind === 'scalar' || it.kind === 'template') {
      const aws = it.kind === 'scalar' && /^[\w+=,.@-]+$/.test(it.value) ? it.value : awsManagedName(it.value);
      a = attached(base, null, aws, aws === null);
      g.managed.push(a);
    } else if (it.kind === 'map' && entry(it, 'Statement')) {
      a = attached(base, use(g, 'identity', false, id, docAt(it, () => policyFromNode(it))), null, false);
    } else if (it.kind === 'map') {
      // A SAM policy template (`S3ReadPolicy: {...}`): scoped permissions, known not to be admin.
      a = attached(base, () => ({ path, range: it.range, statements: [], unknown: false }), null, false);
    } else {
      a = attached(base, null, null, true);
    }
    role?.policies.push(a);
  }
  if (unknown) role?.policies.push(attached({ range: pol.range, path, resource: id }, null, null, true));
}

// ---------------------------------------------------------------------------
// Terraform

const TF_KIND: Record<string, PrincipalKind> = { aws_iam_user: 'user', aws_iam_group: 'group', aws_iam_role: 'role' };
const TF_TYPE: Record<PrincipalKind, string> = { user: 'aws_iam_user', group: 'aws_iam_group', role: 'aws_iam_role' };
const TF_RESOURCE_POLICIES: Record<string, boolean> = {
  aws_s3_bucket_policy: false, aws_sqs_queue_policy: false, aws_sns_topic_policy: false, aws_ecr_repository_policy: true,
};
const TF_INLINE: Record<string, PrincipalKind> = { aws_iam_user_policy: 'user', aws_iam_group_policy: 'group', aws_iam_role_policy: 'role' };
const TF_ATTACH: Record<string, PrincipalKind> = {
  aws_iam_user_policy_attachment: 'user', aws_iam_group_policy_attachment: 'group', aws_iam_role_policy_attachment: 'role',
};

const tfCache = new WeakMap<object, IamGraph>();

interface Located { block: TfBlock; file: TfFile }

/** The graph by module object too: the IAM rules of one file's lint ask for it with the same object, one `moduleKey` walk each otherwise. */
const tfByModule = new WeakMap<TfModule, IamGraph>();

export function tfIamGraph(module: TfModule): IamGraph {
  const mine = tfByModule.get(module);
  if (mine) return mine;
  const g = tfIamGraphOfKey(module);
  tfByModule.set(module, g);
  return g;
}

function tfIamGraphOfKey(module: TfModule): IamGraph {
  const cached = tfCache.get(moduleKey(module));
  if (cached) return cached;
  const g: IamGraph = { principals: new Map(), accessKeys: [], policies: [], userPolicySites: [], managed: [] };
  const resources: Located[] = [];
  for (const file of module.files) for (const block of file.blocks) if (block.type === 'resource') resources.push({ block, file });
  const type = (l: Located) => l.block.labels[0]?.value ?? '';
  const addr = (l: Located) => l.block.address ?? '';
  const site = (l: Located, range: OffsetRange = headerRange(l.block)): Site => ({ range, path: l.file.path, resource: addr(l) });
  const node = (l: Located, e: TfExpr) => fromTf(module, l.file.path, l.file.text, e);

  for (const l of resources) {
    const kind = TF_KIND[type(l)];
    if (!kind) continue;
    const n = l.block.attr('name');
    const name = n ? resolveExpr(module, n.expr) : undefined;
    const p = newPrincipal(kind, addr(l), site(l), name?.kind === 'known' ? String(name.value) : null);
    p.multiplicity = multiplicity(l.block);
    g.principals.set(p.id, p);
  }

  const target = (l: Located, e: TfExpr | undefined, kind: PrincipalKind): Principal | null => {
    if (!e) return null;
    const n = node(l, e);
    if (n.kind === 'unknown' && n.ref && n.ref.length >= 2 && n.ref[0] === TF_TYPE[kind]) return g.principals.get(`${n.ref[0]}.${n.ref[1]}`) ?? null;
    if (n.kind === 'scalar') {
      for (const p of g.principals.values()) if (p.kind === kind && p.name === n.value) return p;
    }
    return null;
  };

  /** Documents by `aws_iam_policy` address. */
  const policyDocs = new Map<string, DocFn | LazyDoc>();
  const usedData = new Map<string, Set<PolicyKind | 'ecr'>>();
  const docOf = (l: Located, e: TfExpr, kind: PolicyKind, ecr = false): DocFn | LazyDoc => {
    const dataName = dataDocumentName(e);
    if (dataName) {
      // Data documents are listed once below, as what they are used for.
      let uses = usedData.get(dataName);
      if (!uses) usedData.set(dataName, (uses = new Set()));
      uses.add(ecr ? 'ecr' : kind);
      return () => tfPolicyFromExpr(module, l.file, e);
    }
    return use(g, kind, ecr, addr(l), new LazyDoc(() => tfPolicyFromExpr(module, l.file, e), l.file.text, e.range.start, e.range.end));
  };

  for (const l of resources) {
    if (type(l) !== 'aws_iam_policy') continue;
    const a = l.block.attr('policy');
    if (a) policyDocs.set(addr(l), docOf(l, a.expr, 'identity'));
  }

  const managed = (l: Located, e: TfExpr, range: OffsetRange = e.range): LazyAttached => {
    const a = managedRef(l, e, range);
    g.managed.push(a);
    return a;
  };
  const managedRef = (l: Located, e: TfExpr, range: OffsetRange): LazyAttached => {
    const base = { range, path: l.file.path, resource: addr(l) };
    const n = node(l, e);
    if (n.kind === 'unknown' && n.ref) {
      const r = n.ref;
      if (r[0] === 'aws_iam_policy' && r.length >= 2) {
        const doc = policyDocs.get(`${r[0]}.${r[1]}`);
        if (doc) return attached(base, doc, null, false);
      }
      if (r[0] === 'data' && r[1] === 'aws_iam_policy' && r.length >= 3) {
        const aws = dataPolicyName(module, r[2]);
        return attached(base, null, aws, aws === null);
      }
    }
    const text = n.kind === 'scalar' || n.kind === 'template' ? n.value : null;
    const aws = text ? awsManagedName(text) : null;
    return attached(base, null, aws, aws === null);
  };

  for (const l of resources) {
    const t = type(l);
    const b = l.block;
    const me = g.principals.get(addr(l));
    if (me && t === 'aws_iam_role') {
      const trust = b.attr('assume_role_policy');
      if (trust) docOf(l, trust.expr, 'trust');
      for (const ib of b.blocksOfType('inline_policy')) {
        const pa = ib.attr('policy');
        if (pa) me.policies.push(attached(site(l, pa.expr.range), docOf(l, pa.expr, 'identity'), null, false));
      }
      const mpa = b.attr('managed_policy_arns');
      if (mpa) {
        const items = tupleItems(mpa.expr);
        if (items) me.policies.push(...items.map((e) => managed(l, e)));
        else me.policies.push(attached(site(l, mpa.expr.range), null, null, true));
      }
      continue;
    }
    if (t in TF_INLINE) {
      const kind = TF_INLINE[t];
      const pa = b.attr('policy');
      const doc = pa ? docOf(l, pa.expr, 'identity') : null;
      if (kind === 'user') g.userPolicySites.push({ ...site(l), what: 'an inline policy is attached straight to a user' });
      const who = target(l, b.attr(kind)?.expr, kind);
      who?.policies.push(attached(site(l), doc, null, doc === null));
      continue;
    }
    if (t in TF_ATTACH) {
      const kind = TF_ATTACH[t];
      if (kind === 'user') g.userPolicySites.push({ ...site(l), what: 'a managed policy is attached straight to a user' });
      const arn = b.attr('policy_arn');
      const att: Attached = arn ? managed(l, arn.expr) : attached(site(l), null, null, true);
      target(l, b.attr(kind)?.expr, kind)?.policies.push(att);
      continue;
    }
    if (t === 'aws_iam_policy_attachment') {
      const arn = b.attr('policy_arn');
      const att = arn ? managed(l, arn.expr) : null;
      for (const [attr, kind] of [['users', 'user'], ['groups', 'group'], ['roles', 'role']] as const) {
        const a = b.attr(attr);
        if (!a) continue;
        const items = tupleItems(a.expr);
        if (kind === 'user' && (!items || items.length > 0)) g.userPolicySites.push({ ...site(l, a.nameRange), what: 'the policy is attached straight to users' });
        for (const e of items ?? []) {
          const who = target(l, e, kind);
          if (who) who.policies.push(att ? att.at(e.range) : attached(site(l, e.range), null, null, true));
        }
      }
      continue;
    }
    if (t === 'aws_iam_user_group_membership') {
      const u = target(l, b.attr('user')?.expr, 'user');
      const groups = b.attr('groups');
      const items = groups ? tupleItems(groups.expr) : [];
      if (u && !items) u.groupsUnknown = true;
      for (const e of items ?? []) {
        const grp = target(l, e, 'group');
        if (u && grp) link(g, u, grp.id);
        else if (u) u.groupsUnknown = true;
      }
      continue;
    }
    if (t === 'aws_iam_group_membership') {
      const grp = target(l, b.attr('group')?.expr, 'group');
      const users = b.attr('users');
      for (const e of (users ? tupleItems(users.expr) : []) ?? []) {
        const u = target(l, e, 'user');
        if (u && grp) link(g, u, grp.id);
        else if (u) u.groupsUnknown = true;
      }
      continue;
    }
    if (t === 'aws_iam_user_login_profile') {
      const u = target(l, b.attr('user')?.expr, 'user');
      if (u && !u.loginProfile) u.loginProfile = site(l);
      continue;
    }
    if (t === 'aws_iam_access_key') {
      const ua = b.attr('user');
      const u = target(l, ua?.expr, 'user');
      g.accessKeys.push({ ...site(l), user: { ...site(l, ua?.expr.range ?? headerRange(b)), id: u?.id ?? null } });
      continue;
    }
    if (t in TF_RESOURCE_POLICIES) {
      const pa = b.attr('policy');
      if (pa) docOf(l, pa.expr, 'resource', TF_RESOURCE_POLICIES[t]);
    }
  }

  // Every data document once, as what it is used for (identity when unused: it may feed a module call).
  for (const file of module.files) {
    for (const b of file.blocks) {
      if (b.type !== 'data' || b.labels[0]?.value !== 'aws_iam_policy_document') continue;
      const name = b.labels[1]?.value ?? '';
      if (findDataDocument(module, name)?.block !== b) continue;
      const uses = usedData.get(name) ?? new Set(['identity'] as const);
      const kind: PolicyKind = uses.has('identity') ? 'identity' : uses.has('resource') || uses.has('ecr') ? 'resource' : 'trust';
      use(g, kind, uses.has('ecr'), b.address ?? '', new LazyDoc(() => tfDataDocument(module, file, b), file.text, b.range.start, b.range.end));
    }
  }
  tfCache.set(moduleKey(module), g);
  return g;
}

/** `count = 3` / `for_each = [...]` with a literal value: how many objects the block makes. */
function multiplicity(b: TfBlock): number {
  const c = b.attr('count');
  if (c && typeof c.expr.value === 'number') return Math.max(0, c.expr.value);
  const fe = b.attr('for_each');
  if (fe) {
    const items = tupleItems(fe.expr);
    if (items) return items.length;
  }
  return 1;
}

/** `data "aws_iam_policy" "x" { name = "AdministratorAccess" }` (or `arn = ...`): the AWS managed policy name. */
function dataPolicyName(module: TfModule, name: string): string | null {
  for (const f of module.files) {
    for (const b of f.blocks) {
      if (b.type !== 'data' || b.labels[0]?.value !== 'aws_iam_policy' || b.labels[1]?.value !== name) continue;
      const arn = b.attr('arn');
      if (arn && typeof arn.expr.value === 'string') return awsManagedName(arn.expr.value);
      if (arn?.expr.kind === 'template') return awsManagedName(f.text.slice(arn.expr.contentRange!.start, arn.expr.contentRange!.end));
      // By name it could be a customer managed policy too; only the administrator policy is taken at its word.
      const n = b.attr('name');
      if (n && n.expr.value === ADMIN_POLICY) return ADMIN_POLICY;
    }
  }
  return null;
}

/**
 * Whether findings of a rule over the IAM graph can lie in `file` (they are
 * reported only in the file linted): every place the graph holds is in a
 * resource block, a data block, or an expression of one (a variable's default
 * is placed where it is read). A file without either (`variables.tf`,
 * `outputs.tf`) gets none: its check is skipped.
 */
export function tfMayHoldIamFindings(file: TfFile): boolean {
  for (const b of file.blocks) if (b.type === 'resource' || b.type === 'data') return true;
  return false;
}

/**
 * A rule over the IAM graph: of the template (CloudFormation) or of the module
 * (Terraform); `scope` says which, for messages. The graph is built once per
 * template / module and shared by every such rule.
 */
export function defineIamRule(meta: RuleMeta, check: (ctx: BaseContext, g: IamGraph, scope: 'template' | 'module') => void): Rule {
  return defineRule({
    reads: { cloudformation: CFN_IAM, terraform: TF_IAM },
    ...meta,
    cloudformation: (ctx) => check(ctx, cfnIamGraph(ctx.template), 'template'),
    terraform: (ctx) => {
      if (tfMayHoldIamFindings(ctx.file)) check(ctx, tfIamGraph(ctx.module), 'module');
    },
  });
}

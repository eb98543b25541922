// The shape of a kind declaration: everything the monitor needs to know about one Clean Rooms ML
// resource kind, as data. Every operation name, path, member name, enum and range in a
// declaration is taken from the service model (cleanroomsml 2023-09-06, service-2.json) and
// checked against it by test/unit/kinds-model.test.ts, so a declaration cannot drift from it.

/** The kinds the monitor watches, as named in config, labels and the simulator's control API. */
export const KIND_NAMES = [
  'audienceGenerationJob',
  'audienceModel',
  'audienceExportJob',
  'trainedModel',
  'trainedModelInferenceJob',
  'trainedModelExportJob',
  'mlInputChannel',
] as const;
export type KindName = (typeof KIND_NAMES)[number];

/**
 * success: the resource is ready (ACTIVE); failure: a create, delete or cancel attempt failed;
 * inProgress: something is under way; other: at rest without being a result (INACTIVE). The
 * class of any status, known or not, comes from src/kinds/statuses.ts statusClass.
 */
export type StatusClass = 'success' | 'failure' | 'inProgress' | 'other';

/** Where a List operation looks: the caller's account, one membership, or one collaboration. */
export type Scope = 'account' | 'membership' | 'collaboration';

/**
 * member: the caller's own resources (membership or account operations); collaboration: the
 * `...Collaboration...` operations that show every member's resources in a collaboration.
 */
export type View = 'member' | 'collaboration';

/** Identifiers of the resources a resource belongs to, normalised across kinds. */
export type ParentKey =
  | 'membershipId'
  | 'collaborationId'
  | 'trainedModelArn'
  | 'trainedModelVersionIdentifier'
  | 'audienceGenerationJobArn'
  | 'configuredAudienceModelArn'
  | 'trainingDatasetArn'
  | 'configuredModelAlgorithmAssociationArn';

/** What an operation parameter is filled from: the resource's own ARN or version, a parent, or a List-only filter. */
export type ParamSource = 'arn' | 'versionIdentifier' | ParentKey | 'status';

/** Values for an operation's parameters, keyed by ParamSource. */
export type OperationParams = Partial<Record<ParamSource, string>>;

/** One input member of an operation, bound to where its value comes from. */
export interface ParamDecl {
  /** The input member's name in the model (its locationName: the path label or query key). */
  readonly member: string;
  readonly from: ParamSource;
}

/** A `GET` rest-json operation of the model. */
export interface OperationDecl {
  /** Operation name in the model, also the `operation` label of API metrics and simulator stats. */
  readonly name: string;
  readonly view: View;
  /** The model's requestUri; `{label}` segments are single, non-greedy labels. */
  readonly path: string;
  /** One per `{label}` of `path`, all required. */
  readonly pathParams: readonly ParamDecl[];
  /** Optional query parameters (maxResults and nextToken of Lists are implied, not listed). */
  readonly queryParams: readonly ParamDecl[];
  /** Members of the output (a Get's response, or one List item), in model order. */
  readonly members: readonly string[];
  /** The members the model marks required in that structure. */
  readonly required: readonly string[];
}

export interface GetDecl extends OperationDecl {
  readonly type: 'get';
}

export interface ListDecl extends OperationDecl {
  readonly type: 'list';
  readonly scope: Scope;
  /** The output member holding the page's items (the paginator's result_key). */
  readonly listMember: string;
}

/** A member path such as ['stoppingCondition', 'maxRuntimeInSeconds']. */
export type MemberPath = readonly string[];

/** The model shape and range of a numeric label. */
export interface LabelNumberDecl {
  readonly shape: string;
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A numeric result; from a list of structures when `items` is given (one sample per item). */
export interface NumberResultDecl {
  readonly type: 'number';
  /** snake_case, the metric family suffix: cleanroomsml_<kind>_<key>. */
  readonly key: string;
  readonly help: string;
  /** Path to a list of structures; `value` and `labels` are then relative to each item. */
  readonly items?: MemberPath;
  readonly value: MemberPath;
  /** Extra labels of each sample, from string members (relative to the item, if any). */
  readonly labels?: Readonly<Record<string, MemberPath>>;
  /**
   * Labels whose member is a number in the model (an audience size): checked against its range
   * like a value, kept as digits in the label, and a number again in the Get shape.
   */
  readonly labelNumbers?: Readonly<Record<string, LabelNumberDecl>>;
  /** The model shape of the value, with its range (checked against the model). */
  readonly shape: string;
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
  /**
   * Multiplier from the API's unit to the metric's base unit (Prometheus names carry base units:
   * seconds, bytes). Snapshots keep the API's value; only the exported sample is scaled.
   */
  readonly scale?: number;
  /**
   * A result that can land after the status settled (an audience's quality metrics appear some
   * time after ACTIVE): its first arrival in a Get is reported as a `metrics_appeared` transition.
   */
  readonly arrivesLate?: boolean;
  /** Shown in messages as a table, one row per item (a result with `items` only). */
  readonly table?: TableDecl;
}

/** How a message shows a list result: a two-column table, one row per item. */
export interface TableDecl {
  /** The table's heading ("Relevance by audience size"). */
  readonly title: string;
  /** Heading of the first column; its cells are the label `rowLabel` (grouped by thousands when a number). */
  readonly rowTitle: string;
  readonly rowLabel: string;
  /** The label naming the unit of `rowLabel`, and how each of its values is written (empty: no unit). Unknown values are written as given. */
  readonly unitLabel?: string;
  readonly units?: Readonly<Record<string, string>>;
  /** Heading of the second column, the result's value. */
  readonly valueTitle: string;
}

/** An enum result (exported one-hot like a status). Unknown values are kept as given. */
export interface EnumResultDecl {
  readonly type: 'enum';
  readonly key: string;
  readonly help: string;
  readonly value: MemberPath;
  readonly shape: string;
  readonly values: readonly string[];
}

/** A timestamp result (epoch ms in a snapshot, seconds in metrics). */
export interface TimestampResultDecl {
  readonly type: 'timestamp';
  readonly key: string;
  readonly help: string;
  readonly value: MemberPath;
}

export type ResultDecl = NumberResultDecl | EnumResultDecl | TimestampResultDecl;

/** A static string attribute, exported as a label of `cleanroomsml_<kind>_info`. */
export interface LabelDecl {
  /** Prometheus label name (snake_case). */
  readonly label: string;
  readonly path: MemberPath;
}

/**
 * How a message fact is rendered (see src/kinds/facts.ts): `id` is text shown as code (an
 * account, a collaboration id); `score` a fraction with three decimals.
 */
export type FactFormat = 'text' | 'id' | 'count' | 'score' | 'duration' | 'gigabytes' | 'elapsedOfMax';

/** One line a notification states about a resource ("Version: 3f2a...", "Records: 1,200"). */
export interface FactDecl {
  readonly title: string;
  readonly from:
    | { readonly label: string }
    | { readonly result: string }
    | { readonly parent: ParentKey }
    | { readonly versionIdentifier: true }
    | { readonly attribute: string };
  readonly format: FactFormat;
}

/** How the id of a resource is made (src/kinds/identity.ts reads it; the state, metrics and webhooks carry it). */
export type IdentityDecl = {
  /** The members the identity is made of (documentation, and checked against the List item shape). */
  readonly members: readonly string[];
  /** One sentence for people: what the id is. */
  readonly description: string;
} & (
  | {
      /** The ARN (`arn.member`); with a `versionMember`, `<ARN>#version=<version>` for a version that names one. */
      readonly from: 'arn';
    }
  | {
      /**
       * A kind without an ARN: the id of the parent resource `parent` (a parent of type
       * `resource`), then `#<segment>=<url-encoded name>@<createTime, ISO-8601 with
       * milliseconds>`: required members of its List item that never change once it exists.
       */
      readonly from: 'parent';
      readonly parent: ParentKey;
      readonly segment: string;
    }
);

/** What a parent identifier holds, as the model types it. */
export type ParentIdDecl =
  /** A UUID (a membership, a collaboration, a version): 36 characters. */
  | { readonly type: 'uuid' }
  /**
   * The ARN of a resource of a watched kind (an export job's job or model, a version's model).
   * `version`: the parent key holding the version of that resource, where the resource names one.
   */
  | { readonly type: 'resource'; readonly kind: KindName; readonly version?: ParentKey }
  /** The ARN of a resource the monitor does not watch: its model shape and pattern (anchored). */
  | { readonly type: 'arn'; readonly shape: string; readonly pattern: RegExp };

/** One parent of a resource: where it is read from and what it identifies. */
export interface ParentDecl {
  /** The output member holding it, under the same name in every operation of the kind. */
  readonly member: string;
  readonly id: ParentIdDecl;
}

/**
 * Where the AWS tags of a resource are. `member`: the output member holding them, in the Gets
 * whose `members` list it (a Get of another view may not carry them). `inherit`: the parent (of
 * type `resource`) whose tags the resource takes where none of its own reads carries them, when
 * that parent is watched (src/kinds/tags.ts).
 */
export interface TagsDecl {
  readonly member?: string;
  readonly inherit?: ParentKey;
}

/**
 * How `once` shows a kind the first releases watched alone, as they showed it: under its own
 * member of `once --json` (scripts read it) and in a table of its own, with one result as a
 * column. Every other kind is listed together under `resources`.
 */
export interface OnceDecl {
  readonly member: string;
  readonly column: { readonly title: string; readonly result: string };
}

/** A plain member kept as it is: in the snapshot, the state and the webhook body, never in a metric. */
export interface AttributeDecl {
  readonly member: string;
  readonly type: 'string' | 'boolean';
  /**
   * An identifier of at most `max` characters (its model shape's bound): a longer one refuses the
   * answer, since cutting it would name something else. Without it a string is free text, capped.
   */
  readonly max?: number;
  /** The same few values repeat over many resources (who started a job): one copy is kept in memory. */
  readonly shared?: boolean;
}

/** One resource kind, declared once. */
export interface KindDecl {
  readonly kind: KindName;
  /** snake_case kind: metric families `cleanroomsml_<snake>_*`, webhook type `<snake>.status_changed`. */
  readonly snake: string;
  /** What people call it in messages ("trained model"). */
  readonly title: string;
  /** ARN resource type (`trained-model`), the ARN's model shape and its anchored pattern; absent for kinds without an ARN. */
  readonly arn?: { readonly resourceType: string; readonly shape: string; readonly pattern: RegExp; readonly member: string };
  /** The member carrying a version identifier that is part of the identity (trained models). */
  readonly versionMember?: string;
  readonly identity: IdentityDecl;
  /** The identifiers of the resources it belongs to, normalised across kinds by ParentKey. */
  readonly parents: Readonly<Partial<Record<ParentKey, ParentDecl>>>;
  /**
   * The model's status enum shape and its values, in enum order: the statuses the one-hot
   * `_status` series always carries. A value AWS adds later is kept and classified all the same
   * (src/kinds/statuses.ts).
   */
  readonly statusShape: string;
  readonly statuses: readonly string[];
  /** Get operations by view; a kind without a Get has none (its List items carry statusDetails). */
  readonly get: Readonly<Partial<Record<View, GetDecl>>>;
  /** Every List operation that returns this kind. */
  readonly lists: readonly ListDecl[];
  readonly results: readonly ResultDecl[];
  readonly labels: readonly LabelDecl[];
  /** Members carried through unchanged (descriptions, who started it); absent: none. */
  readonly attributes?: readonly AttributeDecl[];
  /**
   * The member of a webhook body's `data` that holds the resource in its Get output shape:
   * `resource`, except where receivers already read another name (audience generation jobs: `job`).
   */
  readonly bodyMember?: string;
  readonly facts: readonly FactDecl[];
  readonly tags: TagsDecl;
  /** Absent: `once` lists it under `resources`. */
  readonly once?: OnceDecl;
}

/**
 * The one declaration of the custom search attributes the platform registers on its namespace and sets on every
 * run, so runs can be filtered in the Web UI and with `temporal workflow list --query`. Everything else derives
 * from it: the starter (runSearchAttributes), the child start (workflows/steps/sub-workflow.ts), the dev server
 * launcher (searchAttributeCliFlags) and compose (temporal/docker-compose.yml, checked by search-attributes.test.ts).
 * Sandbox-safe: imported by workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { TriggerContext } from './definitions/types';

export const AosDefinitionId = defineSearchAttributeKey('AosDefinitionId', SearchAttributeType.KEYWORD);
export const AosDefinitionVersion = defineSearchAttributeKey('AosDefinitionVersion', SearchAttributeType.KEYWORD);
export const AosCorrelationKey = defineSearchAttributeKey('AosCorrelationKey', SearchAttributeType.KEYWORD);
export const AosTrigger = defineSearchAttributeKey('AosTrigger', SearchAttributeType.KEYWORD);
/** Upserted by wait_for_event steps while a run waits (InterpreterOptions.currentStepSearchAttribute). */
export const AosCurrentStep = defineSearchAttributeKey('AosCurrentStep', SearchAttributeType.KEYWORD);

/**
 * Temporal's own attribute on a workflow a schedule started: the time its action was due (jitter included; for a
 * trigger-now, the trigger's time; for a backfill, the slot's time). Built in: not registered by the platform.
 */
export const TemporalScheduledStartTime = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/** Every custom search attribute, in registration order. */
export const SEARCH_ATTRIBUTE_KEYS = [
  AosDefinitionId,
  AosDefinitionVersion,
  AosCorrelationKey,
  AosTrigger,
  AosCurrentStep,
] as const;

export type SearchAttributeName = (typeof SEARCH_ATTRIBUTE_KEYS)[number]['name'];

// The type names the CLI and `temporal operator search-attribute create` take.
const CLI_TYPE_NAMES: Record<(typeof SEARCH_ATTRIBUTE_KEYS)[number]['type'], string> = { KEYWORD: 'Keyword' };

/** Name -> CLI type name of every custom search attribute (e.g. `AosDefinitionId: 'Keyword'`). */
export const SEARCH_ATTRIBUTES: Readonly<Record<SearchAttributeName, string>> = Object.fromEntries(
  SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, CLI_TYPE_NAMES[k.type]]),
) as Record<SearchAttributeName, string>;

/** `--search-attribute Name=Type` flags of `temporal server start-dev` for every custom search attribute. */
export function searchAttributeCliFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}

/** The search attributes a run starts with. */
export function runSearchAttributes(
  definitionId: string,
  version: string,
  trigger: TriggerContext,
  correlationKey?: string,
): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: AosDefinitionId, value: definitionId },
    { key: AosDefinitionVersion, value: version },
    { key: AosTrigger, value: trigger.kind },
  ];
  if (correlationKey) pairs.push({ key: AosCorrelationKey, value: correlationKey });
  return pairs;
}

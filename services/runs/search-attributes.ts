/** Typed search attribute keys of every run (registered on the namespace by the dev server launcher and compose). */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { TriggerContext } from '../../common/definitions/types';

export const AosDefinitionId = defineSearchAttributeKey('AosDefinitionId', SearchAttributeType.KEYWORD);
export const AosDefinitionVersion = defineSearchAttributeKey('AosDefinitionVersion', SearchAttributeType.KEYWORD);
export const AosCorrelationKey = defineSearchAttributeKey('AosCorrelationKey', SearchAttributeType.KEYWORD);
export const AosTrigger = defineSearchAttributeKey('AosTrigger', SearchAttributeType.KEYWORD);

/** The search attributes a run starts with. */
export function runSearchAttributes(definitionId: string, version: string, trigger: TriggerContext, correlationKey?: string): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: AosDefinitionId, value: definitionId },
    { key: AosDefinitionVersion, value: version },
    { key: AosTrigger, value: trigger.kind },
  ];
  if (correlationKey) pairs.push({ key: AosCorrelationKey, value: correlationKey });
  return pairs;
}

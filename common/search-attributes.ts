/**
 * Custom search attributes the platform registers on its namespace and sets on every run,
 * so runs can be filtered in the Web UI and with `temporal workflow list --query`.
 * Sandbox-safe: imported by workflow code.
 */
export const SEARCH_ATTRIBUTES = {
  AosDefinitionId: 'Keyword',
  AosDefinitionVersion: 'Keyword',
  AosCorrelationKey: 'Keyword',
  AosTrigger: 'Keyword',
  AosCurrentStep: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

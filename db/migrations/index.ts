/**
 * The ordered list of migrations. Knex applies them in key order; add a new file as
 * `NNN_description.ts` and register it here. Migrations are forward-only: never edit one that has shipped.
 */
import type { Knex } from 'knex';
import * as m001 from './001_extensions_and_schemas';
import * as m002 from './002_auth_service';
import * as m003 from './003_ui_components_and_integrations';
import * as m004 from './004_definitions';
import * as m005 from './005_workflow_runtime';
import * as m006 from './006_event_runtime';
import * as m007 from './007_observability_and_testing';
import * as m008 from './008_monitoring_views';
import * as m009 from './009_auth_sessions_and_roles';
import * as m010 from './010_event_routing_indexes';
import * as m011 from './011_event_dispatch_index';
import * as m012 from './012_subscription_lookback_event';
import * as m013 from './013_human_tasks';
import * as m014 from './014_manual_task_forms';
import * as m015 from './015_event_publisher';
import * as m016 from './016_observability_partitions';
import * as m017 from './017_test_execution';
import * as m018 from './018_run_operations';
import * as m019 from './019_redrive_permission';
import * as m020 from './020_paused_runs';
import * as m021 from './021_bulk_operation_permissions';
import * as m022 from './022_schedule_permissions';
import * as m023 from './023_task_flow_control';
import * as m024 from './024_shared_process_state';
import * as m025 from './025_event_dispatch_shards';
import * as m026 from './026_retention_indexes';
import * as m027 from './027_trigger_set_version';

export const migrations: Record<string, Knex.Migration> = {
  '001_extensions_and_schemas': m001,
  '002_auth_service': m002,
  '003_ui_components_and_integrations': m003,
  '004_definitions': m004,
  '005_workflow_runtime': m005,
  '006_event_runtime': m006,
  '007_observability_and_testing': m007,
  '008_monitoring_views': m008,
  '009_auth_sessions_and_roles': m009,
  '010_event_routing_indexes': m010,
  '011_event_dispatch_index': m011,
  '012_subscription_lookback_event': m012,
  '013_human_tasks': m013,
  '014_manual_task_forms': m014,
  '015_event_publisher': m015,
  '016_observability_partitions': m016,
  '017_test_execution': m017,
  '018_run_operations': m018,
  '019_redrive_permission': m019,
  '020_paused_runs': m020,
  '021_bulk_operation_permissions': m021,
  '022_schedule_permissions': m022,
  '023_task_flow_control': m023,
  '024_shared_process_state': m024,
  '025_event_dispatch_shards': m025,
  '026_retention_indexes': m026,
  '027_trigger_set_version': m027,
};

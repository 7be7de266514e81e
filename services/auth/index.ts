/** Auth application service: users, roles and the permission catalogue, API keys; passwords and tokens. */
export * from './users';
export * from './roles';
export * from './api-keys';

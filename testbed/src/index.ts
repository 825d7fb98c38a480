export * from './auth-process.ts';
export * from './deps-env.ts';
export * from './unique-name.ts';
export * from './kube-testbed.ts';
export * from './openapi-contract.ts';
export * from './test-database.ts';
export * from './token-issuer.ts';

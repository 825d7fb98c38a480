export * from './deps-env.ts';
export * from './unique-name.ts';

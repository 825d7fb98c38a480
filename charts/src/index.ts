// Helpers of the chart tests.
export * from './paths.ts';
export * from './helm.ts';
export * from './manifest.ts';
export * from './render.ts';
export * from './catalog.ts';
export * from './served-paths.ts';
export * from './dockerfile.ts';
export * from './values-table.ts';

// The public surface of @shoal/kit. Engineer B appends its own export lines at the end.
export * from './context/request-context.ts';
export * from './errors/problem.ts';
export * from './logger/logger.ts';

export * from './sql-client';
export * from './migrations';
export * from './history.store';

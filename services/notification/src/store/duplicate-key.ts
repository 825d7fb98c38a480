import { MongoServerError } from 'mongodb';

const DUPLICATE_KEY = 11000;

/** True for MongoDB's duplicate-key refusal: the unique insert that makes deliveries happen once. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

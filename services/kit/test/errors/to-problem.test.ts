import assert from 'node:assert/strict';
import { toProblem } from '../../src/errors/error-middleware.ts';
import { problemType, statusProblem } from '../../src/errors/problem-types.ts';

const req = { headers: {} };

describe('errors: toProblem', () => {
  it('When a library error has a 5xx status, then it is an internal error with no detail', () => {
    const problem = toProblem(
      Object.assign(new Error('upstream exploded'), { status: 502, expose: true }),
      req,
    );
    assert.equal(problem.status, 500);
    assert.equal(problem.detail, undefined);
    assert.equal(problem.type, problemType('internal'));
  });

  it('When a library 4xx error is not exposable, then its message stays private', () => {
    const problem = toProblem(
      Object.assign(new Error('internal reason'), { statusCode: 409 }),
      req,
    );
    assert.equal(problem.status, 409);
    assert.equal(problem.title, 'Conflict');
    assert.equal(problem.detail, undefined);
  });

  it('When null is thrown, then it is an internal error', () => {
    assert.equal(toProblem(null, req).status, 500);
  });

  it('When the body limit is unknown, then the 413 detail says so without a number', () => {
    assert.equal(
      toProblem({ type: 'entity.too.large' }, req).detail,
      'The request body is too large.',
    );
  });

  it('When a status has no standard reason phrase, then the title is "Error"', () => {
    assert.equal(statusProblem(499).title, 'Error');
  });
});

import assert from 'node:assert/strict';
import { csvField, toCsv } from '../src/routes/csv.ts';

describe('CSV (RFC 4180)', () => {
  it('When a field is plain, then it is written as is', () => {
    assert.equal(csvField('auth.user.registered'), 'auth.user.registered');
    assert.equal(csvField(42), '42');
    assert.equal(csvField(null), '');
  });

  it('When a field holds a comma, quote, CR or LF, then it is quoted with quotes doubled', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvField('lf\nonly'), '"lf\nonly"');
  });

  it('When a document is written, then it has the header row and every line ends in CRLF', () => {
    assert.equal(
      toCsv(
        ['type', 'count'],
        [
          ['a', 1],
          ['b,c', 2],
        ],
      ),
      'type,count\r\na,1\r\n"b,c",2\r\n',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimpleDateFormat } from './simple-date-format.js';

const at = Date.UTC(2018, 2, 12, 13, 30, 59, 7); // Mon 12 Mar 2018 13:30:59.007 UTC

describe('SimpleDateFormat (UTC)', () => {
  const cases: [string, string][] = [
    ['yyyy-MM-dd HH:mm:ss', '2018-03-12 13:30:59'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '2018-03-12T13:30:59.007Z'],
    ['yyyyMMdd', '20180312'],
    ['yy/M/d h:mm a', '18/3/12 1:30 PM'],
    ['EEE, d MMM yyyy HH:mm:ss Z', 'Mon, 12 Mar 2018 13:30:59 +0000'],
    ['EEEE MMMM dd z', 'Monday March 12 UTC'],
    ["hh 'o''clock' a", "01 o'clock PM"],
    ['D S', '71 7'],
  ];
  for (const [pattern, text] of cases) {
    it(`formats ${pattern}`, () => assert.equal(new SimpleDateFormat(pattern).format(new Date(at)), text));
  }

  it('parses what it formats', () => {
    for (const [pattern, text] of cases.slice(0, 5)) {
      const back = new SimpleDateFormat(pattern).parse(text).getTime();
      const fmt = new SimpleDateFormat(pattern);
      assert.equal(fmt.format(new Date(back)), text, pattern);
    }
  });

  it('parses the es-sink example as UTC', () => {
    assert.equal(
      new SimpleDateFormat('yyyy-MM-dd HH:mm:ss').parse('2018-03-12 13:30:59').getTime(),
      Date.UTC(2018, 2, 12, 13, 30, 59),
    );
  });

  it('honours zone offsets and ignores trailing text, as Java does', () => {
    assert.equal(
      new SimpleDateFormat("yyyy-MM-dd'T'HH:mmXXX").parse('2018-03-12T15:30+02:00').getTime(),
      Date.UTC(2018, 2, 12, 13, 30),
    );
    assert.equal(new SimpleDateFormat('yyyy-MM-dd').parse('2018-03-12 13:30:59').getTime(), Date.UTC(2018, 2, 12));
  });

  it('is lenient like Java: month 13 rolls into the next year', () => {
    assert.equal(new SimpleDateFormat('yyyy-MM-dd').parse('2018-13-01').getTime(), Date.UTC(2019, 0, 1));
  });

  it("rejects text that does not match, in Kafka's words", () => {
    assert.throws(
      () => new SimpleDateFormat('yyyy-MM-dd').parse('12/03/2018'),
      /Could not parse timestamp: value \(12\/03\/2018\) does not match pattern \(yyyy-MM-dd\)/,
    );
  });

  it('rejects unknown pattern letters', () => {
    assert.throws(() => new SimpleDateFormat('yyyy-bb'), /Illegal pattern character 'b'/);
  });
});

import { parseBatchSize } from './reclassify.command';

describe('parseBatchSize', () => {
  it('should read a whole number of papers per batch', () => {
    expect(parseBatchSize('500')).toBe(500);
    expect(parseBatchSize('1')).toBe(1);
    expect(parseBatchSize('10000')).toBe(10_000);
  });

  it.each(['0', '-5', '2.5', 'lots', '', '10001'])('should refuse %j, naming the option', (value) => {
    expect(() => parseBatchSize(value)).toThrow(`--batch must be a whole number from 1 to 10000 (got "${value}")`);
  });
});

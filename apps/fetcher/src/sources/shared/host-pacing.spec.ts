import { parseHostPacing, ruleFor } from './host-pacer';

describe('HOST_PACING', () => {
  it('should read host=seconds pairs, lower-cased, and drop hosts paced at zero', () => {
    expect(parseHostPacing(' arxiv.org=3, API.bioRxiv.org = 1.5 ,example.org=0,')).toEqual([
      { host: 'arxiv.org', intervalMs: 3000 },
      { host: 'api.biorxiv.org', intervalMs: 1500 },
    ]);
    expect(parseHostPacing('')).toEqual([]);
  });

  it('should pace every arXiv host together under the default rule, and nothing else', () => {
    const rules = parseHostPacing('arxiv.org=3');
    for (const host of ['arxiv.org', 'export.arxiv.org', 'RSS.arxiv.org.']) {
      expect(ruleFor(rules, host)).toEqual({ host: 'arxiv.org', intervalMs: 3000 });
    }
    expect(ruleFor(rules, 'notarxiv.org')).toBeUndefined();
    expect(ruleFor(rules, 'arxiv.org.evil.test')).toBeUndefined();
  });

  it('should choose the most specific rule for a host', () => {
    const rules = parseHostPacing('biorxiv.org=5,api.biorxiv.org=1');
    expect(ruleFor(rules, 'api.biorxiv.org')?.intervalMs).toBe(1000);
    expect(ruleFor(rules, 'www.biorxiv.org')?.intervalMs).toBe(5000);
  });
});

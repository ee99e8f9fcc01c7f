import { loadSettings } from './settings';

describe('HEALTH_PORT', () => {
  it('should be off (0) by default and take a port', () => {
    expect(loadSettings({}).HEALTH_PORT).toBe(0);
    expect(loadSettings({ HEALTH_PORT: '9464' }).HEALTH_PORT).toBe(9464);
  });

  it('should refuse anything but 0 or a port, naming the setting and the value', () => {
    for (const [value, message] of [
      ['http', 'HEALTH_PORT must be an integer (got "http")'],
      ['-1', 'HEALTH_PORT must be 0 (off) or a port between 1 and 65535 (got "-1")'],
      ['65536', 'HEALTH_PORT must be 0 (off) or a port between 1 and 65535 (got "65536")'],
      ['80.5', 'HEALTH_PORT must be an integer (got "80.5")'],
    ]) {
      expect(() => loadSettings({ HEALTH_PORT: value })).toThrow(message);
    }
  });
});

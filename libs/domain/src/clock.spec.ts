import { ShiftedClock } from './clock';

describe('ShiftedClock', () => {
  it('should read its start instant when made and run on at the speed of real time', () => {
    let real = Date.parse('2026-12-07T11:52:00Z');
    const clock = new ShiftedClock(new Date('2026-03-29T00:30:00Z'), () => real);
    expect(clock.now()).toEqual(new Date('2026-03-29T00:30:00Z'));
    real += 90_000;
    expect(clock.now()).toEqual(new Date('2026-03-29T00:31:30Z'));
  });
});

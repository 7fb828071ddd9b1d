import { ScalerMisconfigured } from '../scalers/scaler';
import { KedaDecisions } from './keda-decisions';
import { KedaScaler } from './keda.scaler';

describe(KedaScaler.name, () => {
  it('starts from the policy minimum, then from the count it last published', async () => {
    const decisions = new KedaDecisions();
    const scaler = new KedaScaler('web', decisions, 0);
    await expect(scaler.current()).resolves.toBe(0);
    const seen: number[] = [];
    decisions.subscribe('web', (p) => seen.push(p.replicas));
    await expect(scaler.apply(4, 'scaler/web/1')).resolves.toBe(4);
    await expect(scaler.current()).resolves.toBe(4);
    expect(seen).toEqual([4]);
    expect(decisions.get('other')).toBeNull();
  });

  it('refuses an invalid count before publishing it', async () => {
    const decisions = new KedaDecisions();
    await expect(new KedaScaler('web', decisions, 1).apply(-1, 'k')).rejects.toBeInstanceOf(ScalerMisconfigured);
    expect(decisions.get('web')).toBeNull();
  });
});

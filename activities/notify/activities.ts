import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { cardsNotify } from './notify';

/** `cardsNotify`, the card trade flow's one way to tell a member (contract name). */
export function createNotifyActivities(deps: FeatureDeps) {
  return defineActivities(deps.log, 'notify', {
    cardsNotify: (i: Parameters<typeof cardsNotify>[1]) => cardsNotify(deps, i),
  });
}
